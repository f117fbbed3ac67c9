import { describe, expect, it } from 'vitest';
import { findRepoRoot } from '../base/repoRoot';
import { azuriteArgs, azuriteFingerprintArgs, azuritePaths } from './azurite';
import { registryArgs, registryFingerprintArgs, registryPaths } from './registryService';

// A lab started from one checkout had its registries and Azurite restarted by `ferry lab up` (or a test run) from a
// second checkout, because their fingerprints held the checkout's path: pipelines of the first lost their registry
// mid-run (ECONNREFUSED on 18081). A fingerprint names what the service is, not which copy of the program runs it.
describe('lab service fingerprints are the same from every checkout', () => {
  const root = findRepoRoot(import.meta.url) ?? process.cwd();

  it("a registry's leaves out the path of bin/ferry.mjs, and keeps its port and data directory", () => {
    const paths = registryPaths('/var/lib/ferry/lab', 'registry-a');
    expect(registryArgs(paths, 18081).join(' ')).toContain(root);
    const parts = registryFingerprintArgs(paths, 18081).join(' ');
    expect(parts).not.toContain(root);
    expect(parts).toContain('18081');
    expect(parts).toContain(paths.dataDir);
    expect(registryFingerprintArgs(paths, 18082)).not.toEqual(registryFingerprintArgs(paths, 18081));
  });

  it("Azurite's names the package's version instead of the checkout's node_modules", () => {
    const paths = azuritePaths('/var/lib/ferry/lab/azurite');
    expect(azuriteArgs(paths, 10100)[0]).toContain(root);
    const parts = azuriteFingerprintArgs(paths, 10100);
    expect(parts.join(' ')).not.toContain(root);
    expect(parts[0]).toMatch(/^azurite@\d+\.\d+\.\d+/);
    expect(parts.slice(1)).toEqual(azuriteArgs(paths, 10100).slice(1));
  });
});
