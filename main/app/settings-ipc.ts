// Settings over IPC: reading and saving the desktop app's settings and restarting the lab are things a
// browser page cannot do, so they are the only IPC besides the connection hand-over (DESIGN.md rule 2).
import { ipcMain, type IpcMainInvokeEvent } from 'electron';
import { LAB_RESTART_CHANNEL, SETTINGS_GET_CHANNEL, SETTINGS_SET_CHANNEL } from '../../shared/desktop';
import type { LabHost } from './lab-host';
import { isLabPage } from './url-policy';

function checkSender(host: LabHost, event: IpcMainInvokeEvent, channel: string): void {
  const lab = host.lab;
  const frameUrl = event.senderFrame?.url ?? '';
  if (!lab) throw new Error('the lab is restarting; try again in a moment');
  if (!isLabPage(frameUrl, lab.url)) throw new Error(`refused ${channel} from ${frameUrl || 'an unknown frame'}`);
}

export function registerSettingsHandlers(host: LabHost): void {
  ipcMain.handle(SETTINGS_GET_CHANNEL, (event) => {
    checkSender(host, event, SETTINGS_GET_CHANNEL);
    return host.snapshot();
  });
  ipcMain.handle(SETTINGS_SET_CHANNEL, (event, patch: unknown) => {
    checkSender(host, event, SETTINGS_SET_CHANNEL);
    return host.update(patch);
  });
  ipcMain.handle(LAB_RESTART_CHANNEL, async (event) => {
    checkSender(host, event, LAB_RESTART_CHANNEL);
    await host.restart();
  });
}
