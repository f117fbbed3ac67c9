import type { ProfileTestResult, SchemaRegistryProfile } from '../../shared/api/connections';
import { isEngineError } from '../../shared/errors';
import { SchemaRegistryClient } from '../schema';
import { connectionError } from './errors';
import { recordHttpEndpointSteps } from './httpEndpointSteps';
import { registryOptionsOf } from './resolve';
import { StepRecorder } from './stepRecorder';

function registryFailure(error: unknown): Error {
  if (!isEngineError(error)) return error instanceof Error ? error : new Error(String(error));
  const status = (error.detail as { status?: unknown } | undefined)?.status;
  switch (error.code) {
    case 'SCHEMA_REGISTRY_AUTH':
      return connectionError(status === 403 ? 'CONNECTION_PRIVILEGE' : 'CONNECTION_AUTH', error.message, { cause: error });
    case 'SCHEMA_REGISTRY_UNREACHABLE':
      return connectionError('CONNECTION_FAILED', error.message, { retriable: true, cause: error });
    case 'SCHEMA_REGISTRY_BAD_RESPONSE':
      return connectionError('CONNECTION_PROTOCOL', error.message, { cause: error });
    default:
      return connectionError('CONNECTION_FAILED', error.message, { cause: error });
  }
}

/** DNS → TCP → TLS (https) → GET /subjects with the credentials → the global compatibility level. */
export async function testRegistryProfile(profile: SchemaRegistryProfile, secret: string | undefined): Promise<ProfileTestResult> {
  const recorder = new StepRecorder(secret ? [secret] : []);
  const url = new URL(profile.url);
  if (profile.basicAuthUser && !secret) {
    recorder.note('settings', 'Credentials', {
      status: 'failed',
      code: 'CONNECTION_SETTINGS',
      detail: 'A basic-auth user is set but no password / API secret is stored for this profile.',
      hint: 'Type the secret in the profile and test again.',
    });
    return recorder.result(profile.name, profile.url);
  }
  await recordHttpEndpointSteps(recorder, url);
  const client = new SchemaRegistryClient(registryOptionsOf(profile, secret, 10_000));
  await recorder.run('auth', profile.basicAuthUser ? `List subjects as ${profile.basicAuthUser}` : 'List subjects (no authentication)', async () => {
    try {
      const subjects = await client.listSubjects();
      return { outcome: { detail: `${subjects.length} subject(s)${subjects.length > 0 ? `, e.g. ${subjects.slice(0, 3).join(', ')}` : ''}.` }, value: subjects };
    } catch (error) {
      throw registryFailure(error);
    }
  });
  await recorder.run('registry', 'Read the global compatibility level', async () => {
    try {
      return { outcome: { detail: `Compatibility ${await client.getCompatibility()}.` }, value: true };
    } catch (error) {
      const failure = registryFailure(error);
      if (isEngineError(failure) && failure.code === 'CONNECTION_PRIVILEGE') {
        return { outcome: { status: 'warning', code: 'CONNECTION_PRIVILEGE', detail: 'Not allowed to read the compatibility configuration.' }, value: false };
      }
      throw failure;
    }
  });
  return recorder.result(profile.name, profile.url);
}
