/** A SQL Server identifier in brackets, an embedded `]` doubled: any name. */
export function quoteSqlServerIdentifier(name: string): string {
  return `[${name.replaceAll(']', ']]')}]`;
}
