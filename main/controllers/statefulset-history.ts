// ControllerRevision history (k8s pkg/controller/history), shared by the StatefulSet and DaemonSet
// controllers: one ControllerRevision per distinct pod template, named `<set>-<hash>`, owned by the set,
// holding the template as the strategic-merge patch `{"spec":{"template":{…,"$patch":"replace"}}}` that
// `kubectl rollout undo` sends back to the set. Re-applying an old template renumbers that revision to
// the newest number instead of creating a copy, which is how a rollback shows up in `rollout history`.
import { isAlreadyExists, isNotFound } from '../../shared/api/errors';
import { labelSelectorAsSelector, type LabelSelectorObject } from '../../shared/api/labels';
import type { KubeObject, OwnerReference } from '../../shared/api/meta';
import type { PodTemplateSpec } from '../../shared/api/pod';
import type { ControllerRevision } from '../../shared/api/workloads';
import { cloneObject } from '../client/cache-object';
import type { KubeClient } from '../client/client';
import { CONTROLLERREVISIONS } from '../client/gvr';
import { indexByOwnerUid, OWNER_UID_INDEX } from '../client/indexer';
import type { SharedInformer } from '../client/informer';
import type { SharedInformerFactory } from '../client/informer-factory';
import { computeHash } from './deployment/util';

export const REVISION_HASH_LABEL = 'controller-revision-hash';
export const DEFAULT_REVISION_HISTORY_LIMIT = 10;

/** Go's json.Marshal of a map sorts keys at every level; stored patches follow it so equal templates compare equal. */
function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) if ((value as Record<string, unknown>)[k] !== undefined) out[k] = sortedKeys((value as Record<string, unknown>)[k]);
    return out;
  }
  return value;
}

/** getPatch of the StatefulSet/DaemonSet controllers: the template, marked to replace the set's wholesale. */
export function templatePatch(template: PodTemplateSpec | undefined): { spec: { template: Record<string, unknown> } } {
  return { spec: { template: sortedKeys({ ...cloneObject(template ?? {}), $patch: 'replace' }) as Record<string, unknown> } };
}

/** The pod template a revision holds (its patch without the directive). */
export function templateOfRevision(revision: ControllerRevision | undefined): PodTemplateSpec | undefined {
  const template = (revision?.data as { spec?: { template?: Record<string, unknown> } } | undefined)?.spec?.template;
  if (!template) return undefined;
  const { $patch: _directive, ...rest } = template;
  return rest as PodTemplateSpec;
}

const canonical = (v: unknown): string => JSON.stringify(sortedKeys(v));
export const sameTemplate = (a: PodTemplateSpec | undefined, b: PodTemplateSpec | undefined): boolean => canonical(a ?? {}) === canonical(b ?? {});

export interface HistoryParent extends KubeObject {
  spec?: { template?: PodTemplateSpec; revisionHistoryLimit?: number; selector?: unknown };
  status?: { collisionCount?: number };
}

export interface RevisionSync {
  /** The revision of the parent's current template (created, found, or renumbered). */
  update: ControllerRevision;
  /** Every revision the parent owns after the sync, oldest first. */
  revisions: ControllerRevision[];
  /** status.collisionCount to record (raised when a name was taken by different data). */
  collisionCount: number;
}

export class ControllerHistory {
  readonly informer: SharedInformer<ControllerRevision>;

  constructor(
    private readonly client: KubeClient,
    informers: SharedInformerFactory,
    private readonly kind: 'StatefulSet' | 'DaemonSet',
  ) {
    this.informer = informers.informerFor<ControllerRevision>(CONTROLLERREVISIONS, { indexers: { [OWNER_UID_INDEX]: indexByOwnerUid } });
  }

  /** The parent's revisions, oldest first (ties by name, as history.SortControllerRevisions). */
  owned(parent: KubeObject): ControllerRevision[] {
    return this.informer.lister.byIndex(OWNER_UID_INDEX, parent.metadata.uid!)
      .filter((r) => r.metadata.ownerReferences?.some((o) => o.controller && o.uid === parent.metadata.uid) && !r.metadata.deletionTimestamp)
      .sort((a, b) => (a.revision ?? 0) - (b.revision ?? 0) || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
  }

  /** The revision name and hash label for `template` under `collisionCount`. */
  nameFor(parent: KubeObject, template: PodTemplateSpec | undefined, collisionCount: number): { name: string; hash: string } {
    const hash = computeHash(template, collisionCount > 0 ? collisionCount : undefined);
    return { name: `${parent.metadata.name!.slice(0, 223)}-${hash}`, hash };
  }

  /**
   * getStatefulSetRevisions / constructHistory: find the revision equal to the parent's template; renumber it
   * to the newest when it is an older one (rollback); otherwise create it with the next number.
   */
  async sync(parent: HistoryParent): Promise<RevisionSync> {
    const revisions = [...this.owned(parent), ...(await this.adoptOrphans(parent))];
    revisions.sort((a, b) => (a.revision ?? 0) - (b.revision ?? 0) || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
    const template = parent.spec?.template;
    const next = (revisions.at(-1)?.revision ?? 0) + 1;
    const equal = revisions.filter((r) => sameTemplate(templateOfRevision(r), template));
    let collisionCount = parent.status?.collisionCount ?? 0;
    let update: ControllerRevision;
    const newest = equal.at(-1);
    if (newest && newest === revisions.at(-1)) update = newest;
    else if (newest) update = await this.renumber(newest, next);
    else {
      const created = await this.create(parent, template, next, collisionCount);
      update = created.revision;
      collisionCount = created.collisionCount;
    }
    const all = revisions.filter((r) => r.metadata.name !== update.metadata.name);
    all.push(update);
    all.sort((a, b) => (a.revision ?? 0) - (b.revision ?? 0));
    return { update, revisions: all, collisionCount };
  }

  /**
   * truncateHistory / cleanupHistory: keep the live revisions (`live` — current, update, any a pod runs) and
   * the newest `revisionHistoryLimit` others; delete the older ones.
   */
  async truncate(parent: HistoryParent, revisions: ControllerRevision[], live: (r: ControllerRevision) => boolean): Promise<void> {
    const limit = parent.spec?.revisionHistoryLimit ?? DEFAULT_REVISION_HISTORY_LIMIT;
    const history = revisions.filter((r) => !live(r));
    if (history.length <= limit) return;
    for (const r of history.slice(0, history.length - limit)) {
      await this.client.resource(CONTROLLERREVISIONS).delete(r.metadata.namespace, r.metadata.name!, { preconditions: { uid: r.metadata.uid } })
        .catch((e: unknown) => { if (!isNotFound(e)) throw e; });
    }
  }

  /**
   * ClaimControllerRevisions: revisions left without a controller (the set was deleted with
   * --cascade=orphan) whose labels match the selector become this set's again, so a re-created set
   * finds its history and its pods' revision instead of seeing a hash collision.
   */
  private async adoptOrphans(parent: HistoryParent): Promise<ControllerRevision[]> {
    const selector = labelSelectorAsSelector(parent.spec?.selector as LabelSelectorObject | undefined);
    const orphans = this.informer.lister.listNamespace(parent.metadata.namespace ?? '')
      .filter((r) => !r.metadata.ownerReferences?.some((o) => o.controller) && !r.metadata.deletionTimestamp && selector.matches(r.metadata.labels));
    const adopted: ControllerRevision[] = [];
    for (const r of orphans) {
      const patch = { metadata: { uid: r.metadata.uid, ownerReferences: [...(r.metadata.ownerReferences ?? []), ownerRef(parent, this.kind)] } };
      try {
        adopted.push(await this.client.resource<ControllerRevision>(CONTROLLERREVISIONS).patch(r.metadata.namespace, r.metadata.name!, 'application/merge-patch+json', patch));
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
    return adopted;
  }

  private async renumber(revision: ControllerRevision, to: number): Promise<ControllerRevision> {
    const copy = cloneObject(revision);
    copy.revision = to;
    return this.client.resource<ControllerRevision>(CONTROLLERREVISIONS).update(copy.metadata.namespace, copy);
  }

  /** CreateControllerRevision: a name taken by different data is a hash collision; raise the count and retry. */
  private async create(parent: HistoryParent, template: PodTemplateSpec | undefined, revision: number, collisionCount: number): Promise<{ revision: ControllerRevision; collisionCount: number }> {
    const api = this.client.resource<ControllerRevision>(CONTROLLERREVISIONS);
    for (;;) {
      const { name, hash } = this.nameFor(parent, template, collisionCount);
      const labels: Record<string, string> = { ...(template?.metadata?.labels ?? {}) };
      // DaemonSets label their revisions with the hash their pods carry; StatefulSet pods carry the name.
      if (this.kind === 'DaemonSet') labels[REVISION_HASH_LABEL] = hash;
      const body: ControllerRevision = {
        apiVersion: 'apps/v1',
        kind: 'ControllerRevision',
        metadata: {
          name,
          namespace: parent.metadata.namespace,
          labels,
          ...(parent.metadata.annotations ? { annotations: { ...parent.metadata.annotations } } : {}),
          ownerReferences: [ownerRef(parent, this.kind)],
        },
        data: templatePatch(template),
        revision,
      };
      try {
        return { revision: await api.create(parent.metadata.namespace, body), collisionCount };
      } catch (e) {
        if (!isAlreadyExists(e)) throw e;
        const existing = await api.get(parent.metadata.namespace, name);
        const ours = existing.metadata.ownerReferences?.some((o) => o.controller && o.uid === parent.metadata.uid);
        // Our own revision, missed by a lagging cache: it is the one we wanted.
        if (ours && sameTemplate(templateOfRevision(existing), template)) {
          return { revision: existing.revision === revision ? existing : await this.renumber(existing, Math.max(revision, existing.revision)), collisionCount };
        }
        collisionCount++;
      }
    }
  }
}

function ownerRef(parent: KubeObject, kind: string): OwnerReference {
  return { apiVersion: 'apps/v1', kind, name: parent.metadata.name!, uid: parent.metadata.uid!, controller: true, blockOwnerDeletion: true };
}
