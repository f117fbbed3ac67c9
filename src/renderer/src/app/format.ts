/** Numbers as people read them on a dashboard: 1,234 / 12.3k / 4.5M. */
export function formatCount(value: number): string {
  if (!Number.isFinite(value)) return '–';
  const abs = Math.abs(value);
  if (abs >= 1e6) return `${(value / 1e6).toFixed(abs >= 1e7 ? 0 : 1)}M`;
  if (abs >= 1e4) return `${(value / 1e3).toFixed(abs >= 1e5 ? 0 : 1)}k`;
  return Math.round(value).toLocaleString('en-US');
}

export function formatRate(value: number): string {
  return `${value >= 100 ? formatCount(value) : value.toFixed(value >= 10 ? 0 : 1)}/s`;
}

export function formatMs(value: number | undefined): string {
  if (value === undefined) return '–';
  return value >= 10_000 ? `${(value / 1000).toFixed(0)} s` : value >= 1000 ? `${(value / 1000).toFixed(1)} s` : `${Math.round(value)} ms`;
}

/** An error from the engine (a WireError over the RPC) as code + message. */
export function toProblem(error: unknown): { code: string; message: string } {
  if (typeof error === 'object' && error !== null && 'message' in error) {
    const code = 'code' in error && typeof error.code === 'string' ? error.code : 'ERROR';
    return { code, message: String(error.message) };
  }
  return { code: 'ERROR', message: String(error) };
}
