// Electron entry: one app instance hosting one lab, shown in one hardened window.
import { app, dialog, type BrowserWindow } from 'electron';
import { join } from 'node:path';
import { DEFAULT_NODES, DEFAULT_PAUSE_IMAGE, startLab, type Lab } from '../lab';
import { registerConnectionHandler } from './ipc';
import { installMenu } from './menu';
import { createMainWindow } from './window';

let lab: Lab | undefined;
let window: BrowserWindow | undefined;
let stopping = false;

function startFailureHelp(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return [
    message,
    '',
    'Bosun runs pods as containers on the local Docker engine. Make sure it is installed and running:',
    '  - macOS / Windows: start Docker Desktop',
    '  - Linux: sudo apt-get install -y docker.io, then start the docker service (or dockerd)',
    '',
    'Then start Bosun again.',
  ].join('\n');
}

async function onReady(): Promise<void> {
  const dataDir = join(app.getPath('userData'), 'lab');
  try {
    lab = await startLab({
      dataDir,
      port: 0,
      nodes: DEFAULT_NODES,
      runtime: 'docker',
      pauseImage: DEFAULT_PAUSE_IMAGE,
      staticDir: join(__dirname, '../renderer'),
    });
  } catch (error) {
    dialog.showErrorBox('Bosun could not start its lab', startFailureHelp(error));
    app.exit(1);
    return;
  }
  installMenu(dataDir);
  window = createMainWindow(lab.url);
  window.on('closed', () => (window = undefined));
}

// Quitting waits for the lab to stop so its store is flushed and its containers are handed back.
app.on('before-quit', (event) => {
  if (!lab || stopping) return;
  event.preventDefault();
  stopping = true;
  const running = lab;
  lab = undefined;
  running
    .stop()
    .catch((error: unknown) => console.error('bosun: error while stopping the lab:', error))
    .finally(() => app.quit());
});

if (!app.requestSingleInstanceLock()) {
  // A second launch only brings the first window forward (see 'second-instance').
  app.quit();
} else {
  app.on('second-instance', () => {
    if (!window) return;
    if (window.isMinimized()) window.restore();
    window.focus();
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('activate', () => {
    if (lab && !window) window = createMainWindow(lab.url);
  });
  registerConnectionHandler(() => lab);
  app.whenReady().then(onReady, (error: unknown) => {
    dialog.showErrorBox('Bosun could not start', startFailureHelp(error));
    app.exit(1);
  });
}
