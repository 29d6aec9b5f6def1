// The lab's nodes: one kubelet per Node labelled lab.bosun.dev/managed=true, on one Docker bridge
// network per lab (10.244.0.0/16 when free — another lab on the same engine takes 10.245.0.0/16 and so on;
// node-N gets <prefix>.N.0/24). `--nodes N` makes sure node-1…node-N
// exist; creating another Node with the label adds a node at runtime, deleting a managed Node removes
// it (its kubelet stops and its containers go). See docs/NODES.md.
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import type { Node } from '../../shared/api/node';
import type { Clock } from '../client/clock';
import type { KubeClient } from '../client/client';
import { EventBroadcaster } from '../client/events';
import { SharedInformer } from '../client/informer';
import { RuntimeLabels, type ContainerRuntime } from '../runtime/runtime';
import { parseCidr } from './ip-allocator';
import { Kubelet, type KubeletLogger } from './kubelet';
import type { KubeletParts } from './kubelet-context';
import type { KubeletDeps, KubeletTiming, NodeConfig } from './types';

/** Pod network ranges a lab may take, in order: Kubernetes' usual 10.244.0.0/16 first. */
export const LAB_POD_PREFIXES = Array.from({ length: 11 }, (_, i) => `10.${244 + i}`);
export const MANAGED_NODE_LABEL = 'lab.bosun.dev/managed';
export const DEFAULT_NODE_CAPACITY: Readonly<Record<string, string>> = Object.freeze({
  cpu: '4',
  memory: '8Gi',
  pods: '110',
  'ephemeral-storage': '50Gi',
});

/** One data dir = one lab: the id that labels every Docker object of the lab. */
export function labIdForDataDir(dataDir: string): string {
  return createHash('sha256').update(resolve(dataDir)).digest('hex').slice(0, 12);
}

export const podNetworkName = (labId: string): string => `bosun-${labId}`;
export const nodePodCIDR = (index: number, prefix = LAB_POD_PREFIXES[0]): string => `${prefix}.${index}.0/24`;

/** Removes every container, the pod network and the volumes of one lab (tests, "reset lab"). */
export async function removeLabResources(runtime: ContainerRuntime, labId: string): Promise<void> {
  const selector = { [RuntimeLabels.managed]: 'true', [RuntimeLabels.lab]: labId };
  const containers = await runtime.listContainers(selector);
  await Promise.all(containers.map((c) => runtime.removeContainer(c.id).catch(() => undefined)));
  await runtime.removeNetwork(podNetworkName(labId)).catch(() => undefined);
  const volumes = await runtime.listVolumes(selector).catch(() => []);
  await Promise.all(volumes.map((v) => runtime.removeVolume(v.name).catch(() => undefined)));
}

export interface LabNodesOptions {
  client: KubeClient;
  runtime: ContainerRuntime;
  clock: Clock;
  timing: KubeletTiming;
  labId: string;
  pauseImage: string;
  dataDir: string;
  /** The helpers each kubelet uses (env, volumes, probes, handlers), built per kubelet. */
  parts?: (deps: KubeletDeps) => Partial<KubeletParts>;
  logger?: KubeletLogger;
}

export class LabNodes {
  readonly kubelets = new Map<string, Kubelet>();
  readonly podNetwork: string;
  /** First two octets of the pod network this lab got, e.g. "10.244". */
  podPrefix = LAB_POD_PREFIXES[0];
  private informer?: SharedInformer<Node>;
  private readonly pending = new Map<string, Promise<void>>();
  /** Nodes whose kubelet a fault stopped (main/chaos/node-faults.ts), with who holds them down. */
  private readonly suspended = new Map<string, { kubelet: Kubelet; holders: Set<string> }>();
  private stopped = false;
  /** The kubelets' events: one correlator and one bound on queued writes for all nodes (events.ts). */
  private readonly events: EventBroadcaster;

  constructor(private readonly options: LabNodesOptions) {
    this.podNetwork = podNetworkName(options.labId);
    this.events = new EventBroadcaster({ clock: options.clock });
  }

  /** Creates the pod network, starts node-1…node-`count` and every other managed Node, then follows changes. */
  async start(count: number): Promise<void> {
    const { runtime, labId } = this.options;
    // The lab may start nodes later, once Docker answers (main/lab-status.ts); never after stop().
    if (this.stopped) return;
    await runtime.ping();
    this.podPrefix = await this.ensurePodNetwork(runtime, labId);
    const existing = await this.options.client.nodes<Node>().list(undefined, { labelSelector: `${MANAGED_NODE_LABEL}=true` });
    const names = new Set<string>();
    for (let i = 1; i <= count; i++) names.add(`node-${i}`);
    for (const n of existing.items) names.add(n.metadata.name ?? '');
    await Promise.all([...names].map((name) => this.startNode(name, existing.items.find((n) => n.metadata.name === name))));
    this.informer = new SharedInformer<Node>(this.options.client.nodes<Node>(), {
      labelSelector: `${MANAGED_NODE_LABEL}=true`,
      clock: this.options.clock,
      logger: this.options.logger,
    });
    this.informer.addEventHandler({
      onAdd: (node) => void this.startNode(node.metadata.name ?? '', node),
      onDelete: (node) => void this.removeNode(node.metadata.name ?? ''),
    });
    this.informer.start();
  }

  /**
   * The lab's pod network: the one this lab made earlier (whatever range it has), else the first free
   * range — two labs on one engine (the desktop app and `bosun serve`, or two data dirs) cannot share one.
   */
  private async ensurePodNetwork(runtime: ContainerRuntime, labId: string): Promise<string> {
    const labels = { [RuntimeLabels.managed]: 'true', [RuntimeLabels.lab]: labId, [RuntimeLabels.role]: 'network' };
    let lastError: unknown;
    for (const prefix of LAB_POD_PREFIXES) {
      try {
        const { subnet } = await runtime.ensureNetwork(this.podNetwork, { subnet: `${prefix}.0.0/16`, gateway: `${prefix}.0.1`, labels });
        return subnet.split('.').slice(0, 2).join('.');
      } catch (e) {
        if (!/overlaps/i.test((e as Error).message)) throw e;
        lastError = e;
      }
    }
    throw new Error(`no free pod network range for the lab (tried ${LAB_POD_PREFIXES[0]}.0.0/16 to ${LAB_POD_PREFIXES.at(-1)}.0.0/16): ${(lastError as Error).message}`);
  }

  /** Stops every kubelet; pods keep running for the next start to adopt. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.informer?.stop();
    await Promise.all([...this.pending.values()]);
    await Promise.all([...this.kubelets.values()].map((k) => k.stop()));
    this.kubelets.clear();
  }

  /**
   * Stops a node's kubelet — no heartbeats, Lease renewals, pod syncs or status — and leaves its containers
   * as they are, which is how a node "dies" for the control plane (DESIGN.md rule 3). `holder` (a fault's
   * uid) says who wants it down: two faults on one node keep it down until both resumed it.
   */
  async suspend(name: string, holder: string): Promise<void> {
    await this.pending.get(name);
    const held = this.suspended.get(name);
    if (held) {
      held.holders.add(holder);
      return;
    }
    const kubelet = this.kubelets.get(name);
    if (!kubelet) throw new Error(`node "${name}" has no kubelet in this lab (not a lab node, or being removed)`);
    this.kubelets.delete(name);
    this.suspended.set(name, { kubelet, holders: new Set([holder]) });
    await kubelet.stop();
  }

  /**
   * Drops `holder`'s hold; the last one gone starts a fresh kubelet for the node with the same identity and
   * pod range, which re-registers the node (Ready again) and adopts, restarts or removes what it finds, as
   * a kubelet does after a reboot. Answers whether the kubelet came back; idempotent.
   */
  async resume(name: string, holder: string): Promise<boolean> {
    const held = this.suspended.get(name);
    if (!held) return false;
    held.holders.delete(holder);
    if (held.holders.size > 0) return false;
    this.suspended.delete(name);
    if (this.stopped) return false;
    await this.launch(name, held.kubelet.deps);
    return true;
  }

  /** Whether a fault holds the node's kubelet stopped. */
  isSuspended(name: string): boolean {
    return this.suspended.has(name);
  }

  /** Whether this lab runs (or a fault holds stopped) a kubelet for the node. */
  isLabNode(name: string): boolean {
    return this.kubelets.has(name) || this.suspended.has(name) || this.pending.has(name);
  }

  private nodeConfig(name: string, node?: Node): NodeConfig {
    const running = [...this.kubelets.values(), ...[...this.suspended.values()].map((s) => s.kubelet)];
    const used = new Set(running.map((k) => k.deps.node.podCIDR));
    let podCIDR = node?.spec?.podCIDR;
    const inLab = (cidr: string): boolean => {
      try {
        const { base, bits } = parseCidr(cidr);
        return bits === 24 && base >>> 16 === parseCidr(`${this.podPrefix}.0.0/16`).base >>> 16 && ((base >>> 8) & 255) > 0;
      } catch {
        return false;
      }
    };
    if (!podCIDR || !inLab(podCIDR) || used.has(podCIDR)) {
      const m = /^node-(\d+)$/.exec(name);
      const preferred = m && Number(m[1]) >= 1 && Number(m[1]) <= 254 ? nodePodCIDR(Number(m[1]), this.podPrefix) : undefined;
      podCIDR = preferred && !used.has(preferred) ? preferred : undefined;
      for (let i = 1; !podCIDR && i <= 254; i++) if (!used.has(nodePodCIDR(i, this.podPrefix))) podCIDR = nodePodCIDR(i, this.podPrefix);
      if (!podCIDR) throw new Error('the lab pod network has no free node range left (254 nodes)');
    }
    return {
      name,
      labels: { [MANAGED_NODE_LABEL]: 'true' },
      capacity: { ...DEFAULT_NODE_CAPACITY, ...(node?.status?.capacity ?? {}) },
      podCIDR,
    };
  }

  private startNode(name: string, node?: Node): Promise<void> {
    if (this.stopped || !name || this.kubelets.has(name) || this.suspended.has(name) || this.pending.has(name)) return this.pending.get(name) ?? Promise.resolve();
    const { client, runtime, clock, timing, labId, pauseImage, dataDir } = this.options;
    const deps: KubeletDeps = {
      node: this.nodeConfig(name, node),
      client: client.as(`system:node:${name}`),
      runtime,
      clock,
      timing,
      labId,
      podNetwork: this.podNetwork,
      pauseImage,
      dataDir,
    };
    return this.launch(name, deps);
  }

  private launch(name: string, deps: KubeletDeps): Promise<void> {
    const run = async (): Promise<void> => {
      const kubelet = new Kubelet(deps, { parts: this.options.parts?.(deps), logger: this.options.logger, events: this.events });
      this.kubelets.set(name, kubelet);
      await kubelet.start();
    };
    const p = run()
      .catch((e: unknown) => {
        this.kubelets.delete(name);
        throw e;
      })
      .finally(() => this.pending.delete(name));
    this.pending.set(name, p.catch(() => undefined));
    return p;
  }

  private async removeNode(name: string): Promise<void> {
    await this.pending.get(name);
    const held = this.suspended.get(name);
    this.suspended.delete(name);
    const kubelet = this.kubelets.get(name) ?? held?.kubelet;
    if (!kubelet) return;
    this.kubelets.delete(name);
    await kubelet.removeNode().catch((e: unknown) => this.options.logger?.warn(`lab: removing node ${name}: ${(e as Error).message}`));
  }
}
