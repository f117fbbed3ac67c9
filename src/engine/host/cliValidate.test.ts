import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { managedSink, managedSource, pipelineText } from '../config/testing';
import { formatProblem, runValidateCommand } from './cliValidate';

function capture(): { out: () => string; err: () => string } {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => out.push(String(chunk)) > 0);
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => err.push(String(chunk)) > 0);
  return { out: () => out.join(''), err: () => err.join('') };
}

function file(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'ferry-validate-')), 'pipeline.json');
  writeFileSync(path, text);
  return path;
}

afterEach(() => vi.restoreAllMocks());

describe('ferry validate', () => {
  it('prints each problem as severity, path, message and hint', () => {
    expect(formatProblem({ severity: 'error', path: "$.connectors[0]['insert.mode']", message: 'm', hint: 'h', rule: 'r' })).toBe("error  $.connectors[0]['insert.mode']  m  (hint: h)");
    expect(formatProblem({ severity: 'warning', path: '$', message: 'm', hint: '', rule: 'r' })).toBe('warning  $  m');
  });

  it('exits 0 for a valid file, warnings allowed', async () => {
    const io = capture();
    const path = file(pipelineText([managedSource(), managedSink({ 'pk.fields': undefined })]));
    expect(await runValidateCommand(path, false)).toBe(0);
    const lines = io.out().trim().split('\n');
    expect(lines[0]).toMatch(/^warning {2}\$\.connectors\[1\]\['pk\.mode'\] {2}`pk\.mode=record_value` without `pk\.fields`.* {2}\(hint: /);
    expect(lines[1]).toBe(`${path}: pipeline "test" with 2 connectors (src: source, snk: sink) is valid, with 1 warning.`);
  });

  it('exits 1 when there are errors, and prints JSON with --json', async () => {
    const io = capture();
    const path = file(pipelineText([managedSink({ 'delete.enabled': 'true' })]));
    expect(await runValidateCommand(path, true)).toBe(1);
    const json = JSON.parse(io.out()) as { valid: boolean; errors: number; problems: { path: string; rule: string; line: number }[] };
    expect(json).toMatchObject({ valid: false, errors: 1 });
    expect(json.problems[0]).toMatchObject({ path: "$.connectors[0]['delete.enabled']", rule: 'sink.delete-needs-record-key' });
    expect(json.problems[0]?.line).toBeGreaterThan(1);
  });

  it('never prints a secret, in text or JSON, valid or not', async () => {
    const marker = 'MARKER-c41d';
    const secrets = [
      managedSource({ 'connection.password': `${marker}-1`, 'kafka.api.secret': `${marker}-2`, 'kafka.api.key': 'K' }),
      managedSink({ 'connection.password': [`${marker}-3`], 'delete.enabled': 'true' }),
    ];
    const text = pipelineText(secrets, { 'schema.registry.basic.auth.user.info': `${marker}-4`, kafka: { 'bootstrap.servers': 'h:9092', 'sasl.password': `${marker}-5` } });
    for (const json of [false, true]) {
      const io = capture();
      expect(await runValidateCommand(file(text), json)).toBe(1);
      expect(io.out()).not.toContain(marker);
      expect(io.err()).not.toContain(marker);
      vi.restoreAllMocks();
    }
  });

  it('exits 2 and names the path when the file cannot be read', async () => {
    const io = capture();
    expect(await runValidateCommand('/nonexistent/ferry/pipeline.json', false)).toBe(2);
    expect(io.err()).toContain('/nonexistent/ferry/pipeline.json');
    expect(io.out()).toBe('');
  });
});
