import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { IEngineApi } from '../../shared/api';
import { isEngineError } from '../../shared/errors';
import { defaultDataDir, readJsonFile, writeJsonFileDurably } from '../store';
import { startWebHost, type WebHost } from './wsHost';

interface WebHostStateFile {
  version: 1;
  port: number;
  token: string;
}

export interface WorkspaceWebHostOptions {
  engine: IEngineApi;
  rendererDir: string;
  /** `--port`: wins over the remembered port. */
  port?: number;
  dataDir?: string;
}

export interface WorkspaceWebHost extends WebHost {
  /** Set when the remembered port was taken and another one was chosen (an open tab then needs the new URL). */
  portChanged?: { from: number; to: number };
}

/** Where the web host of a workspace remembers its port and token: `<data dir>/web/host.json`, mode 0600. */
export function webHostStateFile(dataDir: string = defaultDataDir()): string {
  return join(dataDir, 'web', 'host.json');
}

function readState(file: string): WebHostStateFile | undefined {
  try {
    const value = readJsonFile(file) as Partial<WebHostStateFile> | undefined;
    if (value?.version !== 1 || typeof value.token !== 'string' || !/^[A-Za-z0-9_-]{32,}$/.test(value.token)) return undefined;
    const port = Number.isInteger(value.port) && (value.port as number) > 0 && (value.port as number) < 65536 ? (value.port as number) : 0;
    return { version: 1, port, token: value.token };
  } catch {
    // A damaged file costs a new token and port, nothing more.
    return undefined;
  }
}

/**
 * `ferry web` / `npm start` for a workspace: the same port and token as the last run (kept in a 0600 file beside the
 * workspace), so a tab left open reconnects when the host comes back. The token is still required on every API
 * socket and the Origin check is unchanged; what changes is that a token lives as long as the workspace's file, not one
 * launch. A remembered port another program took is replaced by a free one, and the caller says so.
 */
export async function startWorkspaceWebHost(options: WorkspaceWebHostOptions): Promise<WorkspaceWebHost> {
  const file = webHostStateFile(options.dataDir);
  const remembered = readState(file);
  const token = remembered?.token ?? randomBytes(24).toString('base64url');
  const wanted = options.port ?? remembered?.port ?? 0;
  let host: WebHost;
  let portChanged: WorkspaceWebHost['portChanged'];
  try {
    host = await startWebHost({ engine: options.engine, rendererDir: options.rendererDir, port: wanted, token });
  } catch (error) {
    // Only a remembered port is given up silently; a port the user asked for is theirs to change.
    if (!(isEngineError(error) && error.code === 'WEB_PORT_BUSY') || options.port !== undefined || wanted === 0) throw error;
    host = await startWebHost({ engine: options.engine, rendererDir: options.rendererDir, port: 0, token });
    portChanged = { from: wanted, to: host.port };
  }
  writeJsonFileDurably(file, { version: 1, port: host.port, token } satisfies WebHostStateFile);
  return Object.assign(host, portChanged ? { portChanged } : {});
}
