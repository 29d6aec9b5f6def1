// Sandboxed preload: exposes exactly one call to the page. Everything else the dashboard needs is the
// Kubernetes REST API over HTTP, as in a plain browser.
import { contextBridge, ipcRenderer } from 'electron';

interface ConnectionInfo {
  apiUrl: string;
  token: string;
}

contextBridge.exposeInMainWorld('bosun', {
  connection: (): Promise<ConnectionInfo> => ipcRenderer.invoke('bosun:connection'),
});
