// The shell's window hardening, checked against a stand-in for electron (the binary is not available
// where tests run): the options a BrowserWindow gets and what its web contents allow.
import { beforeEach, describe, expect, it, vi } from 'vitest';

const electron = vi.hoisted(() => {
  type Listener = (...args: any[]) => void;
  const openExternal = vi.fn(async (_url: string) => undefined);
  const windows: any[] = [];
  class FakeWebContents {
    listeners = new Map<string, Listener>();
    windowOpenHandler?: (details: { url: string }) => { action: string };
    permissionHandler?: (contents: unknown, permission: string, callback: (granted: boolean) => void) => void;
    session = { setPermissionRequestHandler: (h: FakeWebContents['permissionHandler']) => (this.permissionHandler = h) };
    on(event: string, listener: Listener) {
      this.listeners.set(event, listener);
      return this;
    }
    setWindowOpenHandler(h: FakeWebContents['windowOpenHandler']) {
      this.windowOpenHandler = h;
    }
    /** Fires an event the way Electron does and reports whether the page's action was prevented. */
    emit(event: string, ...args: unknown[]): boolean {
      let prevented = false;
      this.listeners.get(event)?.({ preventDefault: () => (prevented = true) }, ...args);
      return prevented;
    }
  }
  class BrowserWindow {
    webContents = new FakeWebContents();
    loaded = '';
    constructor(readonly options: any) {
      windows.push(this);
    }
    once() {}
    show() {}
    async loadURL(url: string) {
      this.loaded = url;
    }
  }
  const handlers = new Map<string, (event: any) => unknown>();
  const ipcMain = { handle: (channel: string, fn: (event: any) => unknown) => handlers.set(channel, fn) };
  return { BrowserWindow, shell: { openExternal }, ipcMain, windows, handlers, openExternal };
});

vi.mock('electron', () => ({ BrowserWindow: electron.BrowserWindow, shell: electron.shell, ipcMain: electron.ipcMain }));

const { createMainWindow } = await import('../../../../main/app/window');
const { registerConnectionHandler, CONNECTION_CHANNEL } = await import('../../../../main/app/ipc');

const LAB = 'http://127.0.0.1:45678';

describe('main window', () => {
  beforeEach(() => {
    electron.windows.length = 0;
    electron.openExternal.mockClear();
  });

  it('is sandboxed, context-isolated, without node integration, and loads the lab’s own page', () => {
    const window = createMainWindow(LAB) as any;
    const prefs = window.options.webPreferences;
    expect(prefs).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true, webviewTag: false });
    expect(prefs.preload).toMatch(/preload[\\/]preload\.js$/);
    expect(window.loaded).toBe(`${LAB}/`);
  });

  it('stays on the lab: other origins are blocked in-app and only http(s) links go to the browser', () => {
    const contents = (createMainWindow(LAB) as any).webContents;
    expect(contents.emit('will-navigate', `${LAB}/#/pods`)).toBe(false);
    expect(contents.emit('will-navigate', 'https://kubernetes.io/docs/')).toBe(true);
    expect(contents.emit('will-navigate', 'file:///etc/passwd')).toBe(true);
    expect(electron.openExternal.mock.calls.map((c) => c[0])).toEqual(['https://kubernetes.io/docs/']);
    expect(contents.emit('will-redirect', 'http://127.0.0.1:1/')).toBe(true);
    expect(contents.emit('will-attach-webview')).toBe(true);
  });

  it('denies every new window, opening safe links externally instead', () => {
    const contents = (createMainWindow(LAB) as any).webContents;
    expect(contents.windowOpenHandler({ url: 'https://example.test/x' })).toEqual({ action: 'deny' });
    expect(contents.windowOpenHandler({ url: 'javascript:alert(1)' })).toEqual({ action: 'deny' });
    expect(contents.windowOpenHandler({ url: `${LAB}/` })).toEqual({ action: 'deny' });
    expect(electron.openExternal.mock.calls.map((c) => c[0])).toEqual(['https://example.test/x', `${LAB}/`]);
  });

  it('refuses every permission request (camera, notifications, ...)', () => {
    const contents = (createMainWindow(LAB) as any).webContents;
    const granted: boolean[] = [];
    contents.permissionHandler(contents, 'media', (g: boolean) => granted.push(g));
    contents.permissionHandler(contents, 'notifications', (g: boolean) => granted.push(g));
    expect(granted).toEqual([false, false]);
  });
});

describe('connection IPC', () => {
  const lab = { url: LAB, token: 't0k3n' } as any;

  it('hands URL and token only to frames showing the lab', () => {
    registerConnectionHandler(() => lab);
    const handler = electron.handlers.get(CONNECTION_CHANNEL)!;
    expect(handler({ senderFrame: { url: `${LAB}/` } })).toEqual({ apiUrl: LAB, token: 't0k3n' });
    expect(() => handler({ senderFrame: { url: 'https://evil.test/' } })).toThrow(/refused/);
    expect(() => handler({ senderFrame: null })).toThrow(/refused/);
  });

  it('answers nothing while the lab is not running', () => {
    registerConnectionHandler(() => undefined);
    const handler = electron.handlers.get(CONNECTION_CHANNEL)!;
    expect(() => handler({ senderFrame: { url: `${LAB}/` } })).toThrow(/not running/);
  });
});
