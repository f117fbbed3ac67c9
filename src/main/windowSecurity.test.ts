import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isAppUrl, isPermissionGranted, rendererEntry } from './windowSecurity';

const RENDERER_FILE = pathToFileURL('/opt/Ferry/resources/app/out/renderer/index.html').href;

// Issue 11, item 4: a packaged build loaded any ELECTRON_RENDERER_URL with the preload (and so the API) attached,
// and the window granted every permission a page asked for.
describe('the desktop window', () => {
  it('loads a dev server URL only in development, and only a loopback http one', () => {
    expect(rendererEntry('http://localhost:5173/', false)).toEqual({ kind: 'url', url: 'http://localhost:5173/' });
    expect(rendererEntry('http://127.0.0.1:5173', false)).toEqual({ kind: 'url', url: 'http://127.0.0.1:5173/' });
    expect(rendererEntry('http://localhost:5173/', true)).toEqual({ kind: 'file' });
    expect(rendererEntry('https://evil.example/', false)).toEqual({ kind: 'file' });
    expect(rendererEntry('http://evil.example:5173/', false)).toEqual({ kind: 'file' });
    expect(rendererEntry('file:///tmp/evil.html', false)).toEqual({ kind: 'file' });
    expect(rendererEntry('not a url', false)).toEqual({ kind: 'file' });
    expect(rendererEntry(undefined, false)).toEqual({ kind: 'file' });
  });

  it('denies every permission but clipboard writes from its own page', () => {
    const file = { kind: 'file' } as const;
    expect(isPermissionGranted('clipboard-sanitized-write', RENDERER_FILE, file, RENDERER_FILE)).toBe(true);
    expect(isPermissionGranted('clipboard-sanitized-write', `${RENDERER_FILE}#query`, file, RENDERER_FILE)).toBe(true);
    for (const permission of ['media', 'geolocation', 'notifications', 'openExternal', 'clipboard-read', 'hid', 'serial', 'usb', 'fullscreen', 'unknown']) {
      expect(isPermissionGranted(permission, RENDERER_FILE, file, RENDERER_FILE), permission).toBe(false);
    }
    expect(isPermissionGranted('clipboard-sanitized-write', 'file:///tmp/other.html', file, RENDERER_FILE)).toBe(false);
    expect(isPermissionGranted('clipboard-sanitized-write', 'https://evil.example/', file, RENDERER_FILE)).toBe(false);
    const dev = rendererEntry('http://localhost:5173/', false);
    expect(isPermissionGranted('clipboard-sanitized-write', 'http://localhost:5173/#lab', dev, RENDERER_FILE)).toBe(true);
    expect(isPermissionGranted('clipboard-sanitized-write', 'http://localhost:5174/', dev, RENDERER_FILE)).toBe(false);
    expect(isAppUrl('', file, RENDERER_FILE)).toBe(false);
  });
});
