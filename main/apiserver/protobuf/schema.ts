// The protobufjs Root built from our proto texts, and which message each apiVersion/kind decodes with.
import * as protobuf from 'protobufjs';
import { CORE_POD_PROTO } from './k8s-core-pod.proto';
import { CORE_PROTO } from './k8s-core.proto';
import { META_PROTO } from './k8s-meta.proto';
import { WORKLOADS_PROTO } from './k8s-workloads.proto';

const CORE = 'k8s.io.api.core.v1';
const META = 'k8s.io.apimachinery.pkg.apis.meta.v1';

/** Message names of the types that need a JSON form of their own (see well-known.ts). */
export const WELL_KNOWN = {
  time: `${META}.Time`,
  microTime: `${META}.MicroTime`,
  duration: `${META}.Duration`,
  fieldsV1: `${META}.FieldsV1`,
  intOrString: 'k8s.io.apimachinery.pkg.util.intstr.IntOrString',
  quantity: 'k8s.io.apimachinery.pkg.api.resource.Quantity',
  rawExtension: 'k8s.io.apimachinery.pkg.runtime.RawExtension',
  unknown: 'k8s.io.apimachinery.pkg.runtime.Unknown',
} as const;

/** Proto package of each API group/version we decode (group "" is the core group). */
const PACKAGES: Record<string, string> = {
  v1: CORE,
  'apps/v1': 'k8s.io.api.apps.v1',
  'batch/v1': 'k8s.io.api.batch.v1',
  'policy/v1': 'k8s.io.api.policy.v1',
  'autoscaling/v1': 'k8s.io.api.autoscaling.v1',
  'autoscaling/v2': 'k8s.io.api.autoscaling.v2',
  'coordination.k8s.io/v1': 'k8s.io.api.coordination.v1',
  'discovery.k8s.io/v1': 'k8s.io.api.discovery.v1',
};

/**
 * The kinds a typed client sends as protobuf to the resources Bosun serves (kubectl create/drain and
 * client-go programs). A message that is only part of a kind (PodSpec) is not a kind.
 */
const KINDS: Record<string, readonly string[]> = {
  v1: [
    'Binding', 'ConfigMap', 'Endpoints', 'Event', 'LimitRange', 'Namespace', 'Node', 'PersistentVolume',
    'PersistentVolumeClaim', 'Pod', 'ReplicationController', 'ResourceQuota', 'Secret', 'Service', 'ServiceAccount',
  ],
  'apps/v1': ['DaemonSet', 'Deployment', 'ReplicaSet', 'StatefulSet'],
  'batch/v1': ['CronJob', 'Job'],
  'policy/v1': ['Eviction', 'PodDisruptionBudget'],
  'autoscaling/v1': ['Scale', 'HorizontalPodAutoscaler'],
  'autoscaling/v2': ['HorizontalPodAutoscaler'],
  'coordination.k8s.io/v1': ['Lease'],
  'discovery.k8s.io/v1': ['EndpointSlice'],
};

let root: protobuf.Root | undefined;

export function k8sRoot(): protobuf.Root {
  if (!root) {
    const r = new protobuf.Root();
    for (const text of [...META_PROTO, ...CORE_POD_PROTO, ...CORE_PROTO, ...WORKLOADS_PROTO]) {
      protobuf.parse(text, r, { keepCase: true });
    }
    r.resolveAll();
    root = r;
  }
  return root;
}

export function messageType(fullName: string): protobuf.Type {
  return k8sRoot().lookupType(fullName);
}

/**
 * The message for an apiVersion/kind, or undefined when Bosun cannot decode it. DeleteOptions travel
 * under whatever group the request addresses (client-go sends them typed as meta.k8s.io/v1 or the
 * resource's own group version), so any apiVersion is accepted for them.
 */
export function messageForKind(apiVersion: string, kind: string): protobuf.Type | undefined {
  if (kind === 'DeleteOptions') return messageType(`${META}.DeleteOptions`);
  const pkg = PACKAGES[apiVersion];
  if (!pkg || !KINDS[apiVersion]?.includes(kind)) return undefined;
  return messageType(`${pkg}.${kind}`);
}

/**
 * Whether a message is a kind: its Go type embeds TypeMeta, so its JSON also carries apiVersion and kind
 * (wherever it appears, e.g. a StatefulSet's volumeClaimTemplates are PersistentVolumeClaims).
 */
export function isKindMessage(type: protobuf.Type): boolean {
  const name = type.fullName.slice(1);
  if (name === `${META}.DeleteOptions`) return true;
  for (const [apiVersion, kinds] of Object.entries(KINDS)) {
    const pkg = PACKAGES[apiVersion];
    if (name.startsWith(`${pkg}.`) && kinds.includes(name.slice(pkg.length + 1))) return true;
  }
  return false;
}

/** Go's name for a message (`v1.PodSpec`), as Kubernetes prints types in its errors. */
export function goTypeName(type: protobuf.Type): string {
  const parts = type.fullName.replace(/^\./, '').split('.');
  return parts.slice(-2).join('.');
}
