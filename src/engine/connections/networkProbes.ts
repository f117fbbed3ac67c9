import { lookup } from 'node:dns/promises';
import { isIP, Socket } from 'node:net';
import { connect as tlsConnect, type PeerCertificate } from 'node:tls';
import { type ConnectionFailure, describeConnectionFailure } from '../db/connectionFailure';
import { type ConnectionErrorCode, connectionError } from './errors';

/** Every network step gives up after this long, so a Test button never hangs on a silent firewall. */
export const PROBE_TIMEOUT_MS = 5_000;

function withTimeout<T>(promise: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(onTimeout()), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** Resolves a host name; returns the addresses found (an IP literal resolves to itself without a lookup). */
export async function resolveHost(host: string, timeoutMs = PROBE_TIMEOUT_MS): Promise<string[]> {
  const bare = host.replace(/^\[|\]$/g, '');
  if (isIP(bare)) return [bare];
  try {
    const answers = await withTimeout(lookup(bare, { all: true }), timeoutMs, () =>
      connectionError('CONNECTION_DNS', `The DNS lookup of "${bare}" did not answer within ${timeoutMs / 1000} s.`, {
        retriable: true,
        hint: 'Check the network, VPN or proxy settings of this machine.',
      }),
    );
    return answers.map((answer) => answer.address);
  } catch (error) {
    const failure = describeConnectionFailure(error, { host: bare, port: 0 });
    if (failure) throw failureError(failure, error);
    throw error;
  }
}

const FAILURE_CODES: Readonly<Record<ConnectionFailure['kind'], ConnectionErrorCode>> = {
  refused: 'CONNECTION_TCP_REFUSED',
  'host-unknown': 'CONNECTION_DNS',
  'dns-unavailable': 'CONNECTION_DNS',
  timeout: 'CONNECTION_TCP_TIMEOUT',
  unreachable: 'CONNECTION_TCP_UNREACHABLE',
  closed: 'CONNECTION_FAILED',
};

/**
 * A connection failure as a Connections Test step error, in the same words the sinks, sources, verify and the
 * query pane use (db/connectionFailure). A missing host name is final; everything else may pass.
 */
export function failureError(failure: ConnectionFailure, cause: unknown): Error {
  const text = `${failure.text.charAt(0).toUpperCase()}${failure.text.slice(1)}.`;
  return connectionError(FAILURE_CODES[failure.kind], text, { retriable: failure.kind !== 'host-unknown', hint: failure.hint, cause });
}

/** Opens and closes a TCP connection, naming refused, timed out and unreachable apart. */
export function probeTcp(host: string, port: number, timeoutMs = PROBE_TIMEOUT_MS): Promise<void> {
  const where = `${host}:${port}`;
  return new Promise((resolve, reject) => {
    const socket = new Socket();
    const finish = (error?: Error): void => {
      socket.destroy();
      if (error) reject(error);
      else resolve();
    };
    socket.setTimeout(timeoutMs);
    socket.once('connect', () => finish());
    socket.once('timeout', () =>
      finish(
        connectionError('CONNECTION_TCP_TIMEOUT', `No answer from ${where} within ${timeoutMs / 1000} s (TCP connect timed out).`, {
          retriable: true,
          hint: 'A firewall or security group drops the packets, or the address is wrong. Check that this machine may reach that port.',
        }),
      ),
    );
    socket.once('error', (error: NodeJS.ErrnoException) => {
      const failure = describeConnectionFailure(error, { host, port });
      finish(failure ? failureError(failure, error) : connectionError('CONNECTION_FAILED', `TCP connect to ${where} failed: ${error.code ?? error.message}.`, { retriable: true, cause: error }));
    });
    socket.connect({ host: host.replace(/^\[|\]$/g, ''), port });
  });
}

export interface TlsProbeResult {
  protocol: string;
  cipher: string;
  subject: string;
  issuer: string;
  validTo: string;
}

const CERT_REASONS: Record<string, string> = {
  SELF_SIGNED_CERT_IN_CHAIN: 'the certificate chain ends in a self-signed CA this machine does not trust',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'the server presents a self-signed certificate',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'the certificate is signed by a CA this machine does not trust',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'the certificate is signed by a CA this machine does not trust',
  CERT_HAS_EXPIRED: 'the server certificate has expired',
  CERT_NOT_YET_VALID: 'the server certificate is not valid yet (check this machine’s clock)',
  ERR_TLS_CERT_ALTNAME_INVALID: 'the certificate is issued for another host name',
};

function describeName(name: PeerCertificate['subject'] | undefined): string {
  if (!name) return '?';
  const common = name.CN as string | string[] | undefined;
  if (common !== undefined) return Array.isArray(common) ? common.join(', ') : common;
  return Object.values(name).flat().join(', ');
}

/** A TLS handshake on its own, so a certificate problem is reported as such before any protocol runs over it. */
export function probeTls(host: string, port: number, options: { caPem?: string; timeoutMs?: number } = {}): Promise<TlsProbeResult> {
  const timeoutMs = options.timeoutMs ?? PROBE_TIMEOUT_MS;
  const where = `${host}:${port}`;
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({
      host,
      port,
      servername: isIP(host) ? undefined : host,
      ...(options.caPem ? { ca: [options.caPem] } : {}),
      rejectUnauthorized: true,
    });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(
        connectionError('CONNECTION_TLS', `The TLS handshake with ${where} did not finish within ${timeoutMs / 1000} s.`, {
          hint: 'The port probably speaks plaintext: use a PLAINTEXT / non-TLS setting, or the TLS port of the server.',
        }),
      );
    }, timeoutMs);
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      const certificate = socket.getPeerCertificate();
      const result: TlsProbeResult = {
        protocol: socket.getProtocol() ?? '?',
        cipher: socket.getCipher()?.name ?? '?',
        subject: describeName(certificate.subject),
        issuer: describeName(certificate.issuer),
        validTo: certificate.valid_to ?? '?',
      };
      socket.end();
      resolve(result);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      socket.destroy();
      const code = error.code ?? '';
      const reason = CERT_REASONS[code];
      if (reason) {
        reject(
          connectionError('CONNECTION_TLS', `TLS with ${where} failed: ${reason} (${code}).`, {
            hint: code.includes('SELF_SIGNED') || code.includes('ISSUER') || code.includes('LEAF') ? 'Paste the CA certificate (PEM) into the profile.' : 'Check the host name and the server certificate.',
            cause: error,
          }),
        );
      } else if (/wrong version number|packet length too long|unknown protocol|EPROTO|ECONNRESET/i.test(`${code} ${error.message}`)) {
        reject(
          connectionError('CONNECTION_TLS', `${where} does not speak TLS (${code || error.message}).`, {
            hint: 'That port is a plaintext listener: choose PLAINTEXT / SASL_PLAINTEXT (or TLS off), or use the server’s TLS port.',
            cause: error,
          }),
        );
      } else {
        reject(connectionError('CONNECTION_TLS', `TLS with ${where} failed: ${error.message}.`, { cause: error }));
      }
    });
  });
}

/** Splits "host:port" (IPv6 in brackets) into its parts. */
export function splitHostPort(server: string): { host: string; port: number } {
  const index = server.lastIndexOf(':');
  return { host: server.slice(0, index).replace(/^\[|\]$/g, ''), port: Number(server.slice(index + 1)) };
}
