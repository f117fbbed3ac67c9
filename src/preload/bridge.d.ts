/**
 * What the preload exposes to the renderer as `window.ferry`. Only `engine:` channels are accepted;
 * everything else is refused in the preload itself.
 */
export interface FerryBridge {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  /** Returns a function that removes the listener. */
  subscribe(channel: string, listener: (...args: unknown[]) => void): () => void;
}

declare global {
  interface Window {
    ferry?: FerryBridge;
  }
}
