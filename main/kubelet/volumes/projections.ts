// Payloads of the projected volume kinds (configMap, secret, downwardAPI, projected) as Kubernetes'
// volume plugins compute them: items select keys and paths, modes default to defaultMode (0644),
// optional sources may be missing, and a missing required key fails the mount with Kubernetes' text.
import type { ConfigMap, Secret } from '../../../shared/api/config';
import type { KeyToPath, ObjectFieldSelector, Pod, ResourceFieldSelector, Volume } from '../../../shared/api/pod';
import { containerResourceValue, podFieldValue, type ConfigSource } from '../env';
import type { FileProjection } from './atomic-writer';

export const DEFAULT_MODE = 0o644;

/** A projection failure: the volume cannot be set up (the kubelet reports FailedMount). */
export class ProjectionError extends Error {}

export type Payload = Map<string, FileProjection>;

interface KeyedSource {
  kind: 'configmap' | 'secret';
  name: string;
  items?: KeyToPath[];
  optional?: boolean;
}

/** The ConfigMaps and Secrets a volume reads (so their edits can trigger a refresh). */
export function volumeSources(volume: Volume): Array<{ kind: 'configmap' | 'secret'; name: string }> {
  const out: Array<{ kind: 'configmap' | 'secret'; name: string }> = [];
  if (volume.configMap) out.push({ kind: 'configmap', name: volume.configMap.name ?? '' });
  if (volume.secret) out.push({ kind: 'secret', name: volume.secret.secretName ?? '' });
  for (const s of (volume.projected?.sources ?? []) as ProjectedSource[]) {
    if (s.configMap) out.push({ kind: 'configmap', name: s.configMap.name ?? '' });
    if (s.secret) out.push({ kind: 'secret', name: s.secret.name ?? '' });
  }
  return out;
}

interface ProjectedSource {
  configMap?: { name?: string; items?: KeyToPath[]; optional?: boolean };
  secret?: { name?: string; items?: KeyToPath[]; optional?: boolean };
  downwardAPI?: { items?: DownwardItem[] };
  serviceAccountToken?: { path: string; expirationSeconds?: number; audience?: string };
  clusterTrustBundle?: unknown;
}

interface DownwardItem {
  path: string;
  fieldRef?: ObjectFieldSelector;
  resourceFieldRef?: ResourceFieldSelector;
  mode?: number;
}

async function keyed(source: ConfigSource, ns: string, src: KeyedSource, defaultMode: number, out: Payload): Promise<void> {
  let data: Record<string, Buffer> | undefined;
  if (src.kind === 'configmap') {
    const cm: ConfigMap | undefined = await source.configMap(ns, src.name);
    if (cm) {
      data = {};
      for (const [k, v] of Object.entries(cm.data ?? {})) data[k] = Buffer.from(v, 'utf8');
      for (const [k, v] of Object.entries(cm.binaryData ?? {})) data[k] = Buffer.from(v, 'base64');
    }
  } else {
    const secret: Secret | undefined = await source.secret(ns, src.name);
    if (secret) data = Object.fromEntries(Object.entries(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')]));
  }
  if (!data) {
    if (src.optional) return;
    throw new ProjectionError(`${src.kind} "${src.name}" not found`);
  }
  if (!src.items?.length) {
    for (const [k, v] of Object.entries(data)) out.set(k, { data: v, mode: defaultMode });
    return;
  }
  for (const item of src.items) {
    const value = data[item.key];
    if (value === undefined) {
      if (src.optional) continue;
      throw new ProjectionError(src.kind === 'configmap' ? `configmap references non-existent config key: ${item.key}` : `references non-existent secret key: ${item.key}`);
    }
    out.set(item.path, { data: value, mode: item.mode ?? defaultMode });
  }
}

async function downward(source: ConfigSource, pod: Pod, items: DownwardItem[], defaultMode: number, out: Payload): Promise<void> {
  let allocatable: Record<string, string> | undefined | null = null;
  for (const item of items) {
    let value = '';
    if (item.fieldRef) {
      try {
        value = podFieldValue(pod, item.fieldRef);
      } catch (e) {
        throw new ProjectionError((e as Error).message);
      }
    } else if (item.resourceFieldRef) {
      const name = item.resourceFieldRef.containerName;
      const container = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].find((c) => c.name === name);
      if (!container) throw new ProjectionError(`cannot find container ${name ?? ''} in pod ${pod.metadata.name}`);
      if (allocatable === null) allocatable = pod.spec?.nodeName ? await source.nodeAllocatable(pod.spec.nodeName) : undefined;
      try {
        value = containerResourceValue(item.resourceFieldRef, container, allocatable);
      } catch (e) {
        throw new ProjectionError((e as Error).message);
      }
    }
    out.set(item.path, { data: Buffer.from(value, 'utf8'), mode: item.mode ?? defaultMode });
  }
}

/** The files of a configMap/secret/downwardAPI/projected volume; undefined for other kinds. */
export async function projectVolume(source: ConfigSource, pod: Pod, volume: Volume): Promise<Payload | undefined> {
  const ns = pod.metadata.namespace ?? 'default';
  const out: Payload = new Map();
  if (volume.configMap) {
    const v = volume.configMap;
    await keyed(source, ns, { kind: 'configmap', name: v.name ?? '', items: v.items, optional: v.optional }, v.defaultMode ?? DEFAULT_MODE, out);
    return out;
  }
  if (volume.secret) {
    const v = volume.secret;
    await keyed(source, ns, { kind: 'secret', name: v.secretName ?? '', items: v.items, optional: v.optional }, v.defaultMode ?? DEFAULT_MODE, out);
    return out;
  }
  if (volume.downwardAPI) {
    await downward(source, pod, (volume.downwardAPI.items ?? []) as DownwardItem[], volume.downwardAPI.defaultMode ?? DEFAULT_MODE, out);
    return out;
  }
  if (volume.projected) {
    const mode = volume.projected.defaultMode ?? DEFAULT_MODE;
    for (const s of (volume.projected.sources ?? []) as ProjectedSource[]) {
      if (s.configMap) await keyed(source, ns, { kind: 'configmap', name: s.configMap.name ?? '', items: s.configMap.items, optional: s.configMap.optional }, mode, out);
      else if (s.secret) await keyed(source, ns, { kind: 'secret', name: s.secret.name ?? '', items: s.secret.items, optional: s.secret.optional }, mode, out);
      else if (s.downwardAPI) await downward(source, pod, s.downwardAPI.items ?? [], mode, out);
      // serviceAccountToken and clusterTrustBundle need the TokenRequest API, which the lab does not serve yet.
    }
    return out;
  }
  return undefined;
}
