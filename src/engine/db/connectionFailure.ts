/**
 * Why a database could not be reached, in words, for every driver alike. The drivers say it three ways: mysql2 and
 * pg pass Node's socket error through (`connect ECONNREFUSED 127.0.0.1:3306`, `getaddrinfo EAI_AGAIN db`), while
 * mssql/tedious wraps it (`Failed to connect to 127.0.0.1:1433 - Could not connect (sequence)`, the refusals
 * inside an AggregateError). Sinks, sources, verify, the query pane, the row trace and the Connections Test all
 * describe a connection failure through this one function, so the same fault reads the same everywhere.
 */
import { EngineError } from '../../shared/errors';

export type ConnectionFailureKind = 'refused' | 'host-unknown' | 'dns-unavailable' | 'timeout' | 'unreachable' | 'closed';

export interface ConnectionFailure {
  kind: ConnectionFailureKind;
  /** Lower-case clause, to follow "Cannot connect to …: ". */
  text: string;
  /** What to check. */
  hint: string;
  /** The socket error code found in the chain (ECONNREFUSED, ENOTFOUND, …), for logs and tests. */
  code: string;
}

export interface Endpoint {
  host: string;
  port: number;
}

const CODE_KINDS: Readonly<Record<string, ConnectionFailureKind>> = {
  ECONNREFUSED: 'refused',
  ENOTFOUND: 'host-unknown',
  ENODATA: 'host-unknown',
  EAI_NONAME: 'host-unknown',
  EAI_AGAIN: 'dns-unavailable',
  ETIMEDOUT: 'timeout',
  ETIMEOUT: 'timeout',
  EHOSTUNREACH: 'unreachable',
  ENETUNREACH: 'unreachable',
  EHOSTDOWN: 'unreachable',
  ECONNRESET: 'closed',
  EPIPE: 'closed',
  PROTOCOL_CONNECTION_LOST: 'closed',
};

interface ErrorLink {
  code?: unknown;
  message?: unknown;
  address?: unknown;
  port?: unknown;
  hostname?: unknown;
  cause?: unknown;
  originalError?: unknown;
  errors?: unknown;
}

/** Every error in the chain: `cause`, mssql's `originalError`, and the attempts of an AggregateError. */
function links(error: unknown): ErrorLink[] {
  const out: ErrorLink[] = [];
  const seen = new Set<unknown>();
  const pending: unknown[] = [error];
  while (pending.length > 0 && out.length < 50) {
    const link = pending.shift();
    if (link === null || typeof link !== 'object' || seen.has(link)) continue;
    seen.add(link);
    const like = link as ErrorLink;
    out.push(like);
    pending.push(like.cause, like.originalError);
    if (Array.isArray(like.errors)) pending.push(...(like.errors as unknown[]));
  }
  return out;
}

function codeOf(link: ErrorLink): string | undefined {
  if (typeof link.code === 'string' && link.code in CODE_KINDS) return link.code;
  // Some wrappers keep only the text (`getaddrinfo EAI_AGAIN host`, tedious' "connect ECONNREFUSED …").
  const message = typeof link.message === 'string' ? link.message : '';
  const named = /\b(ECONNREFUSED|ENOTFOUND|ENODATA|EAI_AGAIN|EAI_NONAME|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ECONNRESET)\b/.exec(message);
  return named?.[1];
}

function hostPort(endpoint: Endpoint): string {
  return `${endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host}:${endpoint.port}`;
}

/**
 * The connection failure inside `error`, described for `endpoint` (the host and port the user configured; the
 * socket's own address is used for a refusal, since a host name can resolve to several addresses), or undefined
 * when the error is not about reaching the server (a login refused, a query failing).
 */
export function describeConnectionFailure(error: unknown, endpoint: Endpoint): ConnectionFailure | undefined {
  const chain = links(error);
  let found: { code: string; link: ErrorLink } | undefined;
  for (const link of chain) {
    const code = codeOf(link);
    if (code === undefined) continue;
    // A refusal or DNS answer is more telling than the timeout or reset a wrapper reports around it.
    if (!found || (CODE_KINDS[found.code] === 'timeout' || CODE_KINDS[found.code] === 'closed')) found = { code, link };
  }
  const text = chain.map((link) => (typeof link.message === 'string' ? link.message : '')).join(' ');
  if (!found) {
    // tedious without a socket error inside (older versions, or one that was not kept).
    if (/Could not connect \(sequence\)/i.test(text)) found = { code: 'ECONNREFUSED', link: {} };
    else if (/Failed to connect to .* in \d+ms|timeout expired|connection timeout|Connection terminated due to connection timeout/i.test(text)) found = { code: 'ETIMEDOUT', link: {} };
    else return undefined;
  }
  const kind = CODE_KINDS[found.code] ?? 'closed';
  const where = hostPort(endpoint);
  const host = endpoint.host;
  switch (kind) {
    case 'refused': {
      const address = typeof found.link.address === 'string' && typeof found.link.port === 'number' ? hostPort({ host: found.link.address, port: found.link.port }) : where;
      return {
        kind,
        code: found.code,
        text: `connection refused: nothing listens on ${address}${address === where ? '' : ` (${where})`}`,
        hint: `Check that the server runs and listens on port ${endpoint.port}, and that the host and port are right.`,
      };
    }
    case 'host-unknown':
      return { kind, code: found.code, text: `the host name "${host}" could not be resolved (no such host)`, hint: 'Check the spelling of the host name, or use its IP address.' };
    case 'dns-unavailable':
      return {
        kind,
        code: found.code,
        text: `the host name "${host}" could not be resolved: the DNS server did not answer`,
        hint: 'Check this machine\'s network and DNS settings (a VPN that is down?), or use the IP address.',
      };
    case 'timeout':
      return { kind, code: found.code, text: `no answer from ${where} (timed out)`, hint: 'A firewall may drop the packets, the host may be down, or the port may be wrong.' };
    case 'unreachable':
      return { kind, code: found.code, text: `${where} is unreachable from this machine (no route to the host)`, hint: 'Check the network, VPN or firewall between this machine and the server.' };
    case 'closed': {
      // Closed during the handshake can mean TLS on one side only: keep the driver's words, which say which.
      const said = typeof found.link.message === 'string' && found.link.message !== '' ? ` (${found.link.message})` : '';
      return { kind, code: found.code, text: `${where} closed the connection${said}`, hint: 'The server may be restarting, TLS may be on at one end only, or the port may belong to another service.' };
    }
  }
}

/** `describeConnectionFailure`'s words when it has some, else the driver's own message. */
export function connectionFailureText(error: unknown, endpoint: Endpoint): string {
  const described = describeConnectionFailure(error, endpoint);
  if (described) return described.text;
  return error instanceof Error ? error.message : String(error);
}

/**
 * `error` as the failure to reach `endpoint` in words (code DB_UNREACHABLE, retriable, the driver's error as the
 * cause and `detail.connection` set so failure classification treats it as a connection fault), or `error`
 * itself when it is not about reaching the server (a refused login keeps the driver's precise error).
 */
export function unreachableError(error: unknown, endpoint: Endpoint): unknown {
  const described = describeConnectionFailure(error, endpoint);
  // A connection closed mid-handshake is left as the driver said it: TLS and login checks read its code and text.
  if (!described || described.kind === 'closed') return error;
  return new EngineError('DB_UNREACHABLE', described.text, { retriable: true, cause: error, detail: { connection: true, kind: described.kind, code: described.code, hint: described.hint } });
}

/**
 * Where a connection goes, as a DSN a user can read and paste: `scheme://user@host:port/database`. The user is
 * percent-encoded, so Azure's `user@server` login shows as `user%40server@host`, never with two `@`.
 * Never the password.
 */
export function formatDsn(parts: { scheme: string; user?: string | undefined; host: string; port: number; instanceName?: string | undefined; database?: string | undefined }): string {
  // Only what would break reading the DSN is encoded; `DOMAIN\user` and accented names stay legible.
  const user = parts.user ? `${parts.user.replace(/[%@:/?#\s]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`)}@` : '';
  const host = parts.host.includes(':') ? `[${parts.host}]` : parts.host;
  return `${parts.scheme}://${user}${host}${parts.instanceName ? `\\${parts.instanceName}` : ''}:${parts.port}${parts.database ? `/${parts.database}` : ''}`;
}
