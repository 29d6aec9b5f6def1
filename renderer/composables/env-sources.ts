// Where each environment variable of a container comes from (kubectl describe's "Environment:" and
// "Environment Variables from:"), resolved against the pod and the ConfigMaps/Secrets the page already
// watches. Secret values are never resolved here: the row only names the Secret key.
import type { KubeObject } from '../../shared/api/meta';
import type { Container, Pod, VolumeMount } from '../../shared/api/pod';

export type EnvSource = 'value' | 'configMapKey' | 'secretKey' | 'fieldRef' | 'resourceFieldRef' | 'configMapEnvFrom' | 'secretEnvFrom';

export interface EnvRow {
  /** Variable name; for envFrom without resolved keys, `<prefix>*`. */
  name: string;
  source: EnvSource;
  /** The literal value, the resolved ConfigMap value or the resolved field; never a Secret's. */
  value?: string;
  /** The object the value comes from (a link on the page). */
  ref?: { resource: 'configmaps' | 'secrets'; name: string; key?: string };
  /** fieldRef path or resourceFieldRef `resource (container)`. */
  field?: string;
  optional?: boolean;
  prefix?: string;
  /** The referenced object or key does not exist (the kubelet reports CreateContainerConfigError). */
  missing?: boolean;
}

type DataObject = KubeObject & { data?: Record<string, string> };

export interface EnvLookup {
  configMaps?: DataObject[];
  secrets?: DataObject[];
  /** Whether the lists above have loaded (otherwise nothing is reported missing). */
  loaded?: boolean;
}

/** The subset of downward-API field paths the kubelet resolves, read from the pod as it is now. */
export function resolveFieldPath(pod: Pod, path: string): string | undefined {
  const labelOrAnnotation = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path);
  if (labelOrAnnotation) return (labelOrAnnotation[1] === 'labels' ? pod.metadata.labels : pod.metadata.annotations)?.[labelOrAnnotation[2]];
  switch (path) {
    case 'metadata.name':
      return pod.metadata.name;
    case 'metadata.namespace':
      return pod.metadata.namespace;
    case 'metadata.uid':
      return pod.metadata.uid;
    case 'spec.nodeName':
      return pod.spec?.nodeName;
    case 'spec.serviceAccountName':
      return pod.spec?.serviceAccountName;
    case 'status.podIP':
      return pod.status?.podIP;
    case 'status.hostIP':
      return pod.status?.hostIP;
    default:
      return undefined;
  }
}

const find = (list: DataObject[] | undefined, namespace: string | undefined, name: string) => list?.find((o) => o.metadata.name === name && o.metadata.namespace === namespace);

export function envRows(pod: Pod, container: Container, lookup: EnvLookup = {}): EnvRow[] {
  const ns = pod.metadata.namespace;
  const rows: EnvRow[] = [];
  // envFrom first: explicit env entries override keys from envFrom, as in the kubelet.
  for (const from of container.envFrom ?? []) {
    const isConfigMap = !!from.configMapRef;
    const name = (from.configMapRef ?? from.secretRef)?.name ?? '';
    const optional = (from.configMapRef ?? from.secretRef)?.optional;
    const source: EnvSource = isConfigMap ? 'configMapEnvFrom' : 'secretEnvFrom';
    const resource = isConfigMap ? 'configmaps' : 'secrets';
    const object = find(isConfigMap ? lookup.configMaps : lookup.secrets, ns, name);
    const keys = Object.keys(object?.data ?? {}).sort();
    if (!keys.length) {
      rows.push({ name: `${from.prefix ?? ''}*`, source, ref: { resource, name }, optional, prefix: from.prefix, missing: !!lookup.loaded && !object && !optional });
      continue;
    }
    for (const key of keys) {
      rows.push({ name: `${from.prefix ?? ''}${key}`, source, ref: { resource, name, key }, optional, prefix: from.prefix, ...(isConfigMap ? { value: object?.data?.[key] } : {}) });
    }
  }
  for (const env of container.env ?? []) {
    const v = env.valueFrom;
    let row: EnvRow;
    if (v?.configMapKeyRef) {
      const { name = '', key, optional } = v.configMapKeyRef;
      const object = find(lookup.configMaps, ns, name);
      const value = object?.data?.[key];
      row = { name: env.name, source: 'configMapKey', ref: { resource: 'configmaps', name, key }, optional, value, missing: !!lookup.loaded && value === undefined && !optional };
    } else if (v?.secretKeyRef) {
      const { name = '', key, optional } = v.secretKeyRef;
      const object = find(lookup.secrets, ns, name);
      row = { name: env.name, source: 'secretKey', ref: { resource: 'secrets', name, key }, optional, missing: !!lookup.loaded && object?.data?.[key] === undefined && !optional };
    } else if (v?.fieldRef) {
      row = { name: env.name, source: 'fieldRef', field: v.fieldRef.fieldPath, value: resolveFieldPath(pod, v.fieldRef.fieldPath) };
    } else if (v?.resourceFieldRef) {
      const r = v.resourceFieldRef;
      row = { name: env.name, source: 'resourceFieldRef', field: `${r.resource} (${r.containerName ?? container.name})${r.divisor ? ` ÷ ${r.divisor}` : ''}` };
    } else {
      row = { name: env.name, source: 'value', value: env.value ?? '' };
    }
    const shadowed = rows.findIndex((r) => r.name === env.name);
    if (shadowed >= 0) rows.splice(shadowed, 1);
    rows.push(row);
  }
  return rows;
}

export type VolumeType = 'emptyDir' | 'hostPath' | 'configMap' | 'secret' | 'persistentVolumeClaim' | 'downwardAPI' | 'projected' | 'other';

export interface VolumeRow {
  name: string;
  type: VolumeType;
  /** What backs it: a linked object, a host path, or a short description. */
  ref?: { resource: 'configmaps' | 'secrets' | 'persistentvolumeclaims'; name: string };
  detail?: string;
  readOnlySource?: boolean;
  mounts: { container: string; mountPath: string; readOnly: boolean; subPath?: string; init: boolean }[];
}

export function volumeRows(pod: Pod): VolumeRow[] {
  const containers = [...(pod.spec?.initContainers ?? []).map((c) => ({ c, init: true })), ...(pod.spec?.containers ?? []).map((c) => ({ c, init: false }))];
  return (pod.spec?.volumes ?? []).map((v) => {
    const mounts = containers.flatMap(({ c, init }) =>
      (c.volumeMounts ?? [])
        .filter((m: VolumeMount) => m.name === v.name)
        .map((m: VolumeMount) => ({ container: c.name, mountPath: m.mountPath, readOnly: !!m.readOnly, init, ...(m.subPath ? { subPath: m.subPath } : {}) })),
    );
    const items = (list?: { key: string; path: string }[]) => (list?.length ? list.map((i) => `${i.key} → ${i.path}`).join(', ') : undefined);
    if (v.configMap) return { name: v.name, type: 'configMap', ref: { resource: 'configmaps', name: v.configMap.name ?? '' }, detail: items(v.configMap.items), mounts };
    if (v.secret) return { name: v.name, type: 'secret', ref: { resource: 'secrets', name: v.secret.secretName ?? '' }, detail: items(v.secret.items), mounts };
    if (v.persistentVolumeClaim) {
      return { name: v.name, type: 'persistentVolumeClaim', ref: { resource: 'persistentvolumeclaims', name: v.persistentVolumeClaim.claimName }, readOnlySource: !!v.persistentVolumeClaim.readOnly, mounts };
    }
    if (v.emptyDir) return { name: v.name, type: 'emptyDir', detail: [v.emptyDir.medium || undefined, v.emptyDir.sizeLimit && `sizeLimit ${v.emptyDir.sizeLimit}`].filter(Boolean).join(', ') || undefined, mounts };
    if (v.hostPath) return { name: v.name, type: 'hostPath', detail: `${v.hostPath.path}${v.hostPath.type ? ` (${v.hostPath.type})` : ''}`, mounts };
    if (v.downwardAPI) return { name: v.name, type: 'downwardAPI', detail: (v.downwardAPI.items ?? []).map((i) => `${i.path} ← ${i.fieldRef?.fieldPath ?? i.resourceFieldRef?.resource ?? ''}`).join(', '), mounts };
    if (v.projected) return { name: v.name, type: 'projected', detail: (v.projected.sources ?? []).map((s) => Object.keys(s)[0]).join(', '), mounts };
    return { name: v.name, type: 'other', mounts };
  });
}
