// The patchStrategy/patchMergeKey struct tags of k8s.io/api, as a table: which lists strategic merge
// patch (and server-side apply) merge item by item, and by which key. Lists absent here are atomic
// (replaced whole), like tolerations, args, command and a Node's spec.taints in Kubernetes (NodeSpec.Taints
// has no patchStrategy; the patchMergeKey tag sits on Taint.key, where it has no effect), so `kubectl taint`
// sends the whole new list and a removed taint goes.

export type ListStrategy = { kind: 'map'; key: string } | { kind: 'set' };

interface Rule {
  /** Dotted field path suffix (list indices dropped), e.g. "spec.containers". */
  suffix: string;
  strategy: ListStrategy;
  /** Only for these object kinds (path alone is ambiguous across kinds). */
  kinds?: string[];
}

const byKey = (key: string): ListStrategy => ({ kind: 'map', key });
const CONTAINER_LISTS = ['containers', 'initContainers', 'ephemeralContainers'];

const RULES: Rule[] = [
  ...CONTAINER_LISTS.flatMap((c): Rule[] => [
    { suffix: `spec.${c}`, strategy: byKey('name') },
    { suffix: `${c}.ports`, strategy: byKey('containerPort') },
    { suffix: `${c}.env`, strategy: byKey('name') },
    { suffix: `${c}.volumeMounts`, strategy: byKey('mountPath') },
    { suffix: `${c}.volumeDevices`, strategy: byKey('devicePath') },
    { suffix: `${c}.resizePolicy`, strategy: byKey('resourceName') },
  ]),
  { suffix: 'spec.volumes', strategy: byKey('name') },
  { suffix: 'spec.imagePullSecrets', strategy: byKey('name') },
  { suffix: 'spec.hostAliases', strategy: byKey('ip') },
  { suffix: 'spec.topologySpreadConstraints', strategy: byKey('topologyKey') },
  { suffix: 'spec.schedulingGates', strategy: byKey('name') },
  { suffix: 'spec.resourceClaims', strategy: byKey('name') },
  { suffix: 'status.podIPs', strategy: byKey('ip') },
  { suffix: 'status.hostIPs', strategy: byKey('ip') },
  { suffix: 'status.conditions', strategy: byKey('type') },
  { suffix: 'metadata.ownerReferences', strategy: byKey('uid') },
  { suffix: 'metadata.finalizers', strategy: { kind: 'set' } },
  { suffix: 'spec.ports', strategy: byKey('port'), kinds: ['Service'] },
  { suffix: 'status.addresses', strategy: byKey('type'), kinds: ['Node'] },
  { suffix: 'spec.podCIDRs', strategy: { kind: 'set' }, kinds: ['Node'] },
  { suffix: 'secrets', strategy: byKey('name'), kinds: ['ServiceAccount'] },
];

/** How the list at `path` (field names from the object root) merges; undefined → atomic (replace). */
export function listStrategy(kind: string | undefined, path: readonly string[]): ListStrategy | undefined {
  const dotted = path.join('.');
  for (const r of RULES) {
    if (r.kinds && (!kind || !r.kinds.includes(kind))) continue;
    if (dotted === r.suffix || dotted.endsWith(`.${r.suffix}`)) return r.strategy;
  }
  return undefined;
}
