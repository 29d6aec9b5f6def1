// The kubelet-managed /etc/hosts of each pod, as the real kubelet keeps one: localhost lines, the pod's
// own hostname (with its subdomain FQDN), hostAliases — plus the lab's in-cluster Service names from
// ClusterNames, rewritten in place when Endpoints change so that names follow readiness without
// touching the pod's network. Bind-mounted into every container of the pod.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Pod } from '../../shared/api/pod';
import type { Mount } from '../runtime/runtime';
import { CLUSTER_DOMAIN, type ClusterNames, type HostsEntry } from './cluster-names';
import type { PodHostsFile } from './types';

const HEADER = `# Kubernetes-managed hosts file (Bosun lab).
127.0.0.1\tlocalhost
::1\tlocalhost ip6-localhost ip6-loopback
fe00::0\tip6-localnet
fe00::0\tip6-mcastprefix
fe00::1\tip6-allnodes
fe00::2\tip6-allrouters
`;

/** The file's text for one pod. Pure, for tests. */
export function renderHostsFile(pod: Pod, podIP: string | undefined, services: HostsEntry[]): string {
  const ns = pod.metadata.namespace ?? 'default';
  const hostname = (pod.spec?.hostname ?? pod.metadata.name ?? '').slice(0, 63);
  const lines = [HEADER];
  if (podIP) {
    const subdomain = pod.spec?.subdomain;
    lines.push(subdomain ? `${podIP}\t${hostname}.${subdomain}.${ns}.svc.${CLUSTER_DOMAIN}\t${hostname}\n` : `${podIP}\t${hostname}\n`);
  }
  const aliases = pod.spec?.hostAliases ?? [];
  if (aliases.length) {
    lines.push('\n# Entries added by HostAliases.\n');
    for (const a of aliases) lines.push(`${a.ip}\t${(a.hostnames ?? []).join('\t')}\n`);
  }
  if (services.length) {
    lines.push('\n# In-cluster Service names: one ready endpoint per Service (all of them for headless Services).\n');
    for (const e of services) lines.push(`${e.ip}\t${e.names.join('\t')}\n`);
  }
  return lines.join('');
}

interface Tracked {
  pod: Pod;
  ip?: string;
  path: string;
  written?: string;
}

export interface PodHostsFilesOptions {
  /** The kubelet's data dir; files go to <dataDir>/pods/<uid>/etc-hosts as the kubelet's do. */
  dataDir: string;
  names: ClusterNames;
  logger?: { warn(message: string): void };
  /** Delay that coalesces bursts of Endpoints changes into one rewrite (default 50 ms). */
  debounceMs?: number;
}

/** One kubelet's hosts files: written before its containers start, rewritten when the name table changes. */
export class PodHostsFiles implements PodHostsFile {
  private readonly pods = new Map<string, Tracked>();
  private readonly unsubscribe: () => void;
  private timer?: NodeJS.Timeout;
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly options: PodHostsFilesOptions) {
    this.unsubscribe = options.names.onChange(() => this.schedule());
  }

  async mountFor(pod: Pod, podIP: string | undefined): Promise<Mount> {
    const t = await this.track(pod, podIP);
    return { kind: 'bind', source: t.path, target: '/etc/hosts' };
  }

  async track(pod: Pod, podIP: string | undefined): Promise<Tracked> {
    const uid = pod.metadata.uid ?? '';
    let t = this.pods.get(uid);
    if (!t) {
      t = { pod, ip: podIP, path: join(this.options.dataDir, 'pods', uid, 'etc-hosts') };
      this.pods.set(uid, t);
    } else {
      t.pod = pod;
      if (podIP) t.ip = podIP;
    }
    await this.write(t);
    return t;
  }

  forget(uid: string): void {
    this.pods.delete(uid);
  }

  stop(): void {
    this.unsubscribe();
    if (this.timer) clearTimeout(this.timer);
    this.pods.clear();
  }

  /** Resolves when pending rewrites are done (tests). */
  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.rewriteAll();
    }
    await this.writing;
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.rewriteAll();
    }, this.options.debounceMs ?? 50);
  }

  private rewriteAll(): void {
    const all = [...this.pods.values()];
    this.writing = this.writing.then(async () => {
      for (const t of all) await this.write(t).catch((e: unknown) => this.options.logger?.warn(`kubelet: hosts file of pod ${t.pod.metadata.namespace}/${t.pod.metadata.name}: ${(e as Error).message}`));
    });
  }

  private async write(t: Tracked): Promise<void> {
    const ns = t.pod.metadata.namespace ?? 'default';
    const text = renderHostsFile(t.pod, t.ip, this.options.names.entriesFor({ uid: t.pod.metadata.uid ?? '', namespace: ns }));
    if (text === t.written) return;
    if (!this.pods.has(t.pod.metadata.uid ?? '')) return;
    await mkdir(join(t.path, '..'), { recursive: true });
    // writeFile truncates and rewrites the same inode: a bind mount keeps showing it (a rename would not).
    await writeFile(t.path, text, { mode: 0o644 });
    t.written = text;
  }
}

/** Without a name table (fake runtime, tests): Docker's own /etc/hosts stays. */
export const noHostsFile: PodHostsFile = {
  async mountFor() {
    return undefined;
  },
  async track() {},
  forget() {},
};
