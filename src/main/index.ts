import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { app, BrowserWindow, session, shell, type WebContents } from 'electron';
import { createEngine, setLogSink, stderrSink } from '../engine/index';
import type { IEngineApi } from '../shared/api';
import { ENGINE_API_MEMBERS } from '../shared/api/members';
import { serveRpc } from '../shared/rpc/server';
import { createIpcServerTransport } from './ipcTransport';
import { createSafeStorageProtector } from './secretProtector';
import { isPermissionGranted, rendererEntry } from './windowSecurity';

const here = fileURLToPath(new URL('.', import.meta.url));

/** Same policy as the web host: our own scripts only, no remote content. */
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

const windows = new Set<WebContents>();
const RENDERER_FILE = join(here, '../renderer/index.html');
// Decided before any window exists: a packaged app never honours ELECTRON_RENDERER_URL.
const RENDERER_ENTRY = rendererEntry(process.env.ELECTRON_RENDERER_URL, app.isPackaged);

function createWindow(): BrowserWindow {
  const window = new BrowserWindow({
    width: 1280,
    height: 820,
    title: 'Ferry',
    show: false,
    webPreferences: {
      preload: join(here, '../preload/index.cjs'),
      contextIsolation: true,
      nodeIntegration: false,
      sandbox: true,
      webSecurity: true,
    },
  });
  const contents = window.webContents;
  windows.add(contents);
  contents.once('destroyed', () => windows.delete(contents));
  window.once('ready-to-show', () => window.show());
  // Links open in the user's browser; the app window never navigates away from the renderer.
  contents.setWindowOpenHandler(({ url }) => {
    if (/^https?:/.test(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  contents.on('will-navigate', (event) => event.preventDefault());

  // The app uses no <webview>; refusing them keeps a page from embedding content with its own preferences.
  contents.on('will-attach-webview', (event) => event.preventDefault());

  if (RENDERER_ENTRY.kind === 'url') void window.loadURL(RENDERER_ENTRY.url);
  else void window.loadFile(RENDERER_FILE);
  return window;
}

async function main(): Promise<void> {
  setLogSink(stderrSink, 'info');
  await app.whenReady();
  const rendererFileUrl = pathToFileURL(RENDERER_FILE).href;
  // Deny by default: the app needs no device, location or notification; clipboard writes only from its own page.
  session.defaultSession.setPermissionRequestHandler((_contents, permission, callback, details) =>
    callback(isPermissionGranted(permission, details.requestingUrl, RENDERER_ENTRY, rendererFileUrl)),
  );
  session.defaultSession.setPermissionCheckHandler((_contents, permission, requestingOrigin, details) =>
    isPermissionGranted(permission, details.requestingUrl ?? requestingOrigin, RENDERER_ENTRY, rendererFileUrl),
  );
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CSP] } });
  });
  const secretProtector = createSafeStorageProtector();
  const engine = createEngine({ host: 'electron', ...(secretProtector ? { secretProtector } : {}) });
  const serving = serveRpc<IEngineApi>(engine, ENGINE_API_MEMBERS, createIpcServerTransport((sender) => windows.has(sender)));
  createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('will-quit', () => {
    serving.dispose();
    engine.dispose();
  });
}

void main();
