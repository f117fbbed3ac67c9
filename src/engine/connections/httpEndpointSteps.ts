import { probeTcp, probeTls, resolveHost } from './networkProbes';
import type { StepRecorder } from './stepRecorder';

/**
 * The network steps every HTTP service's Test takes before speaking HTTP (Schema Registry, Kafka Connect): DNS, TCP
 * to the URL's port (80/443 when it names none), and for https the TLS handshake with what the certificate says.
 */
export async function recordHttpEndpointSteps(recorder: StepRecorder, url: URL): Promise<void> {
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  const host = url.hostname.replace(/^\[|\]$/g, '');
  await recorder.run('dns', `Resolve ${host}`, async () => {
    const addresses = await resolveHost(host);
    return { outcome: { detail: addresses[0] === host ? 'IP address: no lookup needed.' : `Resolves to ${addresses.join(', ')}.` }, value: addresses };
  });
  await recorder.run('tcp', `TCP connect to ${host}:${port}`, async () => {
    await probeTcp(host, port);
    return { outcome: { detail: 'Port open.' }, value: true };
  });
  if (url.protocol === 'https:') {
    await recorder.run('tls', `TLS handshake with ${host}:${port}`, async () => {
      const info = await probeTls(host, port);
      return { outcome: { detail: `${info.protocol}, ${info.cipher}; certificate for ${info.subject} issued by ${info.issuer}, valid to ${info.validTo}.` }, value: info };
    });
  }
}
