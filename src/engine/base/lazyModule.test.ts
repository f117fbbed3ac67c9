import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isPackageLoaded, lazyModule } from './lazyModule';

const dir = mkdtempSync(join(tmpdir(), 'ferry-lazy-module-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A CommonJS module that counts how often it was evaluated (in globalThis, since the test reads it from outside). */
function fixture(name: string, body: string): string {
  const file = join(dir, `${name}.cjs`);
  writeFileSync(file, `globalThis.${name} = (globalThis.${name} ?? 0) + 1;\n${body}\n`);
  return file;
}

const evaluations = (name: string): number => ((globalThis as Record<string, unknown>)[name] as number | undefined) ?? 0;

describe('lazyModule', () => {
  it('loads the package on first use, once, and gives its own values', () => {
    const file = fixture('lazyPlain', 'class Client { constructor(n) { this.n = n; } }\nmodule.exports = { answer: 42, Client, twice(n) { return n * 2; } };');
    const lib = lazyModule<{ answer: number; Client: new (n: number) => { n: number }; twice(n: number): number }>(file);
    expect(evaluations('lazyPlain')).toBe(0);
    expect(isPackageLoaded(file)).toBe(false);
    expect(lib.answer).toBe(42);
    expect(evaluations('lazyPlain')).toBe(1);
    expect(isPackageLoaded(file)).toBe(true);
    const client = new lib.Client(3);
    expect(client).toBeInstanceOf(lib.Client);
    expect(client.n).toBe(3);
    expect(lib.twice(4)).toBe(8);
    expect('twice' in lib).toBe(true);
    expect(evaluations('lazyPlain')).toBe(1);
  });

  it('constructs and calls a package whose export is a class or a function', () => {
    const file = fixture('lazyClass', 'module.exports = class Reader { constructor(options) { this.options = options; } };');
    const Reader = lazyModule<new (options: { port: number }) => { options: { port: number } }>(file);
    expect(evaluations('lazyClass')).toBe(0);
    expect(new Reader({ port: 3306 }).options).toEqual({ port: 3306 });
    expect(evaluations('lazyClass')).toBe(1);
  });
});
