// NodeFault injector: four ways a lab node fails, each teaching something different (docs/CHAOS.md).
//   crash        kubelet stopped and every container of the node SIGKILLed, sandboxes too (power loss).
//                Revert: a fresh kubelet (a reboot) re-creates what its pods still need, removes orphans.
//   kubeletStop  kubelet stopped, containers keep running: the old pods keep serving through NodePorts
//                while the control plane replaces them elsewhere (split brain). Revert: fresh kubelet.
//   freeze       kubelet stopped, then every running container paused (`docker pause`). Revert: unpause
//                what was paused, then the fresh kubelet (which must find them running, not "dead").
//   partition    kubelet stopped (cut from the control plane) and every pod sandbox disconnected from the
//                lab pod network: pod IPs unreachable, and the ports published on 127.0.0.1 go with the
//                endpoint, so NodePort traffic to those pods fails as on a real partition. Revert: reconnect
//                each sandbox with the IP it had (recorded in status), then the fresh kubelet.
// The node lifecycle controller, not this file, notices the silence (NotReady → taint → eviction).
// Reverts work from the recorded target alone (after a crash this is a fresh instance) and are idempotent;
// without restore data (killed between injecting and recording) they fall back to the node's labels.
import { ApiError } from '../../shared/api/errors';
import { CHAOS_GROUP, type FaultTarget, type NodeFault } from '../../shared/api/chaos';
import type { Pod } from '../../shared/api/pod';
import type { KubeClient } from '../client/client';
import { nodeSelector, podUidOf, roleOf } from '../kubelet/naming';
import { isRuntimeError, type ContainerInfo, type ContainerRuntime } from '../runtime/runtime';
import { selectNodes, type RandomSource } from './targets';
import type { FaultInjector } from './types';

/** What the injector needs of the lab's nodes (main/kubelet/lab-nodes.ts). */
export interface NodeSuspender {
  readonly podNetwork: string;
  suspend(name: string, holder: string): Promise<void>;
  resume(name: string, holder: string): Promise<boolean>;
  isLabNode(name: string): boolean;
}

export interface NodeFaultInjectorDeps {
  client: KubeClient;
  runtime: ContainerRuntime;
  nodes: NodeSuspender;
  labId: string;
  random?: RandomSource;
}

const holderOf = (fault: NodeFault): string => fault.metadata.uid ?? `${fault.metadata.name}`;
const SEP = ',';

/** "id=ip,id=ip" (restore data is a string map, as in status). */
const encodePairs = (pairs: Array<[string, string]>): string => pairs.map(([a, b]) => `${a}=${b}`).join(SEP);
const decodePairs = (text: string | undefined): Array<[string, string]> =>
  (text ?? '')
    .split(SEP)
    .filter(Boolean)
    .map((p) => p.split('=') as [string, string]);

/** Ignores "no such container" (removed meanwhile: nothing to undo) and "not paused/already" states. */
async function tolerant(fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (e) {
    if (isRuntimeError(e, 'NotFound')) return;
    if (/is not paused|already|not connected|is not running/i.test((e as Error).message)) return;
    throw e;
  }
}

export function createNodeFaultInjector(deps: NodeFaultInjectorDeps): FaultInjector<NodeFault> {
  const { client, runtime, nodes, labId } = deps;
  const containersOf = (node: string): Promise<ContainerInfo[]> => runtime.listContainers(nodeSelector(labId, node));
  const short = (id: string): string => id.slice(0, 12);

  async function crash(target: FaultTarget, holder: string): Promise<FaultTarget> {
    await nodes.suspend(target.name, holder);
    const live = (await containersOf(target.name)).filter((c) => c.state === 'running' || c.state === 'paused' || c.state === 'restarting');
    // Sandboxes last, so app containers die in their own network namespace as on power loss (no ordering guarantee there either).
    const ordered = [...live.filter((c) => roleOf(c) !== 'sandbox'), ...live.filter((c) => roleOf(c) === 'sandbox')];
    await Promise.all(ordered.map((c) => tolerant(() => runtime.killContainer(c.id, 'SIGKILL'))));
    return {
      ...target,
      containers: ordered.map((c) => short(c.id)),
      restore: { killed: String(ordered.length) },
      message: `kubelet stopped and ${ordered.length} containers killed (SIGKILL, power loss)`,
    };
  }

  async function kubeletStop(target: FaultTarget, holder: string): Promise<FaultTarget> {
    await nodes.suspend(target.name, holder);
    const running = (await containersOf(target.name)).filter((c) => c.state === 'running');
    return { ...target, message: `kubelet stopped; ${running.length} containers keep running` };
  }

  async function freeze(target: FaultTarget, holder: string): Promise<FaultTarget> {
    // Kubelet first: a live kubelet would take paused containers for dead ones and replace them.
    await nodes.suspend(target.name, holder);
    const running = (await containersOf(target.name)).filter((c) => c.state === 'running');
    const paused: string[] = [];
    for (const c of running) {
      await runtime.pauseContainer(c.id);
      paused.push(c.id);
    }
    return {
      ...target,
      containers: paused.map(short),
      restore: { paused: paused.join(SEP) },
      message: `kubelet stopped and ${paused.length} containers paused`,
    };
  }

  async function partition(target: FaultTarget, holder: string): Promise<FaultTarget> {
    await nodes.suspend(target.name, holder);
    const sandboxes = (await containersOf(target.name)).filter((c) => roleOf(c) === 'sandbox' && c.ip);
    const cut: Array<[string, string]> = [];
    for (const s of sandboxes) {
      await runtime.disconnectNetwork(s.id, nodes.podNetwork);
      cut.push([s.id, s.ip!]);
    }
    return {
      ...target,
      containers: cut.map(([id]) => short(id)),
      restore: { sandboxes: encodePairs(cut) },
      message: `kubelet stopped and ${cut.length} pod sandboxes disconnected from ${nodes.podNetwork}`,
    };
  }

  /** Sandboxes of the node not on the pod network, with the pod IP the API knows (no restore data). */
  async function disconnectedSandboxes(node: string): Promise<Array<[string, string]>> {
    const sandboxes = (await containersOf(node)).filter((c) => roleOf(c) === 'sandbox' && c.state === 'running' && !c.ip);
    if (!sandboxes.length) return [];
    const pods = (await client.pods<Pod>().list(undefined, { fieldSelector: `spec.nodeName=${node}` })).items;
    const ipOf = new Map(pods.map((p) => [p.metadata.uid ?? '', p.status?.podIP ?? '']));
    return sandboxes.map((s) => [s.id, ipOf.get(podUidOf(s)) ?? ''] as [string, string]);
  }

  return {
    kind: 'NodeFault',

    async selectTargets(fault) {
      const selected = await selectNodes(client, fault, deps.random);
      const foreign = selected.filter((n) => !nodes.isLabNode(n.metadata.name ?? ''));
      if (foreign.length) {
        throw ApiError.invalid(CHAOS_GROUP, 'NodeFault', fault.metadata.name ?? '', [
          {
            type: 'FieldValueInvalid',
            field: 'spec.selector',
            value: foreign.map((n) => n.metadata.name).join(','),
            detail: `no kubelet of this lab runs ${foreign.map((n) => `node "${n.metadata.name}"`).join(', ')}; node faults act on lab nodes only`,
          },
        ]);
      }
      return selected.map((n) => ({ kind: 'Node', name: n.metadata.name ?? '', uid: n.metadata.uid }));
    },

    async inject(fault, target) {
      const holder = holderOf(fault);
      switch (fault.spec.action) {
        case 'crash':
          return crash(target, holder);
        case 'kubeletStop':
          return kubeletStop(target, holder);
        case 'freeze':
          return freeze(target, holder);
        case 'partition':
          return partition(target, holder);
        default:
          throw new Error(`unknown NodeFault action "${String(fault.spec.action)}"`);
      }
    },

    async revert(fault, target) {
      const holder = holderOf(fault);
      if (fault.spec.action === 'freeze') {
        const recorded = (target.restore?.paused ?? '').split(SEP).filter(Boolean);
        const ids = target.restore ? recorded : (await containersOf(target.name)).filter((c) => c.state === 'paused').map((c) => c.id);
        for (const id of ids) await tolerant(() => runtime.unpauseContainer(id));
      }
      if (fault.spec.action === 'partition') {
        const pairs = target.restore?.sandboxes !== undefined ? decodePairs(target.restore.sandboxes) : await disconnectedSandboxes(target.name);
        for (const [id, ip] of pairs) {
          const info = await runtime.inspectContainer(id);
          // Gone, or back on the network already (a second revert): nothing to do.
          if (!info || info.ip) continue;
          await tolerant(() => runtime.connectNetwork(id, nodes.podNetwork, ip ? { ip } : {}));
        }
      }
      // Last, so the fresh kubelet finds the containers running and connected and adopts them.
      await nodes.resume(target.name, holder);
    },
  };
}
