import { readFile } from 'node:fs/promises';
import { type PipelineParseResult, readConfigFiles } from '../config';
import { ConnectionsService } from '../connections';
import { createLab } from '../lab';
import { cliProfileLookup } from './cliSecrets';

const NAMES_PROFILE = /ferry\.profile|schema\.registry\.profile/;

/**
 * Reads configuration files as `ferry run` and `ferry validate` do, resolving `ferry.profile` references against the
 * app's saved profiles (`$FERRY_DATA_DIR`) and the running lab, so a file saved from the app runs as it is. Secrets
 * the app keeps only in its memory or the OS keychain are not readable here: they come from FERRY_PROFILE_SECRET_<NAME>,
 * and without it the problem says "password not stored", why, and that variable's name.
 */
export async function readConfigFilesWithProfiles(paths: readonly string[], options: { dataDir?: string } = {}): Promise<PipelineParseResult> {
  const texts = await Promise.all(paths.map((path) => readFile(path, 'utf8').catch(() => '')));
  if (!texts.some((text) => NAMES_PROFILE.test(text))) return readConfigFiles(paths);
  const connections = new ConnectionsService(options.dataDir === undefined ? {} : { dataDir: options.dataDir });
  const lab = createLab();
  try {
    const labStatus = await lab.status().catch(() => undefined);
    // Passwords the app keeps in the OS keychain or its memory come from FERRY_PROFILE_SECRET_<NAME> here (cliSecrets.ts).
    return await readConfigFiles(paths, { profiles: cliProfileLookup(connections.profileLookup(labStatus), options.dataDir === undefined ? {} : { dataDir: options.dataDir }) });
  } finally {
    connections.dispose();
    lab.dispose();
  }
}
