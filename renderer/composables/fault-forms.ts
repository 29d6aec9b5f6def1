// The Chaos screen's creation forms as objects: what each form builds (the same YAML `kubectl apply`
// takes, docs/CHAOS.md) and where the API's 422 causes land on the form, so a refusal shows next to
// the field it is about instead of in a banner.
import {
  CHAOS_API_VERSION,
  FAULT_RESOURCES,
  type FaultKind,
  type FaultMode,
  type NodeFault,
  type NodeFaultAction,
  type PodFault,
  type PodFaultAction,
  type ServiceFault,
} from '../../shared/api/chaos';
import type { ApiError } from '../../shared/api/errors';
import type { KubeObject } from '../../shared/api/meta';
import type { ApiClient } from '../api/client';
import { resourcePath } from '../api/paths';

export const POD_FAULT_ACTIONS: readonly PodFaultAction[] = ['kill', 'delete', 'failLiveness', 'failReadiness', 'cpuStress', 'memoryStress', 'imagePullFailure'];
export const FAULT_MODES: readonly FaultMode[] = ['all', 'one', 'fixed', 'fixed-percent'];

export interface NodeFaultForm {
  name: string;
  action: NodeFaultAction;
  nodes: string[];
  /** "k=v,k2=v2" used when no node is picked. */
  labels: string;
  mode: FaultMode;
  value: string;
  duration: string;
}

export interface PodFaultForm {
  name: string;
  namespace: string;
  action: PodFaultAction;
  /** Pick pods by label selector ("app=web") or by name (`pods`). */
  labels: string;
  pods: string[];
  mode: FaultMode;
  value: string;
  duration: string;
  memory: string;
  cpuWorkers?: number;
}

export interface ServiceFaultForm {
  name: string;
  namespace: string;
  service: string;
  latency: string;
  jitter: string;
  errorPercent?: number;
  dropPercent?: number;
  duration: string;
}

/** "a=b, c=d" → matchLabels; undefined when empty. Malformed pairs are kept for the API to refuse. */
export function matchLabels(text: string): Record<string, string> | undefined {
  const pairs = text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  if (!pairs.length) return undefined;
  return Object.fromEntries(pairs.map((p) => {
    const i = p.indexOf('=');
    return i < 0 ? [p, ''] : [p.slice(0, i).trim(), p.slice(i + 1).trim()];
  }));
}

const meta = (name: string, namespace?: string, prefix = 'fault') =>
  name.trim() ? { name: name.trim(), ...(namespace ? { namespace } : {}) } : { generateName: `${prefix}-`, ...(namespace ? { namespace } : {}) };
const opt = <T>(v: T | '' | undefined): T | undefined => (v === '' || v === undefined ? undefined : v);

export function nodeFaultObject(f: NodeFaultForm): NodeFault {
  const labels = matchLabels(f.labels);
  return {
    apiVersion: CHAOS_API_VERSION,
    kind: 'NodeFault',
    metadata: meta(f.name, undefined, f.action.toLowerCase()),
    spec: {
      action: f.action,
      selector: f.nodes.length ? { nodeNames: [...f.nodes] } : { ...(labels ? { labelSelector: { matchLabels: labels } } : {}) },
      mode: f.mode,
      ...(opt(f.value) !== undefined ? { value: f.value } : {}),
      ...(opt(f.duration) ? { duration: f.duration.trim() } : {}),
    },
  };
}

export function podFaultObject(f: PodFaultForm): PodFault {
  const labels = matchLabels(f.labels);
  return {
    apiVersion: CHAOS_API_VERSION,
    kind: 'PodFault',
    metadata: meta(f.name, f.namespace, f.action.toLowerCase()),
    spec: {
      action: f.action,
      selector: { namespace: f.namespace, ...(labels ? { labelSelector: { matchLabels: labels } } : {}), ...(f.pods.length ? { pods: [...f.pods] } : {}) },
      mode: f.mode,
      ...(opt(f.value) !== undefined ? { value: f.value } : {}),
      ...(opt(f.duration) ? { duration: f.duration.trim() } : {}),
      ...(f.action === 'memoryStress' && f.memory ? { memory: f.memory.trim() } : {}),
      ...(f.action === 'cpuStress' && f.cpuWorkers ? { cpuWorkers: f.cpuWorkers } : {}),
    },
  };
}

export function serviceFaultObject(f: ServiceFaultForm): ServiceFault {
  return {
    apiVersion: CHAOS_API_VERSION,
    kind: 'ServiceFault',
    metadata: meta(f.name, f.namespace, `svc-${f.service || 'fault'}`),
    spec: {
      service: { namespace: f.namespace, name: f.service },
      ...(opt(f.latency) ? { latency: f.latency.trim() } : {}),
      ...(opt(f.jitter) ? { jitter: f.jitter.trim() } : {}),
      ...(f.errorPercent ? { errorPercent: f.errorPercent } : {}),
      ...(f.dropPercent ? { dropPercent: f.dropPercent } : {}),
      ...(opt(f.duration) ? { duration: f.duration.trim() } : {}),
    },
  };
}

/** Form field of an API cause path ("spec.selector.nodeNames[0]" → "nodes"); undefined → shown as a banner. */
const FIELD_OF: Array<[RegExp, string]> = [
  [/^metadata\.(name|generateName)/, 'name'],
  [/^(metadata\.namespace|spec\.selector\.namespace|spec\.service\.namespace)/, 'namespace'],
  [/^spec\.action/, 'action'],
  [/^spec\.selector\.nodeNames/, 'nodes'],
  [/^spec\.selector\.pods/, 'pods'],
  [/^spec\.selector(\.labelSelector)?/, 'labels'],
  [/^spec\.mode/, 'mode'],
  [/^spec\.value/, 'value'],
  [/^spec\.duration/, 'duration'],
  [/^spec\.memory/, 'memory'],
  [/^spec\.cpuWorkers/, 'cpuWorkers'],
  [/^spec\.service/, 'service'],
  [/^spec\.latency/, 'latency'],
  [/^spec\.jitter/, 'jitter'],
  [/^spec\.errorPercent/, 'errorPercent'],
  [/^spec\.dropPercent/, 'dropPercent'],
];

export function fieldErrors(error: ApiError | undefined): { byField: Record<string, string>; rest: string[] } {
  const byField: Record<string, string> = {};
  const rest: string[] = [];
  for (const cause of error?.causes ?? []) {
    const field = cause.field?.replace(/^\./, '');
    const target = field ? FIELD_OF.find(([re]) => re.test(field))?.[1] : undefined;
    const text = `${field ? `${field}: ` : ''}${cause.message ?? ''}`;
    if (target) byField[target] = byField[target] ? `${byField[target]}; ${text}` : text;
    else rest.push(text);
  }
  return { byField, rest };
}

export function faultCollectionPath(kind: FaultKind, namespace?: string): string {
  return resourcePath({ group: 'chaos.bosun.dev', version: 'v1alpha1', resource: FAULT_RESOURCES[kind], namespace: kind === 'NodeFault' ? undefined : namespace });
}

export function createFault<T extends KubeObject>(client: ApiClient, kind: FaultKind, object: T): Promise<T> {
  return client.create<T>(faultCollectionPath(kind, object.metadata.namespace), object);
}
