import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

/**
 * The architecture's import rules (§3) are enforced by ESLint; these cases prove the configuration really rejects
 * a crossing, on virtual files linted with the project's own eslint.config.mjs.
 */
const eslint = new ESLint({ cwd: process.cwd() });

async function ruleIdsFor(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).map((message) => message.ruleId ?? message.message);
}

describe('architecture import rules', () => {
  it('reject a renderer file that imports from src/engine', async () => {
    const ids = await ruleIdsFor('src/renderer/src/features/lab/Leak.ts', "import { createEngine } from '../../../../engine/index';\nexport const leak = createEngine;\n");
    expect(ids).toContain('import-x/no-restricted-paths');
  });

  it('reject Node built-ins and electron in the renderer and in src/shared', async () => {
    expect(await ruleIdsFor('src/renderer/src/Fs.ts', "import { readFileSync } from 'node:fs';\nexport const read = readFileSync;\n")).toContain('no-restricted-imports');
    expect(await ruleIdsFor('src/shared/fs.ts', "import { readFileSync } from 'node:fs';\nexport const read = readFileSync;\n")).toContain('no-restricted-imports');
    expect(await ruleIdsFor('src/shared/ipc.ts', "import { ipcRenderer } from 'electron';\nexport const ipc = ipcRenderer;\n")).toContain('no-restricted-imports');
  });

  it('reject the engine importing a host, and main importing engine internals', async () => {
    expect(await ruleIdsFor('src/engine/lab/Window.ts', "import { createIpcServerTransport } from '../../main/ipcTransport';\nexport const t = createIpcServerTransport;\n")).toContain(
      'import-x/no-restricted-paths',
    );
    expect(await ruleIdsFor('src/main/labDirect.ts', "import { createLab } from '../engine/lab/index';\nexport const lab = createLab;\n")).toContain('import-x/no-restricted-paths');
  });

  it('reject an engine layer importing a layer above it', async () => {
    expect(await ruleIdsFor('src/engine/base/up.ts', "import { createLab } from '../lab/index';\nexport const lab = createLab;\n")).toContain('import-x/no-restricted-paths');
  });

  it('accept the allowed directions', async () => {
    expect(await ruleIdsFor('src/main/ok.ts', "import { createEngine } from '../engine/index';\nexport const engine = createEngine;\n")).toEqual([]);
    expect(await ruleIdsFor('src/renderer/src/ok.ts', "import { EngineError } from '../../shared/errors';\nexport const error = EngineError;\n")).toEqual([]);
    expect(await ruleIdsFor('src/engine/lab/ok.ts', "import { createLogger } from '../base/logger';\nexport const log = createLogger;\n")).toEqual([]);
  });
});
