import { type IDisposable, toDisposable } from './lifecycle';

/**
 * An event is a function that registers a listener and returns its subscription.
 * API properties named `onDid…` have this type; the RPC layer relies on that naming to tell events from calls.
 */
export type Event<T> = (listener: (event: T) => void) => IDisposable;

/** Owns the listeners of one event. Listener errors are isolated so one bad listener cannot starve the others. */
export class Emitter<T> implements IDisposable {
  private listeners = new Set<(event: T) => void>();

  readonly event: Event<T> = (listener) => {
    this.listeners.add(listener);
    return toDisposable(() => this.listeners.delete(listener));
  };

  fire(event: T): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }

  get listenerCount(): number {
    return this.listeners.size;
  }

  dispose(): void {
    this.listeners.clear();
  }
}
