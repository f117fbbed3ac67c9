/** A PostgreSQL identifier in double quotes, embedded quotes doubled: case kept, any name. */
export function quotePostgresIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
