import { create } from 'zustand';
import type { DemoStatus } from '../../../../shared/api';
import { engine } from '../../engine';
import { toProblem } from '../../app/format';

interface DemoState {
  status: DemoStatus | undefined;
  busy: 'start' | 'stop' | undefined;
  busySince: number | undefined;
  problem: { code: string; message: string } | undefined;
  connect(): () => void;
  start(bootstrapServers?: string): Promise<void>;
  stop(): Promise<void>;
}

export const useDemoStore = create<DemoState>((set, get) => ({
  status: undefined,
  busy: undefined,
  busySince: undefined,
  problem: undefined,

  connect() {
    const subscription = engine.demo.onDidChangeStatus((status) => set({ status }));
    engine.demo.status().then(
      (status) => set({ status }),
      (error: unknown) => set({ problem: toProblem(error) }),
    );
    return () => subscription.dispose();
  },

  async start(bootstrapServers) {
    if (get().busy) return;
    set({ busy: 'start', busySince: Date.now(), problem: undefined });
    try {
      set({ status: await engine.demo.start(bootstrapServers ? { bootstrapServers } : {}) });
    } catch (error) {
      set({ problem: toProblem(error) });
    } finally {
      set({ busy: undefined, busySince: undefined });
    }
  },

  async stop() {
    if (get().busy) return;
    set({ busy: 'stop', busySince: Date.now(), problem: undefined });
    try {
      set({ status: await engine.demo.stop() });
    } catch (error) {
      set({ problem: toProblem(error) });
    } finally {
      set({ busy: undefined, busySince: undefined });
    }
  },
}));
