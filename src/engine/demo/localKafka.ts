import type { DemoLocalKafka } from '../../shared/api/demo';
import { DEBIAN_PACKAGES, findBinary } from '../lab/binaries';
import type { Env } from '../lab/paths';

/**
 * Whether the lab's Kafka "a" can serve the demo: it runs already, or Java and Maven are there to start it. When
 * they are missing the message names them and the Debian packages, and points at the alternative (an existing
 * cluster), because the demo itself needs nothing else.
 */
export function localKafkaReadiness(running: boolean, env: Env, binDirs: readonly string[]): DemoLocalKafka {
  const missing = (['java', 'mvn'] as const)
    .filter((binary) => findBinary(binary, env, binDirs) === undefined)
    .map((binary) => ({ binary, debianPackage: DEBIAN_PACKAGES[binary] }));
  if (running || missing.length === 0) return { available: true, running, missing: running ? [] : missing };
  const names = missing.map((entry) => (entry.binary === 'mvn' ? 'Maven (mvn)' : 'Java 17+ (java)')).join(' and ');
  return {
    available: false,
    running,
    missing,
    message:
      `The local Kafka needs ${names}, which ${missing.length === 1 ? 'is' : 'are'} not installed on this machine ` +
      `(Debian/Ubuntu: sudo apt-get install ${missing.map((entry) => entry.debianPackage).join(' ')}). ` +
      'Install and try again, or connect the demo to a Kafka cluster you already have.',
  };
}
