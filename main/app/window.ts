// The dashboard window: the renderer is untrusted web content that talks HTTP to the lab, so it gets
// no Node, a sandbox, isolated context, and no way to navigate or open windows inside the app.
import { BrowserWindow, shell, type WebContents } from 'electron';
import { join } from 'node:path';
import { externalLinkTarget, isLabPage } from './url-policy';

function openExternally(url: string): void {
  const target = externalLinkTarget(url);
  if (target) void shell.openExternal(target);
}

/** Same-origin navigation (the dashboard's own links) stays; other http(s) links open in the browser. */
export function guardNavigation(contents: WebContents, labUrl: string): void {
  contents.on('will-navigate', (event, url) => {
    if (isLabPage(url, labUrl)) return;
    event.preventDefault();
    openExternally(url);
  });
  contents.on('will-redirect', (event, url) => {
    if (!isLabPage(url, labUrl)) event.preventDefault();
  });
  contents.setWindowOpenHandler(({ url }) => {
    openExternally(url);
    return { action: 'deny' };
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
}

export function createMainWindow(labUrl: string): BrowserWindow {
  const window = new BrowserWindow({
    width: 1280,
    height: 820,
    minWidth: 800,
    minHeight: 560,
    title: 'Bosun',
    show: false,
    webPreferences: {
      preload: join(__dirname, '../preload/preload.js'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
    },
  });
  guardNavigation(window.webContents, labUrl);
  window.once('ready-to-show', () => window.show());
  void window.loadURL(`${labUrl}/`);
  return window;
}
