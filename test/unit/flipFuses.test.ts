import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FuseV1Options, getCurrentFuseWire } from '@electron/fuses';
import { afterAll, describe, expect, it } from 'vitest';

// Issue 11, item 4: a packaged Ferry must not run as Node (ELECTRON_RUN_AS_NODE), take NODE_OPTIONS or --inspect.
// Electron's binary cannot be downloaded here, so the script runs on a file carrying an Electron fuse wire as the
// binary has it (the sentinel, version 1, length, one ASCII 0/1 per fuse, with Electron's defaults), and the wire is
// read back with @electron/fuses' own reader.
const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
const ELECTRON_DEFAULTS = '10110001'; // RunAsNode on, cookies unencrypted, NODE_OPTIONS and --inspect honoured…
const ENABLED = 49;
const DISABLED = 48;

const dir = mkdtempSync(join(tmpdir(), 'ferry-fuses-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function fakeElectron(name: string): string {
  const path = join(dir, name);
  const wire = Buffer.concat([Buffer.from(SENTINEL), Buffer.from([1, ELECTRON_DEFAULTS.length]), Buffer.from(ELECTRON_DEFAULTS)]);
  writeFileSync(path, Buffer.concat([Buffer.alloc(4096, 0x90), wire, Buffer.alloc(4096, 0x90)]));
  return path;
}

function runScript(args: string[]): string {
  return execFileSync(process.execPath, [join(process.cwd(), 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(process.cwd(), 'scripts', 'flip-fuses.ts'), ...args], { encoding: 'utf8' });
}

describe('npm run fuses', () => {
  it('turns off RunAsNode, NODE_OPTIONS and inspect arguments and turns on cookie encryption', async () => {
    const binary = fakeElectron('ferry');
    expect(runScript([binary])).toContain("set Ferry's fuses");
    const wire = await getCurrentFuseWire(binary);
    expect(wire[FuseV1Options.RunAsNode]).toBe(DISABLED);
    expect(wire[FuseV1Options.EnableNodeOptionsEnvironmentVariable]).toBe(DISABLED);
    expect(wire[FuseV1Options.EnableNodeCliInspectArguments]).toBe(DISABLED);
    expect(wire[FuseV1Options.EnableCookieEncryption]).toBe(ENABLED);
    expect(wire[FuseV1Options.OnlyLoadAppFromAsar]).toBe(DISABLED);
    // The renderer loads from file:// as ES modules: those privileges stay.
    expect(wire[FuseV1Options.GrantFileProtocolExtraPrivileges]).toBe(ENABLED);
  });

  it('with --asar also loads the app only from its integrity-checked asar', async () => {
    const binary = fakeElectron('ferry-asar');
    runScript([binary, '--asar']);
    const wire = await getCurrentFuseWire(binary);
    expect(wire[FuseV1Options.OnlyLoadAppFromAsar]).toBe(ENABLED);
    expect(wire[FuseV1Options.EnableEmbeddedAsarIntegrityValidation]).toBe(ENABLED);
  });

  it('says what went wrong on a file that is not Electron', () => {
    const path = join(dir, 'not-electron');
    writeFileSync(path, 'hello');
    let stderr = '';
    try {
      runScript([path]);
    } catch (error) {
      stderr = String((error as { stderr?: string }).stderr);
    }
    expect(stderr).toContain('could not set the fuses');
  });
});
