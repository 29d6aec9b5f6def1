// The kubectl command each dashboard action stands for, shown in learning mode next to the HTTP
// requests it made, so a learner can do the same from a terminal (and on a real cluster).
import type { KubeObject } from '../../shared/api/meta';
import type { PropagationPolicy, RequestRecord } from '../api/client';

export interface KindRef {
  kind: string;
  group: string;
  namespaced: boolean;
}

/** Groups kubectl resolves from the bare kind; others are spelled kind.group to stay unambiguous. */
const BUILT_IN_GROUPS = new Set(['', 'apps', 'batch', 'policy', 'autoscaling', 'networking.k8s.io', 'storage.k8s.io', 'coordination.k8s.io', 'discovery.k8s.io']);

/** Quotes for a POSIX shell only when needed (so `deployment/web` stays readable). */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'"'"'`)}'`;
}

export function commandLine(words: string[]): string {
  return words.map(shellQuote).join(' ');
}

export function resourceArg(type: KindRef, name: string): string {
  const kind = type.kind.toLowerCase();
  return `${BUILT_IN_GROUPS.has(type.group) ? kind : `${kind}.${type.group}`}/${name}`;
}

function nsArgs(type: KindRef, object: Pick<KubeObject, 'metadata'>): string[] {
  return type.namespaced && object.metadata.namespace ? ['-n', object.metadata.namespace] : [];
}

function on(type: KindRef, object: Pick<KubeObject, 'metadata'>): string[] {
  return [resourceArg(type, object.metadata.name ?? ''), ...nsArgs(type, object)];
}

export const kubectl = {
  delete: (t: KindRef, o: KubeObject, policy: PropagationPolicy) => commandLine(['kubectl', 'delete', ...on(t, o), `--cascade=${policy.toLowerCase()}`]),
  scale: (t: KindRef, o: KubeObject, replicas: number) => commandLine(['kubectl', 'scale', ...on(t, o), `--replicas=${replicas}`]),
  cordon: (o: KubeObject, cordon: boolean) => commandLine(['kubectl', cordon ? 'cordon' : 'uncordon', o.metadata.name ?? '']),
  restart: (t: KindRef, o: KubeObject) => commandLine(['kubectl', 'rollout', 'restart', ...on(t, o)]),
  pause: (t: KindRef, o: KubeObject, pause: boolean) => commandLine(['kubectl', 'rollout', pause ? 'pause' : 'resume', ...on(t, o)]),
  history: (t: KindRef, o: KubeObject) => commandLine(['kubectl', 'rollout', 'history', ...on(t, o)]),
  undo: (t: KindRef, o: KubeObject, revision: number) => commandLine(['kubectl', 'rollout', 'undo', ...on(t, o), `--to-revision=${revision}`]),
  suspend: (t: KindRef, o: KubeObject, suspend: boolean) => commandLine(['kubectl', 'patch', ...on(t, o), '-p', JSON.stringify({ spec: { suspend } })]),
  trigger: (o: KubeObject, jobName: string) =>
    commandLine(['kubectl', 'create', 'job', jobName, `--from=cronjob/${o.metadata.name}`, ...(o.metadata.namespace ? ['-n', o.metadata.namespace] : [])]),
  createFile: (file: string) => commandLine(['kubectl', 'create', '-f', file]),
  applyFile: (file: string) => commandLine(['kubectl', 'apply', '--server-side', '--field-manager=bosun-dashboard', '-f', file]),
  edit: (t: KindRef, o: KubeObject) => commandLine(['kubectl', 'edit', ...on(t, o)]),
  /** kubectl create configmap|secret generic NAME --from-literal=…; Secret values are never echoed. */
  createConfig: (kind: 'ConfigMap' | 'Secret', namespace: string | undefined, name: string, data: Record<string, string>) =>
    commandLine([
      'kubectl',
      'create',
      ...(kind === 'Secret' ? ['secret', 'generic'] : ['configmap']),
      name,
      ...Object.entries(data).map(([k, v]) => `--from-literal=${k}=${kind === 'Secret' ? '…' : v}`),
      ...(namespace ? ['-n', namespace] : []),
    ]),
};

const REDACTED = '<redacted>';

/** Secret values never reach the learning panel: data and stringData values are replaced. */
export function redactSecretBody(body: string | undefined): string | undefined {
  if (!body) return body;
  try {
    const parsed: unknown = JSON.parse(body);
    const redact = (o: unknown): void => {
      if (Array.isArray(o)) return o.forEach(redact);
      if (typeof o !== 'object' || o === null) return;
      const obj = o as Record<string, unknown>;
      if (obj.kind === 'Secret' || 'stringData' in obj) {
        for (const field of ['data', 'stringData']) {
          const values = obj[field] as Record<string, unknown> | undefined;
          if (values && typeof values === 'object') for (const k of Object.keys(values)) values[k] = REDACTED;
        }
      }
    };
    redact(parsed);
    return JSON.stringify(parsed);
  } catch {
    return body;
  }
}

/** A request in curl-like form: `PATCH /apis/apps/v1/...?... (application/merge-patch+json)` plus a body excerpt. */
export function describeRequest(record: RequestRecord, maxBody = 600): { line: string; body?: string } {
  const line = `${record.method} ${record.path}`;
  const isSecret = /\/secrets(\/|\?|$)/.test(record.path);
  let body = isSecret ? redactSecretBody(record.body) : record.body;
  if (body && body.length > maxBody) body = `${body.slice(0, maxBody)}…`;
  return { line, body };
}
