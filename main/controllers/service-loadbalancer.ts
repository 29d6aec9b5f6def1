// The lab's stand-in for a cloud load-balancer controller: a LoadBalancer Service is "provisioned" on
// 127.0.0.1, where the lab's service proxy already serves its node ports, so `kubectl get svc` shows
// EXTERNAL-IP 127.0.0.1 instead of <pending>. A Service that stops being a LoadBalancer loses the
// ingress, as Kubernetes' service controller removes it.
import { isNotFound } from '../../shared/api/errors';
import type { LoadBalancerIngress, Service } from '../../shared/api/service';
import type { KubeClient } from '../client/client';
import { RealClock, type Clock } from '../client/clock';
import { EventRecorder } from '../client/events';
import { SERVICES } from '../client/gvr';
import { metaNamespaceKey, splitMetaNamespaceKey } from '../client/indexer';
import type { SharedInformer } from '../client/informer';
import type { SharedInformerFactory } from '../client/informer-factory';
import { runWorkers, WorkQueue } from '../client/workqueue';

export const LAB_LOAD_BALANCER_IP = '127.0.0.1';

export interface ServiceLoadBalancerOptions {
  client: KubeClient;
  informers: SharedInformerFactory;
  clock?: Clock;
}

export class ServiceLoadBalancerController {
  readonly queue: WorkQueue<string>;
  private readonly services: SharedInformer<Service>;
  private readonly recorder: EventRecorder;

  constructor(private readonly options: ServiceLoadBalancerOptions) {
    const clock = options.clock ?? new RealClock();
    this.queue = new WorkQueue<string>({ name: 'service-lb-controller', clock });
    this.recorder = new EventRecorder(options.client, { component: 'service-controller', clock });
    this.services = options.informers.informerFor<Service>(SERVICES);
    this.services.addEventHandler({ onAdd: (s) => this.queue.add(metaNamespaceKey(s)), onUpdate: (_o, s) => this.queue.add(metaNamespaceKey(s)) });
  }

  start(): void {
    runWorkers(this.queue, 1, (key) => this.sync(key));
  }

  stop(): void {
    this.queue.shutDown();
  }

  async sync(key: string): Promise<void> {
    const { namespace, name } = splitMetaNamespaceKey(key);
    const svc = this.services.lister.get(namespace, name);
    if (!svc || svc.metadata.deletionTimestamp) return;
    const isLB = svc.spec?.type === 'LoadBalancer' && !svc.spec.loadBalancerClass;
    const want: LoadBalancerIngress[] = isLB ? [{ ip: LAB_LOAD_BALANCER_IP, ipMode: 'VIP' }] : [];
    const have = svc.status?.loadBalancer?.ingress ?? [];
    if (JSON.stringify(have) === JSON.stringify(want)) return;
    if (!isLB && have.length === 0) return;
    const next: Service = structuredClone(svc) as Service;
    next.status = { ...(next.status ?? {}), loadBalancer: want.length ? { ingress: want } : {} };
    try {
      await this.options.client.resource<Service>(SERVICES).updateStatus(namespace, next);
    } catch (e) {
      if (isNotFound(e)) return;
      throw e;
    }
    if (isLB) this.recorder.event(svc, 'Normal', 'EnsuredLoadBalancer', 'Ensured load balancer');
    else this.recorder.event(svc, 'Normal', 'DeletedLoadBalancer', 'Deleted load balancer');
  }
}
