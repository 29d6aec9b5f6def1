// The kubeconfig `bosun serve` writes so that kubectl and client libraries find the lab.
import { chmod, mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { stringify } from 'yaml';

export const KUBECONFIG_CONTEXT = 'bosun';

export function renderKubeconfig(server: string, token: string): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    preferences: {},
    clusters: [{ name: KUBECONFIG_CONTEXT, cluster: { server } }],
    users: [{ name: 'bosun-admin', user: { token } }],
    contexts: [{ name: KUBECONFIG_CONTEXT, context: { cluster: KUBECONFIG_CONTEXT, user: 'bosun-admin', namespace: 'default' } }],
    'current-context': KUBECONFIG_CONTEXT,
  });
}

/** Written atomically with mode 0600: the file holds the admin bearer token. */
export async function writeKubeconfig(path: string, server: string, token: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, renderKubeconfig(server, token), { mode: 0o600 });
  await chmod(tmp, 0o600);
  await rename(tmp, path);
}
