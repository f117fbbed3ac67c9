import type { StoredProfile } from '../../shared/api/connections';
import type { LabServiceName, LabStatus } from '../../shared/api/lab';
import type { ProfileLookup, ProfileLookupResult, ReferencedProfile } from '../config/profileReferences';

/** The lab's services as pipeline files name them (`"ferry.profile": "lab:mariadb"`). */
export const LAB_PROFILE_NAMES: Partial<Record<LabServiceName, string>> = {
  mariadb: 'lab:mariadb',
  postgres: 'lab:postgres',
  'kafka-a': 'lab:kafka-a',
  'kafka-b': 'lab:kafka-b',
  'registry-a': 'lab:registry-a',
  'registry-b': 'lab:registry-b',
};

function labProfile(name: string, lab: LabStatus | undefined): ProfileLookupResult {
  const service = (Object.entries(LAB_PROFILE_NAMES) as [LabServiceName, string][]).find(([, reference]) => reference === name.toLowerCase())?.[0];
  if (!service) {
    return { problem: `"${name}" is not a lab service`, hint: `The lab's services are ${Object.values(LAB_PROFILE_NAMES).join(', ')}.` };
  }
  const state = lab?.services.find((candidate) => candidate.name === service)?.state;
  if (!lab || state !== 'running') {
    return { problem: `The lab's ${service} is not running (${state ?? 'no lab state'}), so "${name}" has no endpoint`, hint: 'Start it with `ferry lab up` (or Lab in the app), then run again.' };
  }
  switch (service) {
    case 'mariadb':
    case 'postgres': {
      const endpoint = lab.endpoints[service];
      return {
        profile: { kind: 'database', name, product: service === 'mariadb' ? 'mysql' : 'postgres', host: endpoint.host, port: endpoint.port, database: endpoint.database, user: endpoint.user, password: endpoint.password, tls: 'disable' },
      };
    }
    case 'kafka-a':
    case 'kafka-b':
      return { profile: { kind: 'kafka', name, bootstrapServers: lab.endpoints.kafka[service === 'kafka-a' ? 'a' : 'b'].bootstrap, securityProtocol: 'PLAINTEXT' } };
    case 'registry-a':
    case 'registry-b': {
      const registry = lab.endpoints.kafka[service === 'registry-a' ? 'a' : 'b'].schemaRegistry;
      if (!registry) return { problem: `The lab reports no Schema Registry endpoint for ${service}`, hint: 'Run `ferry lab up` again, then run again.' };
      return { profile: { kind: 'schemaRegistry', name, url: registry.url } };
    }
    default:
      return { problem: `The lab's ${service} is not a database, Kafka cluster or Schema Registry`, hint: `Name one of ${Object.values(LAB_PROFILE_NAMES).join(', ')}.` };
  }
}

/**
 * Resolves the names a pipeline file gives in `ferry.profile` / `schema.registry.profile`: saved profiles (by name,
 * ignoring case) with their secrets, and `lab:*` for the running lab's endpoints and passwords.
 */
export function profileLookupOf(profiles: readonly StoredProfile[], secretOf: (id: string) => string | undefined, lab: LabStatus | undefined, secretStorageHint: string): ProfileLookup {
  return {
    secretStorageHint,
    find(name: string): ProfileLookupResult {
      if (name.toLowerCase().startsWith('lab:')) return labProfile(name, lab);
      const profile = profiles.find((candidate) => candidate.name === name) ?? profiles.find((candidate) => candidate.name.toLowerCase() === name.toLowerCase());
      if (!profile) {
        const known = profiles.map((candidate) => `"${candidate.name}"`).join(', ');
        return {
          problem: `No connection profile named "${name}"`,
          hint: known ? `Saved profiles: ${known}; the lab's services are ${Object.values(LAB_PROFILE_NAMES).join(', ')}.` : 'No profile is saved yet: create one in the Connections pane, or name a lab service (lab:mariadb, lab:postgres, lab:kafka-a).',
        };
      }
      if (profile.kind === 'connect') {
        return { problem: `"${profile.name}" is a Kafka Connect profile, which a pipeline does not connect to`, hint: 'Name a database, Kafka or Schema Registry profile here; deploy to a Connect cluster with the editor\'s Deploy (or `ferry deploy --connect`).' };
      }
      const secret = profile.hasSecret ? secretOf(profile.id) : undefined;
      return { profile: referenced(profile, secret) };
    },
  };
}

function referenced(profile: Exclude<StoredProfile, { kind: 'connect' }>, secret: string | undefined): ReferencedProfile {
  switch (profile.kind) {
    case 'database':
      return { kind: 'database', name: profile.name, product: profile.product, host: profile.host, port: profile.port, database: profile.database, user: profile.user, password: secret ?? (profile.user === '' ? '' : undefined), tls: profile.tls };
    case 'kafka':
      return {
        kind: 'kafka',
        name: profile.name,
        bootstrapServers: profile.bootstrapServers,
        securityProtocol: profile.securityProtocol,
        ...(profile.saslMechanism ? { saslMechanism: profile.saslMechanism } : {}),
        ...(profile.saslUsername ? { saslUsername: profile.saslUsername } : {}),
        ...(secret !== undefined ? { saslPassword: secret } : {}),
        ...(profile.sslCaPem ? { hasCaPem: true } : {}),
      };
    case 'schemaRegistry':
      return { kind: 'schemaRegistry', name: profile.name, url: profile.url, ...(profile.basicAuthUser ? { basicAuthUser: profile.basicAuthUser } : {}), ...(secret !== undefined ? { basicAuthPassword: secret } : {}) };
  }
}
