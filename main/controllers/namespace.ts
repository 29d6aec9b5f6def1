// Namespace controller (k8s pkg/controller/namespace): when a namespace is being deleted, delete every
// namespaced object in it, wait until they are all gone, then remove the "kubernetes" finalizer through
// the `finalize` subresource so the apiserver can delete the namespace. Level-triggered: handlers only
// enqueue names; sync() re-reads the namespace and works from what is there now.
import { isNotFound } from '../../shared/api/errors';
import type { GroupVersionResource, KubeObject } from '../../shared/api/meta';
import type { KubeClient } from '../client/client';
import { RealClock, type Clock } from '../client/clock';
import { NAMESPACES } from '../client/gvr';
import type { SharedInformer } from '../client/informer';
import type { SharedInformerFactory } from '../client/informer-factory';
import { runWorkers, WorkQueue } from '../client/workqueue';

export const NAMESPACE_FINALIZER = 'kubernetes';

interface Namespace extends KubeObject {
  spec?: { finalizers?: string[] };
  status?: { phase?: string; conditions?: NamespaceCondition[] };
}

interface NamespaceCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export interface NamespaceControllerOptions {
  client: KubeClient;
  informers: SharedInformerFactory;
  /** Every namespaced collection the lab serves (what a namespace can contain). */
  namespacedResources: GroupVersionResource[];
  clock?: Clock;
  /** How soon to look again while content remains (pods finishing their grace period, finalizers). */
  recheckMs?: number;
  workers?: number;
}

export class NamespaceController {
  private readonly queue: WorkQueue<string>;
  private readonly informer: SharedInformer<Namespace>;
  private readonly clock: Clock;
  private readonly recheckMs: number;

  constructor(private readonly options: NamespaceControllerOptions) {
    this.clock = options.clock ?? new RealClock();
    this.recheckMs = options.recheckMs ?? 1000;
    this.queue = new WorkQueue<string>({ name: 'namespace', clock: this.clock });
    this.informer = options.informers.informerFor<Namespace>(NAMESPACES);
    const enqueue = (ns: Namespace): void => {
      if (ns.metadata.deletionTimestamp) this.queue.add(ns.metadata.name!);
    };
    this.informer.addEventHandler({ onAdd: enqueue, onUpdate: (_old, ns) => enqueue(ns) });
  }

  start(): void {
    runWorkers(this.queue, this.options.workers ?? 2, (name) => this.sync(name));
  }

  stop(): void {
    this.queue.shutDown();
  }

  async sync(name: string): Promise<void> {
    const ns = this.informer.lister.get(undefined, name);
    if (!ns?.metadata.deletionTimestamp || !ns.spec?.finalizers?.includes(NAMESPACE_FINALIZER)) return;
    const remaining = await this.deleteContent(name);
    if (remaining.length > 0) {
      await this.setContentCondition(ns, remaining);
      this.queue.addAfter(name, this.recheckMs);
      return;
    }
    try {
      const finalizers = (ns.spec?.finalizers ?? []).filter((f) => f !== NAMESPACE_FINALIZER);
      await this.options.client
        .resource<Namespace>(NAMESPACES)
        .updateSubresource(undefined, name, 'finalize', { ...ns, spec: { ...ns.spec, finalizers } });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }

  /** Deletes what is left in the namespace; answers "<resource>: N" for collections not yet empty. */
  private async deleteContent(namespace: string): Promise<string[]> {
    const remaining: string[] = [];
    for (const gvr of this.options.namespacedResources) {
      const client = this.options.client.resource(gvr);
      const list = await client.list(namespace, { limit: 1 });
      if (list.items.length === 0) continue;
      await client.deleteCollection(namespace, { propagationPolicy: 'Background' });
      const left = (await client.list(namespace)).items.length;
      if (left > 0) remaining.push(`${gvr.group ? `${gvr.resource}.${gvr.group}` : gvr.resource} has ${left} resource instances`);
    }
    return remaining;
  }

  /** Kubernetes' NamespaceContentRemaining condition, so `kubectl describe ns` says what it waits for. */
  private async setContentCondition(ns: Namespace, remaining: string[]): Promise<void> {
    const message = `Some resources are remaining: ${remaining.join(', ')}`;
    const existing = ns.status?.conditions?.find((c) => c.type === 'NamespaceContentRemaining');
    if (existing?.message === message) return;
    const condition: NamespaceCondition = {
      type: 'NamespaceContentRemaining',
      status: 'True',
      lastTransitionTime: this.clock.now().toISOString().replace(/\.\d+Z$/, 'Z'),
      reason: 'SomeResourcesRemain',
      message,
    };
    const conditions = [...(ns.status?.conditions ?? []).filter((c) => c.type !== condition.type), condition];
    try {
      await this.options.client.resource<Namespace>(NAMESPACES).updateStatus(undefined, { ...ns, status: { ...ns.status, conditions } });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
}
