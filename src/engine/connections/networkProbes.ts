import { lookup } from 'node:dns/promises';
import { isIP, Socket } from 'node:net';
import { connect as tlsConnect, type PeerCertificate } from 'node:tls';
import { connectionError } from './errors';

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
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOTFOUND' || code === 'ENODATA') {
      throw connectionError('CONNECTION_DNS', `Host "${bare}" does not resolve (DNS ${code}): no such name.`, {
        hint: 'Check the host name for typos; for a cloud service copy it again from its console.',
        cause: error,
      });
    }
    if (code === 'EAI_AGAIN') {
      throw connectionError('CONNECTION_DNS', `The DNS server did not answer for "${bare}" (EAI_AGAIN).`, {
        retriable: true,
        hint: 'Check this machine’s network connection and DNS settings (VPN?).',
        cause: error,
      });
    }
    throw error;
  }
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
      if (error.code === 'ECONNREFUSED') {
        finish(
          connectionError('CONNECTION_TCP_REFUSED', `${where} refused the TCP connection (ECONNREFUSED): nothing listens on that port.`, {
            retriable: true,
            hint: 'Is the server running, and is the port right?',
            cause: error,
          }),
        );
      } else if (error.code === 'EHOSTUNREACH' || error.code === 'ENETUNREACH') {
        finish(
          connectionError('CONNECTION_TCP_UNREACHABLE', `No route to ${where} (${error.code}).`, {
            retriable: true,
            hint: 'The network path is missing: VPN not connected, or a private address reachable only from elsewhere.',
            cause: error,
          }),
        );
      } else {
        finish(connectionError('CONNECTION_FAILED', `TCP connect to ${where} failed: ${error.code ?? error.message}.`, { retriable: true, cause: error }));
      }
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
