// The kubelet's fault hooks (`kubelet.faults`): the only door main/chaos has into a node. PodFaults use
// them to make a container's probes fail without touching its image and to make its image pulls fail as
// if the registry refused them. Everything here lives in memory on purpose: a crash of the app forgets
// every hook, which is exactly the "revert" a fault needs after a crash (docs/CHAOS.md).
import type { KubeletContext } from './kubelet-context';
import type { ProbeType } from './types';

/** A prober that can answer "failed" instead of running a probe (KubeletProbeManager is one). */
export interface InjectableProber {
  setProbeOverride(podUid: string, containerName: string, probeType: ProbeType, message: string): void;
  clearProbeOverride(podUid: string, containerName: string, probeType: ProbeType): void;
}

const isInjectable = (p: unknown): p is InjectableProber =>
  typeof (p as Partial<InjectableProber>)?.setProbeOverride === 'function' && typeof (p as Partial<InjectableProber>)?.clearProbeOverride === 'function';

// Keyed by the kubelet's context so container-start.ts finds the hooks without a field in the shared
// context type (which other parts of the kubelet own).
const hooksByContext = new WeakMap<KubeletContext, KubeletFaultHooks>();

/** The fault hooks of the kubelet owning `ctx`, if it has any (a kubelet always does; bare test contexts may not). */
export function faultHooksOf(ctx: KubeletContext): KubeletFaultHooks | undefined {
  return hooksByContext.get(ctx);
}

export class KubeletFaultHooks {
  /** `<pod uid>/<container>` → why its image pulls fail. */
  private readonly pullFailures = new Map<string, string>();

  constructor(private readonly ctx: KubeletContext) {
    hooksByContext.set(ctx, this);
  }

  /** Whether this node's prober can inject probe failures (the minimal default prober cannot). */
  get canOverrideProbes(): boolean {
    return isInjectable(this.ctx.probes);
  }

  /**
   * From the next probe on, `probeType` of this container fails with `message` instead of running (also
   * for the instances that replace it after a restart), until cleared. Throws when the prober cannot.
   */
  setProbeOverride(podUid: string, containerName: string, probeType: ProbeType, message: string): void {
    const prober = this.ctx.probes;
    if (!isInjectable(prober)) throw new Error(`the prober of node ${this.ctx.deps.node.name} cannot inject probe failures`);
    prober.setProbeOverride(podUid, containerName, probeType, message);
  }

  clearProbeOverride(podUid: string, containerName: string, probeType: ProbeType): void {
    const prober = this.ctx.probes;
    if (isInjectable(prober)) prober.clearProbeOverride(podUid, containerName, probeType);
  }

  /** The container's image pulls fail with `cause` (and are attempted even when the image is present). */
  setPullFailure(podUid: string, containerName: string, cause: string): void {
    this.pullFailures.set(`${podUid}/${containerName}`, cause);
  }

  clearPullFailure(podUid: string, containerName: string): void {
    this.pullFailures.delete(`${podUid}/${containerName}`);
  }

  pullFailure(podUid: string, containerName: string): string | undefined {
    return this.pullFailures.get(`${podUid}/${containerName}`);
  }
}
