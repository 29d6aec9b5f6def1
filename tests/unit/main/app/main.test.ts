// The Electron entry's lifecycle against stand-ins for electron and the lab: where the lab keeps its
// data, what the user sees when it cannot start, and that quitting waits for the lab to stop.
import { beforeEach, describe, expect, it, vi } from 'vitest';

const fakes = vi.hoisted(() => {
  const listeners = new Map<string, (...args: any[]) => void>();
  const app = {
    lock: true,
    requestSingleInstanceLock: vi.fn(() => app.lock),
    on: vi.fn((event: string, fn: (...args: any[]) => void) => listeners.set(event, fn)),
    whenReady: vi.fn(() => Promise.resolve()),
    getPath: vi.fn((_name: string) => '/home/u/.config/Bosun'),
    getVersion: () => '0.1.0',
    quit: vi.fn(),
    exit: vi.fn(),
  };
  const dialog = { showErrorBox: vi.fn() };
  const startLab = vi.fn();
  const createMainWindow = vi.fn(() => ({ on: vi.fn(), isMinimized: () => false, focus: vi.fn(), restore: vi.fn() }));
  return { app, dialog, listeners, startLab, createMainWindow };
});

vi.mock('electron', () => ({ app: fakes.app, dialog: fakes.dialog, ipcMain: { handle: vi.fn() }, Menu: { setApplicationMenu: vi.fn(), buildFromTemplate: vi.fn() }, shell: {} }));
vi.mock('../../../../main/lab', () => ({ startLab: fakes.startLab, DEFAULT_NODES: 3, DEFAULT_PAUSE_IMAGE: 'registry.k8s.io/pause:3.10' }));
vi.mock('../../../../main/app/window', () => ({ createMainWindow: fakes.createMainWindow }));
// The tray follows the lab through API watches (tested in tray tests); here it only has to exist.
vi.mock('../../../../main/app/tray', () => ({ LabTray: class { follow(): void {} destroy(): void {} } }));

const flush = () => new Promise((r) => setTimeout(r, 0));

async function boot(): Promise<void> {
  vi.resetModules();
  fakes.listeners.clear();
  await import('../../../../main/app/main');
  // Start-up reads the saved settings from disk first: wait until it has either opened the window,
  // reported a failure, or (second instance) quit — however long the file system takes.
  await vi.waitFor(() => {
    const settled = fakes.createMainWindow.mock.calls.length + fakes.dialog.showErrorBox.mock.calls.length + fakes.app.quit.mock.calls.length;
    if (settled === 0) throw new Error('the entry has not settled yet');
  });
  await flush();
}

describe('Electron entry', () => {
  beforeEach(() => {
    vi.clearAllMocks();
    fakes.app.lock = true;
  });

  it('starts the lab under userData on any free port, then opens the window at its URL', async () => {
    fakes.startLab.mockResolvedValue({ url: 'http://127.0.0.1:40001', token: 't', stop: vi.fn(async () => undefined) });
    await boot();
    expect(fakes.app.getPath).toHaveBeenCalledWith('userData');
    const options = fakes.startLab.mock.calls[0][0];
    expect(options).toMatchObject({ dataDir: '/home/u/.config/Bosun/lab', port: 0, runtime: 'docker', nodes: 3, pauseImage: 'registry.k8s.io/pause:3.10' });
    expect(options.staticDir).toMatch(/renderer$/);
    expect(fakes.createMainWindow).toHaveBeenCalledWith('http://127.0.0.1:40001');
  });

  it('explains a failed start (e.g. the port or data folder is unusable) in a dialog and exits non-zero', async () => {
    // Without Docker the lab starts anyway (the dashboard explains); what can still fail is the lab itself.
    fakes.startLab.mockRejectedValue(new Error('EACCES: permission denied, mkdir /home/u/.config/Bosun/lab'));
    await boot();
    expect(fakes.dialog.showErrorBox).toHaveBeenCalledTimes(1);
    const [title, body] = fakes.dialog.showErrorBox.mock.calls[0];
    expect(title).toBe('Bosun could not start its lab');
    expect(body).toContain('EACCES: permission denied, mkdir /home/u/.config/Bosun/lab');
    expect(body).toContain('/home/u/.config/Bosun/settings.json');
    expect(fakes.app.exit).toHaveBeenCalledWith(1);
    expect(fakes.createMainWindow).not.toHaveBeenCalled();
  });

  it('holds the quit until the lab has stopped, then quits', async () => {
    let release!: () => void;
    const stop = vi.fn(() => new Promise<void>((r) => (release = r)));
    fakes.startLab.mockResolvedValue({ url: 'http://127.0.0.1:40002', token: 't', stop });
    await boot();
    const event = { preventDefault: vi.fn() };
    fakes.listeners.get('before-quit')!(event);
    expect(event.preventDefault).toHaveBeenCalled();
    expect(stop).toHaveBeenCalledTimes(1);
    expect(fakes.app.quit).not.toHaveBeenCalled();
    release();
    await flush();
    expect(fakes.app.quit).toHaveBeenCalledTimes(1);
    // The second before-quit (from that app.quit) goes through.
    const again = { preventDefault: vi.fn() };
    fakes.listeners.get('before-quit')!(again);
    expect(again.preventDefault).not.toHaveBeenCalled();
    expect(stop).toHaveBeenCalledTimes(1);
  });

  it('a second instance starts no lab and quits', async () => {
    fakes.app.lock = false;
    await boot();
    expect(fakes.app.quit).toHaveBeenCalled();
    expect(fakes.startLab).not.toHaveBeenCalled();
  });
});
