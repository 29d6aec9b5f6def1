// IPC is only for what a browser cannot do (DESIGN.md rule 2): handing the dashboard the API URL and
// token (which `bosun serve` passes in the URL fragment instead) here, the desktop settings in settings-ipc.ts.
import { ipcMain, type IpcMainInvokeEvent } from 'electron';
import type { Lab } from '../lab';
import { isLabPage } from './url-policy';

export const CONNECTION_CHANNEL = 'bosun:connection';

export interface ConnectionInfo {
  apiUrl: string;
  token: string;
}

/** Answers only frames showing the lab's own pages: the token must never reach other content. */
export function registerConnectionHandler(getLab: () => Lab | undefined): void {
  ipcMain.handle(CONNECTION_CHANNEL, (event: IpcMainInvokeEvent): ConnectionInfo => {
    const lab = getLab();
    const frameUrl = event.senderFrame?.url ?? '';
    if (!lab) throw new Error('the lab is not running');
    if (!isLabPage(frameUrl, lab.url)) throw new Error(`refused ${CONNECTION_CHANNEL} from ${frameUrl || 'an unknown frame'}`);
    return { apiUrl: lab.url, token: lab.token };
  });
}
