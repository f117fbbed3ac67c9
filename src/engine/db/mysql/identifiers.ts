/** A MySQL/MariaDB identifier in backticks, embedded backticks doubled: any name, as the server spells it. */
export function quoteMySqlIdentifier(name: string): string {
  return `\`${name.replaceAll('`', '``')}\``;
}
