// Sandboxed preload: exposes the connection hand-over and the desktop settings to the page. Everything
// else the dashboard needs is the Kubernetes REST API over HTTP, as in a plain browser.
import { contextBridge, ipcRenderer } from 'electron';
import { LAB_RESTART_CHANNEL, SETTINGS_GET_CHANNEL, SETTINGS_SET_CHANNEL, type DesktopSettings, type DesktopSettingsBridge, type DesktopSettingsSetResult, type DesktopSettingsSnapshot } from '../../shared/desktop';

interface ConnectionInfo {
  apiUrl: string;
  token: string;
}

const settings: DesktopSettingsBridge = {
  get: (): Promise<DesktopSettingsSnapshot> => ipcRenderer.invoke(SETTINGS_GET_CHANNEL),
  // Only plain data crosses: the patch is copied field by field, never a page object.
  set: (patch: Partial<DesktopSettings>): Promise<DesktopSettingsSetResult> => ipcRenderer.invoke(SETTINGS_SET_CHANNEL, JSON.parse(JSON.stringify(patch ?? {}))),
  restartLab: (): Promise<void> => ipcRenderer.invoke(LAB_RESTART_CHANNEL),
};

contextBridge.exposeInMainWorld('bosun', {
  connection: (): Promise<ConnectionInfo> => ipcRenderer.invoke('bosun:connection'),
  settings,
});
