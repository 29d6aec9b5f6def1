// `kubectl rollout history` and `kubectl rollout undo --to-revision` as the dashboard does them.
// A Deployment's revisions are its ReplicaSets (annotation deployment.kubernetes.io/revision); a
// StatefulSet's or DaemonSet's are its ControllerRevisions, whose `data` is the strategic-merge patch
// `{"spec":{"template":{…,"$patch":"replace"}}}` that restores that template.
import { stringify } from 'yaml';
import type { KubeObject } from '../../shared/api/meta';

export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';
export const CHANGE_CAUSE_ANNOTATION = 'kubernetes.io/change-cause';
export const POD_TEMPLATE_HASH = 'pod-template-hash';

export interface Revision {
  revision: number;
  /** The ReplicaSet or ControllerRevision holding it. */
  source: KubeObject;
  template: Record<string, unknown>;
  changeCause?: string;
  created?: string;
  /** The revision the workload runs now (the highest one). */
  current: boolean;
}

const controlledBy = (owner: KubeObject) => (o: KubeObject) => (o.metadata.ownerReferences ?? []).some((r) => r.controller && r.uid === owner.metadata.uid);

function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value ?? {})) as T;
}

/** A pod template without what the controller adds (pod-template-hash), as kubectl prints it. */
export function cleanTemplate(template: unknown): Record<string, unknown> {
  const t = clone((template ?? {}) as Record<string, unknown>);
  delete t.$patch;
  const metadata = t.metadata as { labels?: Record<string, string> } | undefined;
  if (metadata?.labels) {
    delete metadata.labels[POD_TEMPLATE_HASH];
    if (!Object.keys(metadata.labels).length) delete metadata.labels;
  }
  return t;
}

function withCurrent(revisions: Omit<Revision, 'current'>[]): Revision[] {
  const sorted = [...revisions].sort((a, b) => a.revision - b.revision);
  const top = sorted.at(-1)?.revision;
  return sorted.map((r) => ({ ...r, current: r.revision === top }));
}

export function deploymentRevisions(deployment: KubeObject, replicaSets: KubeObject[]): Revision[] {
  return withCurrent(
    replicaSets
      .filter(controlledBy(deployment))
      .map((rs) => ({
        revision: Number(rs.metadata.annotations?.[REVISION_ANNOTATION] ?? 0),
        source: rs,
        template: cleanTemplate((rs.spec as { template?: unknown } | undefined)?.template),
        changeCause: rs.metadata.annotations?.[CHANGE_CAUSE_ANNOTATION],
        created: rs.metadata.creationTimestamp,
      }))
      .filter((r) => r.revision > 0),
  );
}

export function controllerRevisions(owner: KubeObject, revisions: KubeObject[]): Revision[] {
  return withCurrent(
    revisions.filter(controlledBy(owner)).map((cr) => ({
      revision: Number(cr.revision ?? 0),
      source: cr,
      template: cleanTemplate((cr.data as { spec?: { template?: unknown } } | undefined)?.spec?.template),
      changeCause: cr.metadata.annotations?.[CHANGE_CAUSE_ANNOTATION],
      created: cr.metadata.creationTimestamp,
    })),
  );
}

export interface UndoRequest {
  type: 'json' | 'strategic';
  body: unknown;
}

/**
 * The PATCH of `kubectl rollout undo --to-revision=N`: for a Deployment a JSON patch replacing
 * spec.template with the ReplicaSet's (minus pod-template-hash); for the others the
 * ControllerRevision's data as a strategic-merge patch. Throws kubectl's refusals.
 */
export function undoRequest(kind: string, workload: KubeObject, target: Revision): UndoRequest {
  if (kind === 'Deployment') {
    if ((workload.spec as { paused?: boolean } | undefined)?.paused) {
      throw new Error(`you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume deployment/${workload.metadata.name}' and try again`);
    }
    const template = cleanTemplate((target.source.spec as { template?: unknown } | undefined)?.template);
    return { type: 'json', body: [{ op: 'replace', path: '/spec/template', value: template }] };
  }
  return { type: 'strategic', body: clone(target.source.data) };
}

export type DiffLine = { op: ' ' | '-' | '+'; text: string };

/** Line diff (longest common subsequence) of two texts; pod templates are small enough for O(n·m). */
export function diffLines(before: string, after: string): DiffLine[] {
  const a = before.split('\n');
  const b = after.split('\n');
  const lcs: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) for (let j = b.length - 1; j >= 0; j--) lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  const out: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      out.push({ op: ' ', text: a[i++] });
      j++;
    } else if (lcs[i + 1][j] >= lcs[i][j + 1]) out.push({ op: '-', text: a[i++] });
    else out.push({ op: '+', text: b[j++] });
  }
  while (i < a.length) out.push({ op: '-', text: a[i++] });
  while (j < b.length) out.push({ op: '+', text: b[j++] });
  return out;
}

export function templateYaml(template: Record<string, unknown>): string {
  return stringify(template, { sortMapEntries: true }).trimEnd();
}
