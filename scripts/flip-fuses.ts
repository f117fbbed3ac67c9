/**
 * Sets Electron's fuses in a packaged Ferry (run: npm run fuses -- <path to the packaged executable or .app> [--asar]).
 * Fuses are bits in the Electron binary itself, read before any JavaScript runs, so they hold even against someone who
 * controls the environment the app starts in. This repo has no packager yet: whoever packages the app runs this on the
 * packaged executable before signing it (with electron-builder, from an afterPack hook).
 *
 * - RunAsNode off: ELECTRON_RUN_AS_NODE cannot turn the signed app into a plain Node.js that runs any script.
 * - NODE_OPTIONS and --inspect/--remote-debugging arguments ignored: nobody injects code or a debugger at start-up.
 * - Cookie encryption on: whatever the session stores in cookies is encrypted with the OS keychain.
 * - With --asar (when the packager builds an app.asar): the app loads only from the asar and checks its integrity.
 * - File protocol privileges kept: the renderer is loaded from file:// as ES modules, which needs them.
 */
import { pathToFileURL } from 'node:url';
import { flipFuses, FuseV1Options, FuseVersion, type FuseV1Config } from '@electron/fuses';

export function ferryFuses(options: { asar: boolean }): FuseV1Config {
  return {
    version: FuseVersion.V1,
    [FuseV1Options.RunAsNode]: false,
    [FuseV1Options.EnableCookieEncryption]: true,
    [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
    [FuseV1Options.EnableNodeCliInspectArguments]: false,
    [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: options.asar,
    [FuseV1Options.OnlyLoadAppFromAsar]: options.asar,
    [FuseV1Options.LoadBrowserProcessSpecificV8Snapshot]: false,
    [FuseV1Options.GrantFileProtocolExtraPrivileges]: true,
  };
}

async function main(args: readonly string[]): Promise<number> {
  const asar = args.includes('--asar');
  const paths = args.filter((arg) => arg !== '--asar');
  if (paths.length !== 1 || paths[0] === undefined || paths[0].startsWith('-')) {
    process.stderr.write('usage: npm run fuses -- <path to the packaged Ferry executable or Ferry.app> [--asar]\n');
    return 2;
  }
  try {
    const wires = await flipFuses(paths[0], ferryFuses({ asar }));
    process.stdout.write(`set Ferry's fuses in ${paths[0]} (${wires} fuse wire${wires === 1 ? '' : 's'}${asar ? ', asar only and integrity-checked' : ''})\n`);
    return 0;
  } catch (error) {
    process.stderr.write(`could not set the fuses of ${paths[0]}: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv.slice(2));
}
