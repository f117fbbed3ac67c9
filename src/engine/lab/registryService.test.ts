import { describe, expect, it } from 'vitest';
import { startEmbeddedSchemaRegistry } from '../schema';
import { labPaths, serviceDir, serviceLogFile } from './paths';
import { DEFAULT_LAB_PORTS, resolvePorts, servicePorts } from './ports';
import { registriesAnsweredElsewhere, registryArgs, registryPaths } from './registryService';

describe('the lab\'s Schema Registry services', () => {
  it('run `ferry registry serve` on their own port with a data directory inside the service directory (how the lab recognises them)', () => {
    const paths = registryPaths('/lab', 'registry-b');
    expect(registryArgs(paths, 28081, '/repo/bin/ferry.mjs')).toEqual(['/repo/bin/ferry.mjs', 'registry', 'serve', '--host', '127.0.0.1', '--port', '28081', '--data', '/lab/registry-b/data']);
    expect(serviceDir(labPaths('/lab'), 'registry-a')).toBe('/lab/registry-a');
    expect(serviceLogFile(labPaths('/lab'), 'registry-a')).toBe('/lab/registry-a/registry.log');
    expect([DEFAULT_LAB_PORTS.registryA, DEFAULT_LAB_PORTS.registryB]).toEqual([18081, 28081]);
    const shifted = resolvePorts({ FERRY_LAB_PORT_OFFSET: '100' });
    expect([servicePorts(shifted, 'registry-a'), servicePorts(shifted, 'registry-b')]).toEqual([[18181], [28181]]);
  });

  it('leave a port to a Schema Registry that already answers there, saying why', async () => {
    const other = await startEmbeddedSchemaRegistry();
    try {
      const answered = await registriesAnsweredElsewhere(['kafka-a', 'registry-a', 'registry-b'], (name) => (name === 'registry-a' ? other.port : 1));
      expect([...answered.keys()]).toEqual(['registry-a']);
      expect(answered.get('registry-a')).toContain(`another Schema Registry already answers at ${other.url}`);
    } finally {
      await other.close();
    }
  });
});
