// Pure helpers of the StatefulSet controller (k8s pkg/controller/statefulset/stateful_set_utils.go):
// ordinals, identity, claims and the pod a set creates for an ordinal.
import type { Pod, Volume } from '../../shared/api/pod';
import type { PersistentVolumeClaim } from '../../shared/api/storage';
import type { StatefulSet } from '../../shared/api/workloads';
import { cloneObject } from '../client/cache-object';

export const POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';
export const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';
export const REVISION_LABEL = 'controller-revision-hash';

/** `web-3` of set `web` → 3; undefined for names that are not `<set>-<ordinal>`. */
export function ordinalOf(set: StatefulSet, pod: Pod): number | undefined {
  const prefix = `${set.metadata.name}-`;
  const name = pod.metadata.name ?? '';
  if (!name.startsWith(prefix)) return undefined;
  const rest = name.slice(prefix.length);
  return /^(0|[1-9]\d*)$/.test(rest) ? Number(rest) : undefined;
}

export const startOrdinal = (set: StatefulSet): number => set.spec?.ordinals?.start ?? 0;
export const replicasOf = (set: StatefulSet): number => set.spec?.replicas ?? 1;

export const podRevision = (pod: Pod): string | undefined => pod.metadata.labels?.[REVISION_LABEL];

export function claimName(templateName: string, set: StatefulSet, ordinal: number): string {
  return `${templateName}-${set.metadata.name}-${ordinal}`;
}

/** The claims an ordinal's pod mounts, one per volumeClaimTemplate, labelled like the set's pods. */
export function claimsFor(set: StatefulSet, ordinal: number): PersistentVolumeClaim[] {
  const selectorLabels = (set.spec?.selector as { matchLabels?: Record<string, string> } | undefined)?.matchLabels ?? {};
  return (set.spec?.volumeClaimTemplates ?? []).map((t) => {
    const claim = cloneObject(t);
    return {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: {
        name: claimName(t.metadata.name!, set, ordinal),
        namespace: set.metadata.namespace,
        labels: { ...(claim.metadata.labels ?? {}), ...selectorLabels },
        ...(claim.metadata.annotations ? { annotations: claim.metadata.annotations } : {}),
      },
      spec: claim.spec,
    };
  });
}

/** The pod of `ordinal`: stable name, hostname/subdomain for the headless Service, claims mounted. */
export function newStatefulPod(set: StatefulSet, ordinal: number, revision: string): Pod {
  const template = cloneObject(set.spec?.template ?? {});
  const name = `${set.metadata.name}-${ordinal}`;
  const spec = template.spec ?? { containers: [] };
  const claimVolumes: Volume[] = (set.spec?.volumeClaimTemplates ?? []).map((t) => ({
    name: t.metadata.name!,
    persistentVolumeClaim: { claimName: claimName(t.metadata.name!, set, ordinal) },
  }));
  const claimed = new Set(claimVolumes.map((v) => v.name));
  spec.volumes = [...(spec.volumes ?? []).filter((v) => !claimed.has(v.name)), ...claimVolumes];
  if (!spec.volumes.length) delete spec.volumes;
  spec.hostname = name;
  if (set.spec?.serviceName) spec.subdomain = set.spec.serviceName;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: set.metadata.namespace,
      labels: { ...(template.metadata?.labels ?? {}), [POD_NAME_LABEL]: name, [POD_INDEX_LABEL]: String(ordinal), [REVISION_LABEL]: revision },
      ...(template.metadata?.annotations ? { annotations: template.metadata.annotations } : {}),
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: set.metadata.name!, uid: set.metadata.uid!, controller: true, blockOwnerDeletion: true }],
    },
    spec,
  };
}

export const isTerminated = (pod: Pod): boolean => pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
export const isRunning = (pod: Pod): boolean => pod.status?.phase === 'Running';

/** Deep equality by value, ignoring key order (a stored status may come back with keys reordered). */
export function sameValue(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v).filter((k) => (v as Record<string, unknown>)[k] !== undefined).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}
