import { create } from 'zustand';
import type { ProfileTestResult, SecretStorageInfo, StoredProfile } from '../../../../shared/api';
import { toProblem } from '../../app/format';
import { engine } from '../../engine';
import { draftFromForm, emptyForm, type FormState, formFromProfile } from './profileForm';

interface Problem {
  code: string;
  message: string;
  /** Field-level problems of PROFILE_INVALID. */
  fields?: { field: string; message: string }[];
}

interface ConnectionsState {
  profiles: StoredProfile[];
  loaded: boolean;
  storage: SecretStorageInfo | undefined;
  form: FormState;
  /** The secret typed in this form; never read back from the engine. */
  secret: string;
  dirty: boolean;
  busy: 'save' | 'test' | 'delete' | 'import' | 'export' | undefined;
  testResult: ProfileTestResult | undefined;
  /** The last Test of each saved profile in this session, for the list's result mark (apart from the environment colour). */
  lastTests: Record<string, { ok: boolean; code?: string; at: number }>;
  problem: Problem | undefined;
  notice: string | undefined;
  connect(): () => void;
  select(id: string): void;
  startNew(kind?: FormState['kind']): void;
  edit(patch: Partial<FormState>): void;
  setSecret(secret: string): void;
  save(): Promise<void>;
  test(): Promise<void>;
  remove(): Promise<void>;
  setStorage(mode: 'memory' | 'file'): Promise<void>;
  exportProfiles(): Promise<string | undefined>;
  importProfiles(text: string): Promise<void>;
  dismiss(): void;
}

function asProblem(error: unknown): Problem {
  const base = toProblem(error);
  const detail = (error as { detail?: unknown }).detail;
  const fields = Array.isArray(detail) ? (detail as { field: string; message: string }[]).filter((item) => typeof item?.field === 'string') : undefined;
  return { ...base, ...(fields && fields.length > 0 ? { fields } : {}) };
}

export const useConnectionsStore = create<ConnectionsState>((set, get) => ({
  profiles: [],
  loaded: false,
  storage: undefined,
  form: emptyForm(),
  secret: '',
  dirty: false,
  busy: undefined,
  testResult: undefined,
  lastTests: {},
  problem: undefined,
  notice: undefined,

  connect() {
    const subscription = engine.connections.onDidChangeProfiles((profiles) => set({ profiles }));
    Promise.all([engine.connections.list(), engine.connections.secretStorage()]).then(
      ([profiles, storage]) => set({ profiles, storage, loaded: true }),
      (error: unknown) => set({ problem: asProblem(error), loaded: true }),
    );
    return () => subscription.dispose();
  },

  select(id) {
    const profile = get().profiles.find((candidate) => candidate.id === id);
    if (profile) set({ form: formFromProfile(profile), secret: '', dirty: false, testResult: undefined, problem: undefined, notice: undefined });
  },

  startNew(kind = 'kafka') {
    set({ form: emptyForm(kind), secret: '', dirty: false, testResult: undefined, problem: undefined, notice: undefined });
  },

  edit(patch) {
    set((state) => ({ form: { ...state.form, ...patch }, dirty: true }));
  },

  setSecret(secret) {
    set({ secret, dirty: true });
  },

  async save() {
    const { form, secret } = get();
    set({ busy: 'save', problem: undefined, notice: undefined });
    try {
      const saved = await engine.connections.save({ profile: draftFromForm(form), ...(secret ? { secret } : {}) });
      set({ form: formFromProfile(saved), secret: '', dirty: false, notice: `Saved "${saved.name}".` });
    } catch (error) {
      set({ problem: asProblem(error) });
    } finally {
      set({ busy: undefined });
    }
  },

  async test() {
    const { form, secret } = get();
    set({ busy: 'test', problem: undefined, testResult: undefined, notice: undefined });
    try {
      const result = await engine.connections.test({ ...(form.id ? { id: form.id } : {}), profile: draftFromForm(form), ...(secret ? { secret } : {}) });
      set((state) => ({
        testResult: result,
        ...(form.id ? { lastTests: { ...state.lastTests, [form.id]: { ok: result.ok, ...(result.failure ? { code: result.failure.code } : {}), at: Date.now() } } } : {}),
      }));
    } catch (error) {
      set({ problem: asProblem(error) });
    } finally {
      set({ busy: undefined });
    }
  },

  async remove() {
    const { form } = get();
    if (!form.id) return;
    set({ busy: 'delete', problem: undefined });
    try {
      await engine.connections.delete(form.id);
      set({ form: emptyForm(form.kind), secret: '', dirty: false, testResult: undefined, notice: `Deleted "${form.name}".` });
    } catch (error) {
      set({ problem: asProblem(error) });
    } finally {
      set({ busy: undefined });
    }
  },

  async setStorage(mode) {
    try {
      set({ storage: await engine.connections.setSecretStorage(mode) });
    } catch (error) {
      set({ problem: asProblem(error) });
    }
  },

  async exportProfiles() {
    set({ busy: 'export', problem: undefined });
    try {
      const document = await engine.connections.export();
      set({ notice: `Exported ${document.profiles.length} profile(s) without secrets.` });
      return JSON.stringify(document, null, 2);
    } catch (error) {
      set({ problem: asProblem(error) });
      return undefined;
    } finally {
      set({ busy: undefined });
    }
  },

  async importProfiles(text) {
    set({ busy: 'import', problem: undefined, notice: undefined });
    try {
      const result = await engine.connections.import(text);
      const skipped = result.problems.length > 0 ? ` Skipped: ${result.problems.join(' ')}` : '';
      set({ notice: `Imported ${result.imported.length} profile(s); type their secrets to use them.${skipped}` });
    } catch (error) {
      set({ problem: asProblem(error) });
    } finally {
      set({ busy: undefined });
    }
  },

  dismiss() {
    set({ problem: undefined });
  },
}));
