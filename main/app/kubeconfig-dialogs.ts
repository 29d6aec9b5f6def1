// Kubeconfig export (save-as) and merge into ~/.kube/config (with a confirmation listing every change).
// The file logic lives in main/kubeconfig.ts and main/kubeconfig-merge.ts; this is only the dialogs.
import { app, dialog, type BrowserWindow, type MessageBoxOptions } from 'electron';
import { join } from 'node:path';
import type { Lab } from '../lab';
import { writeKubeconfig, type KubeconfigTarget } from '../kubeconfig';
import { defaultUserKubeconfigPath, mergeKubeconfigFile, MERGED_ENTRY_NAME, readKubeconfigMergePlan } from '../kubeconfig-merge';

function targetOf(lab: Lab): KubeconfigTarget {
  return { server: lab.httpsUrl, caCertificate: lab.caCertificate, token: lab.token };
}

async function message(parent: BrowserWindow | undefined, options: MessageBoxOptions): Promise<Electron.MessageBoxReturnValue> {
  return parent ? dialog.showMessageBox(parent, options) : dialog.showMessageBox(options);
}

export async function exportKubeconfigDialog(lab: Lab, parent?: BrowserWindow): Promise<void> {
  const options: Electron.SaveDialogOptions = {
    title: 'Export kubeconfig',
    defaultPath: join(app.getPath('home'), 'bosun.kubeconfig'),
    buttonLabel: 'Export',
    filters: [{ name: 'Kubeconfig', extensions: ['kubeconfig', 'yaml', 'yml', '*'] }],
  };
  const choice = parent ? await dialog.showSaveDialog(parent, options) : await dialog.showSaveDialog(options);
  if (choice.canceled || !choice.filePath) return;
  try {
    await writeKubeconfig(choice.filePath, targetOf(lab));
  } catch (e) {
    dialog.showErrorBox('Could not export the kubeconfig', `${choice.filePath}: ${(e as Error).message}`);
    return;
  }
  await message(parent, {
    type: 'info',
    message: 'Kubeconfig exported',
    detail: `${choice.filePath} (mode 0600: it holds the lab's admin token).\n\nTry: kubectl --kubeconfig "${choice.filePath}" get nodes`,
  });
}

export async function mergeKubeconfigDialog(lab: Lab, parent?: BrowserWindow): Promise<void> {
  const path = defaultUserKubeconfigPath(app.getPath('home'));
  let plan;
  try {
    plan = await readKubeconfigMergePlan(path, targetOf(lab));
  } catch (e) {
    dialog.showErrorBox('Bosun did not change your kubeconfig', (e as Error).message);
    return;
  }
  if (!plan.changed) {
    await message(parent, { type: 'info', message: `${path} already has the current "${MERGED_ENTRY_NAME}" context`, detail: `Use: kubectl --context ${MERGED_ENTRY_NAME} get nodes` });
    return;
  }
  const answer = await message(parent, {
    type: 'question',
    buttons: ['Merge', 'Cancel'],
    defaultId: 0,
    cancelId: 1,
    message: `Add the lab to ${path}?`,
    detail: `${plan.changes.join('\n')}\n\nEverything else in the file stays as it is. The current file is first copied to ${path}.bak-<time>.`,
    checkboxLabel: `Also make "${MERGED_ENTRY_NAME}" the current context`,
    checkboxChecked: false,
  });
  if (answer.response !== 0) return;
  try {
    const result = await mergeKubeconfigFile(path, targetOf(lab), { setCurrentContext: answer.checkboxChecked });
    await message(parent, {
      type: 'info',
      message: `Merged the lab into ${path}`,
      detail: `${result.backupPath ? `Previous file saved as ${result.backupPath}.\n\n` : ''}Use: kubectl --context ${MERGED_ENTRY_NAME} get nodes`,
    });
  } catch (e) {
    dialog.showErrorBox('Bosun did not change your kubeconfig', (e as Error).message);
  }
}
