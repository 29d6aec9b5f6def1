// The tray: lab status at a glance (colour and first menu line, updated from API watches) and the
// actions people want without opening the window.
import { Menu, nativeImage, Tray, type MenuItemConstructorOptions } from 'electron';
import type { Lab } from '../lab';
import { TrayWatch } from './tray-watch';
import { trayIconBitmap, trayStatus, type TrayStatus } from './tray-status';

export interface TrayActions {
  openDashboard(): void;
  stopAllFaults(): void;
  exportKubeconfig(): void;
  mergeKubeconfig(): void;
  quit(): void;
}

const ICON_SIZE = 16;

export class LabTray {
  private readonly tray: Tray;
  private watch?: TrayWatch;

  constructor(private readonly actions: TrayActions) {
    this.tray = new Tray(this.icon(trayStatus({ running: false, nodes: [], faults: [] })));
    this.tray.on('click', () => actions.openDashboard());
    this.render(trayStatus({ running: false, nodes: [], faults: [] }));
  }

  /** Follows a (re)started lab; call with undefined while it is stopped. */
  follow(lab: Lab | undefined): void {
    this.watch?.stop();
    this.watch = undefined;
    if (!lab) {
      this.render(trayStatus({ running: false, nodes: [], faults: [] }));
      return;
    }
    this.watch = new TrayWatch(lab, (status) => this.render(status));
    this.watch.start();
  }

  destroy(): void {
    this.watch?.stop();
    this.tray.destroy();
  }

  private icon(status: TrayStatus): Electron.NativeImage {
    return nativeImage.createFromBitmap(trayIconBitmap(status.health, ICON_SIZE), { width: ICON_SIZE, height: ICON_SIZE });
  }

  private render(status: TrayStatus): void {
    if (this.tray.isDestroyed()) return;
    const running = status.health !== 'stopped';
    const template: MenuItemConstructorOptions[] = [
      { label: status.summary, enabled: false },
      ...(status.runtimeProblem ? [{ label: status.runtimeProblem, enabled: false }] : []),
      { type: 'separator' },
      { label: 'Open Dashboard', click: () => this.actions.openDashboard(), enabled: running },
      { label: status.activeFaults ? `Stop All Faults (${status.activeFaults})` : 'Stop All Faults', click: () => this.actions.stopAllFaults(), enabled: running && status.activeFaults > 0 },
      { type: 'separator' },
      { label: 'Export Kubeconfig…', click: () => this.actions.exportKubeconfig(), enabled: running },
      { label: 'Merge into ~/.kube/config…', click: () => this.actions.mergeKubeconfig(), enabled: running },
      { type: 'separator' },
      { label: 'Quit Bosun', click: () => this.actions.quit() },
    ];
    this.tray.setImage(this.icon(status));
    this.tray.setToolTip(`Bosun — ${status.summary}`);
    this.tray.setContextMenu(Menu.buildFromTemplate(template));
  }
}
