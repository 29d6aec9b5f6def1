// SharedInformerFactory: one informer per collection (GVR + namespace) shared by every controller, so
// ten controllers watching pods cost one list+watch and one cache, as in kube-controller-manager.
// Informers are keyed by GVR, namespace and (optionally) list filters.
import type { GroupVersionResource, KubeObject } from '../../shared/api/meta';
import type { KubeClient } from './client';
import type { Clock } from './clock';
import type { Indexers } from './indexer';
import { SharedInformer, type InformerLogger } from './informer';
import type { Lister } from './lister';

export interface InformerFactoryOptions {
  /** Default resync period for informers the factory creates; 0/undefined: none. */
  resyncPeriodMs?: number;
  clock?: Clock;
  logger?: InformerLogger;
  /** Restrict every informer to one namespace (a namespaced factory). */
  namespace?: string;
}

export interface InformerRequest<T extends KubeObject> {
  /** Overrides the factory's namespace for this informer; '' means all namespaces. */
  namespace?: string;
  /** Added to the shared informer; a name already registered with a different function throws. */
  indexers?: Indexers<T>;
  /** A filtered informer (e.g. a kubelet's `spec.nodeName=<node>` pods) is shared only with identical filters. */
  labelSelector?: string;
  fieldSelector?: string;
}

export class SharedInformerFactory {
  private readonly informers = new Map<string, SharedInformer<KubeObject>>();
  private started = false;

  constructor(
    readonly client: KubeClient,
    private readonly options: InformerFactoryOptions = {},
  ) {}

  informerFor<T extends KubeObject = KubeObject>(gvr: GroupVersionResource, request: InformerRequest<T> = {}): SharedInformer<T> {
    const namespace = request.namespace ?? this.options.namespace ?? '';
    const { labelSelector, fieldSelector } = request;
    const key = `${gvr.group}/${gvr.version}/${gvr.resource}@${namespace}?l=${labelSelector ?? ''}&f=${fieldSelector ?? ''}`;
    let informer = this.informers.get(key) as SharedInformer<T> | undefined;
    if (!informer) {
      informer = new SharedInformer<T>(this.client.resource<T>(gvr), {
        namespace: namespace || undefined,
        labelSelector,
        fieldSelector,
        resyncPeriodMs: this.options.resyncPeriodMs,
        clock: this.options.clock,
        logger: this.options.logger,
      });
      this.informers.set(key, informer as unknown as SharedInformer<KubeObject>);
      // Controllers built after the factory started still get a running informer.
      if (this.started) informer.start();
    }
    if (request.indexers) informer.addIndexers(request.indexers);
    return informer;
  }

  lister<T extends KubeObject = KubeObject>(gvr: GroupVersionResource, namespace?: string): Lister<T> {
    return this.informerFor<T>(gvr, { namespace }).lister;
  }

  start(): void {
    this.started = true;
    for (const informer of this.informers.values()) informer.start();
  }

  /** True when every informer created so far has synced; false if any stopped first. */
  async waitForCacheSync(): Promise<boolean> {
    const results = await Promise.all([...this.informers.values()].map((i) => i.waitForSync()));
    return results.every(Boolean);
  }

  shutdown(): void {
    for (const informer of this.informers.values()) informer.stop();
  }
}
