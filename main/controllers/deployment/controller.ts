// Deployment controller (k8s pkg/controller/deployment): owns ReplicaSets (adopted and released by
// selector), rolls the pod template out through them (rolling.ts, recreate.ts), scales proportionally
// (sync.ts), keeps history (history.ts) and reports progress (progress.ts). Handlers only enqueue keys.
import { isNotFound } from '../../../shared/api/errors';
import { labelSelectorAsSelector, type LabelSelector, type LabelSelectorObject } from '../../../shared/api/labels';
import type { OwnerReference } from '../../../shared/api/meta';
import type { Pod } from '../../../shared/api/pod';
import type { Deployment, ReplicaSet } from '../../../shared/api/workloads';
import { cloneObject } from '../../client/cache-object';
import type { KubeClient } from '../../client/client';
import { RealClock, type Clock } from '../../client/clock';
import { EventRecorder } from '../../client/events';
import { DEPLOYMENTS, PODS, REPLICASETS } from '../../client/gvr';
import { indexByOwnerUid, metaNamespaceKey, OWNER_UID_INDEX, splitMetaNamespaceKey } from '../../client/indexer';
import type { SharedInformer } from '../../client/informer';
import type { SharedInformerFactory } from '../../client/informer-factory';
import { runWorkers, WorkQueue } from '../../client/workqueue';
import { controllerRefOf } from './pods';
import { checkPausedConditions } from './progress';
import { rolloutRecreate } from './recreate';
import { rolloutRolling } from './rolling';
import { isScalingEvent, syncScaleOnly, syncStatusOnly, type DeploymentContext } from './sync';

export const DEPLOYMENT_COMPONENT = 'deployment-controller';

export interface DeploymentControllerOptions {
  client: KubeClient;
  informers: SharedInformerFactory;
  clock?: Clock;
  workers?: number;
  recorder?: EventRecorder;
}

export class DeploymentController {
  readonly queue: WorkQueue<string>;
  private readonly clock: Clock;
  private readonly deployments: SharedInformer<Deployment>;
  private readonly sets: SharedInformer<ReplicaSet>;
  private readonly pods: SharedInformer<Pod>;
  private readonly ctx: DeploymentContext;

  constructor(private readonly options: DeploymentControllerOptions) {
    this.clock = options.clock ?? new RealClock();
    this.queue = new WorkQueue<string>({ name: DEPLOYMENT_COMPONENT, clock: this.clock });
    const recorder = options.recorder ?? new EventRecorder(options.client, { component: DEPLOYMENT_COMPONENT, clock: this.clock });
    this.deployments = options.informers.informerFor<Deployment>(DEPLOYMENTS);
    this.sets = options.informers.informerFor<ReplicaSet>(REPLICASETS, { indexers: { [OWNER_UID_INDEX]: indexByOwnerUid } });
    this.pods = options.informers.informerFor<Pod>(PODS, { indexers: { [OWNER_UID_INDEX]: indexByOwnerUid } });
    this.ctx = {
      client: options.client,
      clock: this.clock,
      recorder,
      enqueueAfter: (d, ms) => this.queue.addAfter(metaNamespaceKey(d), ms),
      podsOf: (rs) => this.pods.lister.byIndex(OWNER_UID_INDEX, rs.metadata.uid!),
    };
    const enqueue = (d: Deployment): void => this.queue.add(metaNamespaceKey(d));
    this.deployments.addEventHandler({ onAdd: enqueue, onUpdate: (_o, d) => enqueue(d), onDelete: enqueue });
    this.sets.addEventHandler({
      onAdd: (rs) => this.setChanged(rs),
      onUpdate: (old, rs) => {
        if (old.metadata.resourceVersion === rs.metadata.resourceVersion) return;
        const oldRef = controllerRefOf(old);
        if (oldRef && oldRef.uid !== controllerRefOf(rs)?.uid) this.setChanged(old);
        this.setChanged(rs);
      },
      onDelete: (rs) => this.setChanged(rs),
    });
    // Recreate waits for old pods to be gone, so their deletion must wake the Deployment.
    this.pods.addEventHandler({
      onDelete: (pod) => {
        const ref = controllerRefOf(pod);
        if (ref?.kind !== 'ReplicaSet') return;
        const rs = this.sets.lister.get(pod.metadata.namespace, ref.name);
        const owner = rs && rs.metadata.uid === ref.uid ? this.ownerOf(rs) : undefined;
        if (owner && owner.spec?.strategy?.type === 'Recreate') enqueue(owner);
      },
    });
  }

  start(): void {
    runWorkers(this.queue, this.options.workers ?? 5, (key) => this.sync(key));
  }

  stop(): void {
    this.queue.shutDown();
  }

  private ownerOf(rs: ReplicaSet): Deployment | undefined {
    const ref = controllerRefOf(rs);
    if (!ref || ref.kind !== 'Deployment') return undefined;
    const d = this.deployments.lister.get(rs.metadata.namespace, ref.name);
    return d?.metadata.uid === ref.uid ? d : undefined;
  }

  private setChanged(rs: ReplicaSet): void {
    const owner = this.ownerOf(rs);
    if (owner) return this.queue.add(metaNamespaceKey(owner));
    if (controllerRefOf(rs)) return;
    // An orphan: every Deployment that selects it may adopt it.
    for (const d of this.deployments.lister.listNamespace(rs.metadata.namespace ?? '')) {
      if (selectorOf(d).matches(rs.metadata.labels)) this.queue.add(metaNamespaceKey(d));
    }
  }


  async sync(key: string): Promise<void> {
    const { namespace, name } = splitMetaNamespaceKey(key);
    const cached = this.deployments.lister.get(namespace, name);
    if (!cached) return;
    const d: Deployment = { ...cloneObject(cached), apiVersion: 'apps/v1', kind: 'Deployment' };
    const selector = selectorOf(d);
    if (selector.empty()) {
      this.ctx.recorder.event(d, 'Warning', 'SelectingAll', 'This deployment is selecting all pods. A non-empty selector is required.');
      if ((d.status?.observedGeneration ?? 0) < (d.metadata.generation ?? 0)) {
        await this.options.client.deployments<Deployment>().updateStatus(namespace, { ...d, status: { ...d.status, observedGeneration: d.metadata.generation } });
      }
      return;
    }
    const sets = await this.claimReplicaSets(d, selector);
    if (d.metadata.deletionTimestamp) return syncStatusOnly(this.ctx, d, sets);
    if (await checkPausedConditions(this.ctx, d)) return;
    if (d.spec?.paused) return syncScaleOnly(this.ctx, d, sets);
    if (isScalingEvent(d, sets)) return syncScaleOnly(this.ctx, d, sets);
    if (d.spec?.strategy?.type === 'Recreate') return rolloutRecreate(this.ctx, d, sets);
    return rolloutRolling(this.ctx, d, sets);
  }

  /** ControllerRefManager.ClaimReplicaSets: adopt matching orphans, release owned sets that stopped matching. */
  private async claimReplicaSets(d: Deployment, selector: LabelSelector): Promise<ReplicaSet[]> {
    const uid = d.metadata.uid!;
    const client = this.options.client.replicaSets<ReplicaSet>();
    const claimed: ReplicaSet[] = [];
    for (const rs of this.sets.lister.listNamespace(d.metadata.namespace ?? '')) {
      const ref = controllerRefOf(rs);
      const matches = selector.matches(rs.metadata.labels);
      if (ref) {
        if (ref.uid !== uid) continue;
        if (matches) {
          claimed.push(rs);
        } else if (!d.metadata.deletionTimestamp) {
          const patch = { metadata: { uid: rs.metadata.uid, ownerReferences: [{ $patch: 'delete', uid }] } };
          await client.patch(rs.metadata.namespace, rs.metadata.name!, 'application/strategic-merge-patch+json', patch).catch(ignoreNotFound);
        }
        continue;
      }
      if (!matches || d.metadata.deletionTimestamp || rs.metadata.deletionTimestamp) continue;
      const owner: OwnerReference = { apiVersion: 'apps/v1', kind: 'Deployment', name: d.metadata.name!, uid, controller: true, blockOwnerDeletion: true };
      try {
        const patch = { metadata: { uid: rs.metadata.uid, ownerReferences: [owner] } };
        claimed.push(await client.patch(rs.metadata.namespace, rs.metadata.name!, 'application/strategic-merge-patch+json', patch));
      } catch (e) {
        ignoreNotFound(e);
      }
    }
    return claimed.map((rs) => cloneObject(rs));
  }
}

function ignoreNotFound(e: unknown): undefined {
  if (!isNotFound(e)) throw e;
  return undefined;
}

function selectorOf(d: Deployment): LabelSelector {
  return labelSelectorAsSelector(d.spec?.selector as LabelSelectorObject | undefined);
}
