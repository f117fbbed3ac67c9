export interface SystemInfo {
  version: string;
  /** Which host serves the API: the Electron main process or the web host. */
  host: 'electron' | 'web' | 'cli' | 'test';
  node: string;
  platform: string;
}

export interface ISystemApi {
  info(): Promise<SystemInfo>;
}
