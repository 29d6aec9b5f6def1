// ConfigMap and Secret data as the form edits it. Secret `data` and ConfigMap `binaryData` are
// base64 on the wire; the form shows text when the bytes are valid UTF-8 and otherwise keeps the
// original base64 untouched ("binary"), so saving never mangles a key the person did not edit.
import type { KubeObject } from '../../shared/api/meta';

export interface DataEntry {
  key: string;
  /** Decoded text for text values; undefined for binary values (kept as base64 in `base64`). */
  text?: string;
  base64?: string;
  /** Which map the key came from / goes to: ConfigMap data vs binaryData; Secret data. */
  binary: boolean;
}

export function base64ToBytes(b64: string): Uint8Array {
  const raw = atob(b64);
  const bytes = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  return bytes;
}

export function bytesToBase64(bytes: Uint8Array): string {
  let raw = '';
  for (let i = 0; i < bytes.length; i += 0x8000) raw += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(raw);
}

/** UTF-8 text of base64 data, or undefined when the bytes are not valid UTF-8 (or hold NULs). */
export function decodeText(b64: string): string | undefined {
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(base64ToBytes(b64));
    return text.includes('\u0000') ? undefined : text;
  } catch {
    return undefined;
  }
}

export function encodeText(text: string): string {
  return bytesToBase64(new TextEncoder().encode(text));
}

export function byteLength(b64: string): number {
  return Math.floor((b64.length * 3) / 4) - (b64.endsWith('==') ? 2 : b64.endsWith('=') ? 1 : 0);
}

/** The form rows of a ConfigMap or Secret, sorted by key. */
export function entriesOf(kind: 'ConfigMap' | 'Secret', object: KubeObject): DataEntry[] {
  const data = (object.data as Record<string, string> | undefined) ?? {};
  const rows: DataEntry[] = [];
  if (kind === 'ConfigMap') {
    for (const [key, text] of Object.entries(data)) rows.push({ key, text, binary: false });
    for (const [key, base64] of Object.entries((object.binaryData as Record<string, string> | undefined) ?? {})) rows.push({ key, base64, binary: true });
  } else {
    for (const [key, base64] of Object.entries(data)) {
      const text = decodeText(base64);
      rows.push(text === undefined ? { key, base64, binary: true } : { key, text, base64, binary: false });
    }
  }
  return rows.sort((a, b) => a.key.localeCompare(b.key));
}

/** Kubernetes' rule for ConfigMap/Secret keys (IsConfigMapKey). */
export function keyProblem(key: string, others: string[]): 'empty' | 'invalid' | 'duplicate' | undefined {
  if (!key) return 'empty';
  if (key.length > 253 || !/^[-._a-zA-Z0-9]+$/.test(key) || key === '.' || key === '..' || key.startsWith('..')) return 'invalid';
  if (others.includes(key)) return 'duplicate';
  return undefined;
}

/**
 * The object to PUT: the original with its data maps rebuilt from the rows (resourceVersion kept, so
 * a concurrent change is a 409 Conflict rather than a silent overwrite).
 */
export function withEntries(kind: 'ConfigMap' | 'Secret', original: KubeObject, rows: DataEntry[]): KubeObject {
  const next = JSON.parse(JSON.stringify(original)) as KubeObject;
  delete next.metadata.managedFields;
  const data: Record<string, string> = {};
  const binaryData: Record<string, string> = {};
  for (const row of rows) {
    if (kind === 'Secret') data[row.key] = row.binary ? (row.base64 ?? '') : encodeText(row.text ?? '');
    else if (row.binary) binaryData[row.key] = row.base64 ?? '';
    else data[row.key] = row.text ?? '';
  }
  if (Object.keys(data).length) next.data = data;
  else delete next.data;
  if (kind === 'ConfigMap' && Object.keys(binaryData).length) next.binaryData = binaryData;
  else delete next.binaryData;
  delete next.stringData;
  return next;
}

export interface PodReference {
  pod: KubeObject;
  /** How it is used: env (container/key), envFrom (container), volume (name), projected volume (name). */
  via: string[];
}

interface ContainerLike {
  name?: string;
  env?: Array<{ name?: string; valueFrom?: { configMapKeyRef?: { name?: string; key?: string }; secretKeyRef?: { name?: string; key?: string } } }>;
  envFrom?: Array<{ configMapRef?: { name?: string }; secretRef?: { name?: string } }>;
}

interface VolumeLike {
  name?: string;
  configMap?: { name?: string };
  secret?: { secretName?: string };
  projected?: { sources?: Array<{ configMap?: { name?: string }; secret?: { name?: string } }> };
}

/** Pods of the namespace that reference the ConfigMap/Secret through env, envFrom, volumes or projected volumes. */
export function podsUsing(kind: 'ConfigMap' | 'Secret', name: string, namespace: string | undefined, pods: KubeObject[]): PodReference[] {
  const isCm = kind === 'ConfigMap';
  const out: PodReference[] = [];
  for (const pod of pods) {
    if (pod.metadata.namespace !== namespace) continue;
    const spec = (pod.spec ?? {}) as { containers?: ContainerLike[]; initContainers?: ContainerLike[]; volumes?: VolumeLike[] };
    const via: string[] = [];
    for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
      for (const e of c.env ?? []) {
        const ref = isCm ? e.valueFrom?.configMapKeyRef : e.valueFrom?.secretKeyRef;
        if (ref?.name === name) via.push(`env ${c.name}/${e.name} ← ${ref.key}`);
      }
      for (const e of c.envFrom ?? []) if ((isCm ? e.configMapRef : e.secretRef)?.name === name) via.push(`envFrom ${c.name}`);
    }
    for (const v of spec.volumes ?? []) {
      if ((isCm ? v.configMap?.name : v.secret?.secretName) === name) via.push(`volume ${v.name}`);
      if ((v.projected?.sources ?? []).some((s) => (isCm ? s.configMap : s.secret)?.name === name)) via.push(`projected volume ${v.name}`);
    }
    if (via.length) out.push({ pod, via });
  }
  return out.sort((a, b) => (a.pod.metadata.name ?? '').localeCompare(b.pod.metadata.name ?? ''));
}
