// What the fault descriptors, the Chaos screen and the overview share: a fault's targets, phase colour
// and whether it is still in force, read from status as `kubectl get chaos` does.
import type { AnyFault, FaultPhase, NodeFault, ServiceFault } from '../../shared/api/chaos';
import { NONE } from './format';
import type { Tone } from './types';

/** Phases in which something is (or may be) injected: Pending counts too, since injection is imminent. */
const IN_FORCE: ReadonlySet<FaultPhase | undefined> = new Set<FaultPhase | undefined>([undefined, 'Pending', 'Injecting', 'Injected', 'Reverting']);

export function faultInForce(fault: AnyFault): boolean {
  return IN_FORCE.has(fault.status?.phase);
}

export function faultPhase(fault: AnyFault): string {
  const phase = fault.status?.phase ?? 'Pending';
  return fault.metadata.deletionTimestamp && phase !== 'Reverted' ? `${phase} (deleting)` : phase;
}

export function faultTone(fault: AnyFault): Tone {
  switch (fault.status?.phase) {
    case 'Injected':
    case 'Injecting':
      return 'danger';
    case 'Reverting':
    case 'Pending':
    case undefined:
      return 'warning';
    case 'Reverted':
      return 'success';
    default:
      return 'danger';
  }
}

/** The targets recorded in status once selected; before that, what the spec names. */
export function faultTargets(fault: AnyFault): string[] {
  const recorded = fault.status?.targets;
  if (recorded?.length) return recorded.map((t) => (t.namespace && t.kind !== 'Node' ? `${t.namespace}/${t.name}` : t.name));
  const spec = fault.spec as { service?: { name: string }; selector?: { nodeNames?: string[]; pods?: string[]; labelSelector?: { matchLabels?: Record<string, string> } } };
  if (spec.service) return [`svc/${spec.service.name}`];
  const selector = spec.selector;
  if (selector?.nodeNames?.length) return selector.nodeNames;
  if (selector?.pods?.length) return selector.pods;
  const labels = Object.entries(selector?.labelSelector?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  return labels.length ? [labels.join(',')] : [];
}

export function faultTargetsText(fault: AnyFault): string {
  const t = faultTargets(fault);
  return t.length ? t.join(', ') : NONE;
}

/** NodeFault/PodFault action, or the ServiceFault's effects ("latency 200ms, 10% errors"). */
export function faultAction(fault: AnyFault): string {
  const spec = fault.spec as Partial<ServiceFault['spec']> & { action?: string };
  if (spec.action) return spec.action;
  const parts: string[] = [];
  if (spec.latency) parts.push(`latency ${spec.latency}${spec.jitter ? `±${spec.jitter}` : ''}`);
  if (spec.errorPercent) parts.push(`${spec.errorPercent}% errors`);
  if (spec.dropPercent) parts.push(`${spec.dropPercent}% drops`);
  return parts.join(', ') || NONE;
}

/** Whether a NodeFault acts (or will act) on this node. */
export function nodeFaultTargets(fault: NodeFault, node: string): boolean {
  const recorded = fault.status?.targets;
  if (recorded?.length) return recorded.some((t) => t.kind === 'Node' && t.name === node);
  return fault.spec.selector?.nodeNames?.includes(node) ?? false;
}
