import { create } from 'zustand';
import type { LabStatus } from '../../../../shared/api';
import { engine } from '../../engine';

export type LabAction = 'up' | 'down' | 'reset';

export interface LabProblem {
  code: string;
  message: string;
}

interface LabState {
  status: LabStatus | undefined;
  /** The action in flight, so buttons can say what is happening and not be pressed twice. */
  busy: LabAction | undefined;
  busySince: number | undefined;
  problem: LabProblem | undefined;
  /** The outcome of the last finished action, e.g. "Started in 9.8 s". */
  notice: string | undefined;
  connect(): () => void;
  run(action: LabAction): Promise<void>;
  dismissProblem(): void;
}

function toProblem(error: unknown): LabProblem {
  if (typeof error === 'object' && error !== null && 'message' in error) {
    const code = 'code' in error && typeof error.code === 'string' ? error.code : 'ERROR';
    return { code, message: String(error.message) };
  }
  return { code: 'ERROR', message: String(error) };
}

export const useLabStore = create<LabState>((set, get) => ({
  status: undefined,
  busy: undefined,
  busySince: undefined,
  problem: undefined,
  notice: undefined,

  connect() {
    const subscription = engine.lab.onDidChangeStatus((status) => set({ status }));
    engine.lab.status().then(
      (status) => set({ status }),
      (error: unknown) => set({ problem: toProblem(error) }),
    );
    return () => subscription.dispose();
  },

  async run(action) {
    if (get().busy) return;
    set({ busy: action, busySince: Date.now(), problem: undefined, notice: undefined });
    try {
      if (action === 'up') {
        const result = await engine.lab.up();
        const notice =
          result.started.length === 0
            ? 'Every service was already running.'
            : `Started ${result.started.join(', ')} in ${result.seconds.toFixed(1)} s${result.reused.length > 0 ? `; reused ${result.reused.join(', ')}` : ''}.`;
        set({ status: result, notice });
      } else if (action === 'down') {
        set({ status: await engine.lab.down(), notice: 'Lab stopped.' });
      } else {
        const status = await engine.lab.reset();
        set({ status, notice: `Lab stopped and ${status.dir} wiped.` });
      }
    } catch (error) {
      set({ problem: toProblem(error) });
      engine.lab.status().then((status) => set({ status }), () => {});
    } finally {
      set({ busy: undefined, busySince: undefined });
    }
  },

  dismissProblem() {
    set({ problem: undefined });
  },
}));
