import { app, BrowserWindow, ipcMain, nativeTheme, session, shell } from 'electron';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { INVOKE_CHANNELS } from '../../shared/ipc.ts';
import { createBackend, type Backend } from '../backend/index.ts';
import { systemClock, type Logger } from '../backend/types.ts';
import { createFileLogger } from '../backend/log/logger.ts';
import { withEnvKeys } from '../backend/secrets/env-secrets.ts';
import { nodeResolveHost } from '../backend/net/resolve.ts';
import { contentSecurityPolicy } from '../../shared/csp.ts';
import { externalOpenTarget, isAllowedNavigation, isAllowedPermission, type AppOrigin } from './sender-check.ts';
import { guardedInvoke } from './ipc.ts';
import { resolveOverrides } from './dev-overrides.ts';
import { openSettingsStore, openStore } from './platform/store.ts';
import { createStoreSettings } from './platform/settings.ts';
import { createSafeStorageSecrets } from './platform/secrets.ts';
import { handleMediaProtocol, registerMediaScheme } from './platform/media-protocol.ts';
import { createElectronPlatform } from './platform/os.ts';
import { initialBounds, trackWindowState } from './platform/window-state.ts';
import { installAppMenu } from './platform/menu.ts';
import { startUtilityWorker } from './platform/utility-worker.ts';

// The composition root (docs/ARCHITECTURE.md, "Runtime map"): the only place that wires Electron to the Electron-free backend.
// Bundled by scripts/build-electron.mjs to out/main/index.js, next to out/preload and out/renderer.

const here = path.dirname(fileURLToPath(import.meta.url));
const PRELOAD = path.join(here, '../preload/index.cjs');
const INDEX_HTML = path.join(here, '../renderer/index.html');
// A packaged app ignores the development overrides (dev-overrides.ts); the decision is made once, here.
const overrides = resolveOverrides({ isPackaged: app.isPackaged, env: process.env });
const DEV_SERVER_URL = overrides.devServerUrl;
const origin: AppOrigin = { indexFileUrl: pathToFileURL(INDEX_HTML).href, devServerUrl: DEV_SERVER_URL };

registerMediaScheme();
// Same variable as the CLI and browser mode, so `npm run demo` and tests can point the app at a temp dir.
if (process.env.KILN_DATA_DIR) app.setPath('userData', path.resolve(process.env.KILN_DATA_DIR));

if (!app.requestSingleInstanceLock()) {
  // A second copy would open the same SQLite history and follow the same predictions twice.
  app.quit();
} else {
  let win: BrowserWindow | null = null;
  let backend: Backend | null = null;
  let log: Logger = createFileLogger({ dir: null });

  app.on('second-instance', () => {
    if (!win) return;
    if (win.isMinimized()) win.restore();
    win.focus();
  });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });

  let stopping = false;
  app.on('before-quit', (e) => {
    if (!backend || stopping) return;
    // Let the engine persist what it is doing before the process goes away.
    e.preventDefault();
    stopping = true;
    const b = backend;
    backend = null;
    void b
      .stop()
      .catch((err: unknown) => log.error('backend stop failed', { err: String(err) }))
      .finally(() => app.quit());
  });

  // Every web content we create follows the same rules (docs/ARCHITECTURE.md, "Where each rule lives").
  app.on('web-contents-created', (_e, contents) => {
    contents.on('will-navigate', (ev, url) => {
      if (!isAllowedNavigation(url, origin)) ev.preventDefault();
    });
    contents.on('will-redirect', (ev, url) => {
      if (!isAllowedNavigation(url, origin)) ev.preventDefault();
    });
    contents.on('will-attach-webview', (ev) => ev.preventDefault());
    contents.setWindowOpenHandler(({ url }) => {
      const target = externalOpenTarget(url);
      if (target) void shell.openExternal(target);
      return { action: 'deny' };
    });
  });

  void app.whenReady().then(async () => {
    // The logger exists before the secrets adapter (which logs), so it asks for the known keys lazily.
    let known: () => readonly string[] = () => [];
    // In the data folder, like browser mode and the CLI: one place to look (README "Where your data lives").
    log = createFileLogger({ dir: path.join(app.getPath('userData'), 'logs'), knownSecrets: () => known() });
    const store = openStore(log);
    if (overrides.ignored.length) log.warn('packaged app: development overrides ignored', { variables: overrides.ignored });
    // REPLICATE_API_TOKEN and FAL_KEY win, exactly as outside Electron (the demo runs both providers with them).
    const secrets = withEnvKeys(await createSafeStorageSecrets(store, log), process.env);
    known = () => secrets.knownValues();
    const settings = createStoreSettings(openSettingsStore(app.getPath('userData'), log), log);

    const platform = createElectronPlatform(
      () => win,
      () => {
        win?.show();
        win?.focus();
      },
    );
    backend = await createBackend({
      dataDir: app.getPath('userData'),
      fetch: globalThis.fetch.bind(globalThis),
      resolveHost: nodeResolveHost(),
      clock: systemClock,
      secrets,
      settings,
      log,
      platform,
      startWorker: startUtilityWorker,
      mode: 'electron',
      appVersion: app.getVersion(),
      replicateBaseUrl: overrides.replicateBaseUrl,
      falBases: overrides.falBases,
    });
    const b = backend;

    const ses = session.defaultSession;
    ses.setPermissionRequestHandler((_wc, permission, callback) => callback(isAllowedPermission(permission)));
    ses.setPermissionCheckHandler((_wc, permission) => isAllowedPermission(permission));
    ses.webRequest.onHeadersReceived((details, callback) => {
      // file:// pages carry the meta CSP in index.html; this covers the dev server too.
      const headers = { ...details.responseHeaders };
      if (details.resourceType === 'mainFrame') headers['Content-Security-Policy'] = [electronCsp()];
      callback({ responseHeaders: headers });
    });

    handleMediaProtocol(() => b.services.vault.root);

    const invoke = guardedInvoke(
      (channel, payload) => b.invoke(channel, payload),
      origin,
      (channel, frameUrl, why) =>
        log.warn(why ? `ipc: refused call (${why})` : 'ipc: refused call from an untrusted frame', { channel, frameUrl: String(frameUrl).slice(0, 200) }),
    );
    // One handler per contract channel: the preload can only reach these, and each checks its sender.
    for (const channel of INVOKE_CHANNELS) {
      ipcMain.handle(channel, (event, payload: unknown) =>
        invoke(channel, { frameUrl: event.senderFrame?.url, isTopFrame: !!event.senderFrame && event.senderFrame === event.sender.mainFrame }, payload),
      );
    }
    b.on((event, payload) => {
      if (win && !win.isDestroyed()) win.webContents.send(event, payload);
    });

    installAppMenu();
    await b.start();
    createWindow();
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) createWindow();
    });

    function createWindow() {
      const state = initialBounds(store);
      win = new BrowserWindow({
        ...state.bounds,
        minWidth: 720,
        minHeight: 480,
        show: false,
        title: 'Kiln',
        // Matches the renderer's theme background so the window does not flash white in dark mode.
        backgroundColor: nativeTheme.shouldUseDarkColors ? '#141312' : '#f6f5f3',
        webPreferences: {
          preload: PRELOAD,
          contextIsolation: true,
          sandbox: true,
          nodeIntegration: false,
          webSecurity: true,
          allowRunningInsecureContent: false,
          spellcheck: true,
        },
      });
      if (state.maximized) win.maximize();
      trackWindowState(win, store);
      win.once('ready-to-show', () => win?.show());
      win.on('closed', () => (win = null));
      if (DEV_SERVER_URL) void win.loadURL(DEV_SERVER_URL);
      else void win.loadFile(INDEX_HTML);
    }
  });
}

function electronCsp(): string {
  // Same policy as browser mode minus its WebSocket (in Electron all networking is in main), plus our media scheme.
  return contentSecurityPolicy({ connectSrc: [], mediaSchemes: ['kiln-media:'] });
}
