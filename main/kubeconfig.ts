// The kubeconfig `bosun serve` writes so that kubectl and client libraries find the lab.
import { chmod, mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { stringify } from 'yaml';

export const KUBECONFIG_CONTEXT = 'bosun';

export interface KubeconfigTarget {
  /** https://127.0.0.1:PORT — kubectl sends bearer tokens only over TLS. */
  server: string;
  /** PEM of the certificate authority to trust (the lab's self-signed serving certificate). */
  caCertificate: string;
  token: string;
}

export function renderKubeconfig({ server, caCertificate, token }: KubeconfigTarget): string {
  const cluster = { server, 'certificate-authority-data': Buffer.from(caCertificate).toString('base64') };
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    preferences: {},
    clusters: [{ name: KUBECONFIG_CONTEXT, cluster }],
    users: [{ name: 'bosun-admin', user: { token } }],
    contexts: [{ name: KUBECONFIG_CONTEXT, context: { cluster: KUBECONFIG_CONTEXT, user: 'bosun-admin', namespace: 'default' } }],
    'current-context': KUBECONFIG_CONTEXT,
  });
}

/** Written atomically with mode 0600: the file holds the admin bearer token. */
export async function writeKubeconfig(path: string, target: KubeconfigTarget): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, renderKubeconfig(target), { mode: 0o600 });
  await chmod(tmp, 0o600);
  await rename(tmp, path);
}
