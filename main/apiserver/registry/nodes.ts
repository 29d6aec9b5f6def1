// core/v1 nodes (registered by the lab's kubelets).
import type { FieldError } from '../../../shared/api/errors';
import { isQualifiedName, isValidLabelValue, nameIsDNSSubdomain, validateObjectMetaUpdate } from '../../../shared/api/validation';
import type { ResourceDef } from '../types';
import type { Obj } from './common';
import { ageColumn, col, ensure, invalid, metaErrors, notSupported, required } from './common';

const TAINT_EFFECTS = ['NoExecute', 'NoSchedule', 'PreferNoSchedule'];
const ROLE_PREFIX = 'node-role.kubernetes.io/';

/** printNode's STATUS: Ready / NotReady / Unknown, plus `,SchedulingDisabled` when cordoned. */
export function nodeStatusText(o: Obj): string {
  const ready = ((o.status?.conditions ?? []) as Obj[]).find((c) => c.type === 'Ready');
  const parts = [ready ? (ready.status === 'True' ? 'Ready' : 'NotReady') : 'Unknown'];
  if (o.spec?.unschedulable) parts.push('SchedulingDisabled');
  return parts.join(',');
}

/** findNodeRoles: `node-role.kubernetes.io/<role>` keys and the legacy `kubernetes.io/role` value. */
export function nodeRolesText(o: Obj): string {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries((o.metadata?.labels ?? {}) as Record<string, string>)) {
    if (k.startsWith(ROLE_PREFIX) && k.length > ROLE_PREFIX.length) roles.add(k.slice(ROLE_PREFIX.length));
    else if (k === 'kubernetes.io/role' && v) roles.add(v);
  }
  return roles.size === 0 ? '<none>' : [...roles].sort().join(',');
}

const address = (o: Obj, type: string): string => ((o.status?.addresses ?? []) as Obj[]).find((a) => a.type === type)?.address ?? '<none>';

function validateTaints(taints: Obj[]): FieldError[] {
  const out: FieldError[] = [];
  const seen = new Set<string>();
  taints.forEach((t, i) => {
    const f = `spec.taints[${i}]`;
    if (!t.key) out.push(required(`${f}.key`));
    else out.push(...isQualifiedName(t.key).map((m) => invalid(`${f}.key`, t.key, m)));
    if (t.value) out.push(...isValidLabelValue(t.value).map((m) => invalid(`${f}.value`, t.value, m)));
    if (!t.effect) out.push(required(`${f}.effect`));
    else if (!TAINT_EFFECTS.includes(t.effect)) out.push(notSupported(`${f}.effect`, t.effect, TAINT_EFFECTS));
    const key = `${t.key}:${t.effect}`;
    if (seen.has(key)) out.push({ type: 'FieldValueDuplicate', field: f, value: t, detail: 'taints must be unique by key and effect pair' });
    seen.add(key);
  });
  return out;
}

export const nodes: ResourceDef = {
  group: '',
  version: 'v1',
  resource: 'nodes',
  kind: 'Node',
  singular: 'node',
  namespaced: false,
  shortNames: ['no'],
  subresources: ['status'],
  keepsStatusOnCreate: true,
  selectableFields: ['spec.unschedulable'],
  defaults: (o) => {
    const status = ensure(o as Obj, 'status');
    // SetDefaults_NodeStatus: allocatable defaults to capacity.
    if (!status.allocatable && status.capacity) status.allocatable = { ...status.capacity };
  },
  validate: (o) => [...metaErrors(o, false, nameIsDNSSubdomain), ...validateTaints(((o as Obj).spec?.taints ?? []) as Obj[])],
  validateUpdate: (o, old) => {
    const errs = validateObjectMetaUpdate(o.metadata, old.metadata);
    const cidr = (o as Obj).spec?.podCIDR;
    const prev = (old as Obj).spec?.podCIDR;
    if (prev && cidr !== prev) errs.push({ type: 'FieldValueForbidden', field: 'spec.podCIDRs', detail: 'node updates may not change podCIDR except from "" to valid' });
    return errs;
  },
  columns: [
    col('Status', 'string', (o) => nodeStatusText(o), 0, 'The status of the node'),
    col('Roles', 'string', (o) => nodeRolesText(o), 0, 'The roles of the node'),
    ageColumn,
    col('Version', 'string', (o) => o.status?.nodeInfo?.kubeletVersion ?? '', 0, 'Kubelet Version reported by the node.'),
    col('Internal-IP', 'string', (o) => address(o, 'InternalIP'), 1, 'List of internal IPs for the node.'),
    col('External-IP', 'string', (o) => address(o, 'ExternalIP'), 1, 'List of external IPs for the node.'),
    col('OS-Image', 'string', (o) => o.status?.nodeInfo?.osImage || '<unknown>', 1, 'OS image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).'),
    col('Kernel-Version', 'string', (o) => o.status?.nodeInfo?.kernelVersion || '<unknown>', 1, "Kernel version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64)."),
    col('Container-Runtime', 'string', (o) => o.status?.nodeInfo?.containerRuntimeVersion || '<unknown>', 1, 'Container runtime version reported by the node through runtime remote API (e.g. containerd://1.4.2).'),
  ],
};
