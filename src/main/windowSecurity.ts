/**
 * The desktop window's security decisions, as pure functions so they are unit-tested without Electron's binary
 * (which our build machines cannot download). src/main/index.ts wires them to Electron.
 */

/** Where the window loads the renderer from. */
export type RendererEntry = { kind: 'file' } | { kind: 'url'; url: string };

/**
 * electron-vite's dev server URL (ELECTRON_RENDERER_URL) only in development. A packaged app ignores it: otherwise
 * anyone who can set an environment variable for the app makes it load any page with the preload, and so the whole
 * engine API, attached. In development it must still be a loopback http URL, which is all the dev server serves.
 */
export function rendererEntry(devServerUrl: string | undefined, isPackaged: boolean): RendererEntry {
  if (isPackaged || devServerUrl === undefined || devServerUrl === '') return { kind: 'file' };
  let url: URL;
  try {
    url = new URL(devServerUrl);
  } catch {
    return { kind: 'file' };
  }
  const loopback = url.hostname === 'localhost' || url.hostname === '127.0.0.1' || url.hostname === '[::1]';
  return url.protocol === 'http:' && loopback ? { kind: 'url', url: url.href } : { kind: 'file' };
}

/**
 * Permissions the renderer may use: writing plain text to the clipboard (the copy buttons and Ctrl+C in the grids),
 * and only for the app's own page. Everything else (camera, microphone, geolocation, notifications, HID/serial/USB,
 * opening external protocols…) is denied: the app needs none of it, and a denial cannot be abused.
 */
const GRANTED_PERMISSIONS: ReadonlySet<string> = new Set(['clipboard-sanitized-write']);

/** Whether a URL belongs to the app's own renderer: its index.html file, or in development the dev server's origin. */
export function isAppUrl(url: string, entry: RendererEntry, rendererFileUrl: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (entry.kind === 'url') return parsed.origin === new URL(entry.url).origin;
  return parsed.protocol === 'file:' && parsed.pathname === new URL(rendererFileUrl).pathname;
}

/** The answer to a permission request or check: granted only for the short list above, and only to the app's page. */
export function isPermissionGranted(permission: string, requestingUrl: string, entry: RendererEntry, rendererFileUrl: string): boolean {
  return GRANTED_PERMISSIONS.has(permission) && isAppUrl(requestingUrl, entry, rendererFileUrl);
}
