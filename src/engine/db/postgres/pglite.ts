/**
 * Whether `SELECT version()` came from PGlite (PostgreSQL in WebAssembly, the demo's databases): it takes no
 * COPY FROM STDIN over its socket, so the sink must never stage rows there and Test connection says so.
 */
export function isPGliteVersion(version: string): boolean {
  return /\bPGlite\b/.test(version);
}
