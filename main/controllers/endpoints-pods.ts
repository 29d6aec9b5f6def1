// What the Endpoints and EndpointSlice controllers share (k8s pkg/controller/util/endpoint): which pods
// back a Service, how a Service port's targetPort resolves against a pod, and the wiring that turns
// service and pod events into service keys (handlers only enqueue; sync re-reads the listers).
import { selectorFromSet } from '../../shared/api/labels';
import type { KubeObject } from '../../shared/api/meta';
import type { Pod } from '../../shared/api/pod';
import type { Service, ServicePort } from '../../shared/api/service';
import type { KubeClient } from '../client/client';
import { RealClock, type Clock } from '../client/clock';
import { PODS, SERVICES } from '../client/gvr';
import { metaNamespaceKey } from '../client/indexer';
import type { SharedInformer } from '../client/informer';
import type { SharedInformerFactory } from '../client/informer-factory';
import { runWorkers, WorkQueue } from '../client/workqueue';

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
export const HEADLESS_LABEL = 'service.kubernetes.io/headless';
export const LAST_CHANGE_TRIGGER_TIME = 'endpoints.kubernetes.io/last-change-trigger-time';

export const hasSelector = (svc: Service): boolean => !!svc.spec?.selector && Object.keys(svc.spec.selector).length > 0;

export function isPodReady(pod: Pod): boolean {
  return (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

/** ShouldPodBeInEndpoints: finished pods and pods without an IP never; terminating ones only if asked. */
export function shouldPodBeInEndpoints(pod: Pod, includeTerminating: boolean): boolean {
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return false;
  if (!pod.status?.podIP) return false;
  if (!includeTerminating && pod.metadata.deletionTimestamp) return false;
  return true;
}

/** FindPort: a numeric targetPort as is; a named one from the pod's containers (same protocol). */
export function resolveTargetPort(pod: Pod, port: ServicePort): number | undefined {
  const target = port.targetPort ?? port.port;
  if (typeof target === 'number') return target;
  if (/^\d+$/.test(target)) return Number(target);
  const protocol = port.protocol ?? 'TCP';
  for (const c of pod.spec?.containers ?? []) {
    for (const p of c.ports ?? []) if (p.name === target && (p.protocol ?? 'TCP') === protocol) return p.containerPort;
  }
  return undefined;
}

export function podReference(pod: Pod): { kind: string; namespace?: string; name?: string; uid?: string } {
  return { kind: 'Pod', namespace: pod.metadata.namespace, name: pod.metadata.name, uid: pod.metadata.uid };
}

/** A pod's stable DNS hostname under a headless service: spec.hostname when spec.subdomain names the service. */
export function endpointHostname(pod: Pod, svc: Service): string | undefined {
  const spec = pod.spec as { hostname?: string; subdomain?: string } | undefined;
  return spec?.hostname && spec.subdomain === svc.metadata.name ? spec.hostname : undefined;
}

export const rfc3339Now = (clock: Clock): string => clock.now().toISOString().replace(/\.\d+Z$/, 'Z');

export interface ServicePodControllerOptions {
  client: KubeClient;
  informers: SharedInformerFactory;
  clock?: Clock;
  workers?: number;
}

/** Service + pod informers and a queue of service keys; subclasses implement sync(key). */
export abstract class ServicePodController {
  readonly queue: WorkQueue<string>;
  protected readonly clock: Clock;
  protected readonly services: SharedInformer<Service>;
  protected readonly pods: SharedInformer<Pod>;

  constructor(
    protected readonly options: ServicePodControllerOptions,
    name: string,
  ) {
    this.clock = options.clock ?? new RealClock();
    this.queue = new WorkQueue<string>({ name, clock: this.clock });
    this.services = options.informers.informerFor<Service>(SERVICES);
    this.pods = options.informers.informerFor<Pod>(PODS);
    this.services.addEventHandler({
      onAdd: (s) => this.queue.add(metaNamespaceKey(s)),
      onUpdate: (_o, s) => this.queue.add(metaNamespaceKey(s)),
      onDelete: (s) => this.queue.add(metaNamespaceKey(s)),
    });
    this.pods.addEventHandler({
      onAdd: (p) => this.podChanged(p),
      onUpdate: (old, p) => {
        if (old.metadata.resourceVersion === p.metadata.resourceVersion) return;
        this.podChanged(p, old);
      },
      onDelete: (p) => this.podChanged(p),
    });
  }

  start(): void {
    runWorkers(this.queue, this.options.workers ?? 3, (key) => this.sync(key));
  }

  stop(): void {
    this.queue.shutDown();
  }

  abstract sync(key: string): Promise<void>;

  /** Services whose selector matched the pod before or after the change. */
  private podChanged(pod: Pod, old?: Pod): void {
    for (const svc of this.services.lister.listNamespace(pod.metadata.namespace ?? '')) {
      if (!hasSelector(svc)) continue;
      const sel = selectorFromSet(svc.spec!.selector);
      if (sel.matches(pod.metadata.labels ?? {}) || (old && sel.matches(old.metadata.labels ?? {}))) this.queue.add(metaNamespaceKey(svc));
    }
  }

  /** Pods selected by a service, from the cache. */
  protected selectedPods(svc: Service): Pod[] {
    const sel = selectorFromSet(svc.spec!.selector);
    return this.pods.lister.listNamespace(svc.metadata.namespace ?? '').filter((p) => sel.matches(p.metadata.labels ?? {}));
  }

}

export const sameJson = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
export type { KubeObject };
