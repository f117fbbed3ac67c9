/**
 * Links between panes that carry what to open: `#messages/<topic>` (the message viewer reads it) and
 * `#query/<database id>/<table>` (the query pane selects that database on the matching side and a SELECT of the
 * table). Ids and names are URI-encoded, since database ids contain slashes.
 */
export function messagesLink(topic: string): string {
  return `#messages/${encodeURIComponent(topic)}`;
}

export function queryLink(databaseId: string, table: string): string {
  return `#query/${encodeURIComponent(databaseId)}/${encodeURIComponent(table)}`;
}

/** The database id of a pipeline connector, as the query pane lists it. */
export function pipelineDatabaseId(pipeline: string, connector: string): string {
  return `pipeline/${pipeline}/${connector}`;
}

export function parseQueryLink(hash: string): { database: string; table: string } | undefined {
  const match = /^#?query\/([^/]+)\/([^/]+)$/.exec(hash);
  if (!match) return undefined;
  try {
    return { database: decodeURIComponent(match[1] as string), table: decodeURIComponent(match[2] as string) };
  } catch {
    return undefined;
  }
}
