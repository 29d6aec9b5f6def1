// Electron entry: one app instance hosting one lab (from the saved settings), shown in one hardened
// window, with a tray. Without Docker the lab still starts: the dashboard shows why nodes are missing
// (kube-system/bosun-lab-status) and the nodes register once the engine answers.
import { app, dialog, type BrowserWindow } from 'electron';
import { join } from 'node:path';
import { tuneHeapForLab } from '../heap-tuning';
import { startMallocTrim } from '../malloc-trim';
import { registerConnectionHandler } from './ipc';
import { exportKubeconfigDialog, mergeKubeconfigDialog } from './kubeconfig-dialogs';
import { LabHost } from './lab-host';
import { installMenu } from './menu';
import { registerSettingsHandlers } from './settings-ipc';
import { LabTray } from './tray';
import { createMainWindow } from './window';

let host: LabHost | undefined;
let window: BrowserWindow | undefined;
let tray: LabTray | undefined;
let stopping = false;

function startFailureHelp(error: unknown, settingsPath: string): string {
  const message = error instanceof Error ? error.message : String(error);
  return [message, '', `Bosun's settings are in ${settingsPath}; fix or delete that file, then start Bosun again.`].join('\n');
}

function openDashboard(): void {
  const lab = host?.lab;
  if (!lab) return;
  if (!window) {
    window = createMainWindow(lab.url);
    window.on('closed', () => (window = undefined));
    return;
  }
  if (window.isMinimized()) window.restore();
  window.show();
  window.focus();
}

function withLab(action: (lab: NonNullable<LabHost['lab']>) => Promise<unknown>, what: string): void {
  const lab = host?.lab;
  if (!lab) return;
  action(lab).catch((e: unknown) => dialog.showErrorBox(`Bosun could not ${what}`, (e as Error).message));
}

async function onReady(): Promise<void> {
  tuneHeapForLab();
  await startMallocTrim();
  host = new LabHost({ userDataDir: app.getPath('userData'), staticDir: join(__dirname, '../renderer') });
  registerSettingsHandlers(host);
  tray = new LabTray({
    openDashboard,
    stopAllFaults: () => withLab((lab) => lab.chaos.stopAll(), 'stop the faults'),
    exportKubeconfig: () => withLab((lab) => exportKubeconfigDialog(lab, window), 'export the kubeconfig'),
    mergeKubeconfig: () => withLab((lab) => mergeKubeconfigDialog(lab, window), 'merge the kubeconfig'),
    quit: () => app.quit(),
  });
  host.onLabStarted((lab) => {
    tray?.follow(lab);
    installMenu(lab.dataDir);
    // A restart keeps the port when it can, but a new data dir brings a new token: reload either way.
    if (window && !window.isDestroyed()) void window.loadURL(`${lab.url}/`);
  });
  try {
    await host.start();
  } catch (error) {
    dialog.showErrorBox('Bosun could not start its lab', startFailureHelp(error, host.settingsPath));
    app.exit(1);
    return;
  }
  openDashboard();
}

// Quitting waits for the lab to stop so its store is flushed and its containers are handed back.
app.on('before-quit', (event) => {
  if (!host?.lab || stopping) return;
  event.preventDefault();
  stopping = true;
  tray?.follow(undefined);
  host
    .stop()
    .catch((error: unknown) => console.error('bosun: error while stopping the lab:', error))
    .finally(() => {
      tray?.destroy();
      app.quit();
    });
});

if (!app.requestSingleInstanceLock()) {
  // A second launch only brings the first window forward (see 'second-instance').
  app.quit();
} else {
  app.on('second-instance', openDashboard);
  // The tray keeps the lab reachable with the window closed; Quit is in the tray and the menu.
  app.on('window-all-closed', () => undefined);
  app.on('activate', openDashboard);
  registerConnectionHandler(() => host?.lab);
  app.whenReady().then(onReady, (error: unknown) => {
    dialog.showErrorBox('Bosun could not start', error instanceof Error ? error.message : String(error));
    app.exit(1);
  });
}
