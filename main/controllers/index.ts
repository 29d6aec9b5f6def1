// The lab's controller manager: starts every controller on one shared informer factory.
import type { ResourceDef } from '../apiserver/types';
import type { KubeClient } from '../client/client';
import type { Clock } from '../client/clock';
import { SharedInformerFactory } from '../client/informer-factory';
import { ResourceQuotaController } from './resourcequota';
import { ServiceAccountController } from './serviceaccount';
import { GarbageCollector } from './garbage-collector';
import { NamespaceController } from './namespace';
import { DeploymentController } from './deployment';
import { EndpointsController } from './endpoints';
import { EndpointSliceController } from './endpointslice';
import { ServiceLoadBalancerController } from './service-loadbalancer';
import { ReplicaSetController } from './replicaset';
import { CronJobController } from './cronjob';
import { DaemonSetController } from './daemonset';
import { DisruptionController } from './disruption';
import { JobController } from './job';
import { StatefulSetController } from './statefulset';
import type { NodeLifecycleTiming, PodGcTiming } from '../lab-timing';
import { NodeLifecycleController } from './node-lifecycle';
import { PodGcController } from './pod-gc';
import { HpaController, type HpaTiming } from './hpa';

export interface ControllerManagerOptions {
  client: KubeClient;
  resources: ResourceDef[];
  clock?: Clock;
  /** PEM of the CA every namespace gets as the kube-root-ca.crt ConfigMap (the lab's serving CA). */
  rootCaCertificate?: string;
  /** Job pod-recreate backoff (Kubernetes: 10 s doubling to 6 min); labs may compress it. */
  jobBackoff?: { baseMs?: number; maxMs?: number };
  /** Node health and taint-eviction timers (Kubernetes defaults unless the lab's time scale compresses them). */
  nodeLifecycle?: NodeLifecycleTiming;
  podGc?: PodGcTiming;
  /** HorizontalPodAutoscaler timers (sync period, default scale-down stabilisation…). */
  hpa?: Partial<HpaTiming>;
}

export interface ControllerManager {
  informers: SharedInformerFactory;
  nodeLifecycle: NodeLifecycleController;
  stop(): void;
}

export function startControllers({ client, resources, clock, rootCaCertificate, jobBackoff, nodeLifecycle: nodeLifecycleTiming, podGc, hpa }: ControllerManagerOptions): ControllerManager {
  const informers = new SharedInformerFactory(client, { clock });
  const namespacedResources = resources.filter((d) => d.namespaced).map((d) => ({ group: d.group, version: d.version, resource: d.resource }));
  const nodeLifecycle = new NodeLifecycleController({ client, informers, clock, timing: nodeLifecycleTiming });
  const controllers: Array<{ start(): void; stop(): void }> = [
    nodeLifecycle,
    new PodGcController({ client, informers, clock, timing: podGc }),
    new NamespaceController({ client, informers, namespacedResources, clock }),
    new ServiceAccountController({ client, informers, clock, rootCaCertificate }),
    new ResourceQuotaController({ client, informers, resources, clock }),
    new GarbageCollector({ client, informers, resources, clock }),
    new ReplicaSetController({ client, informers, clock }),
    new ReplicaSetController({ client, informers, clock, replicationControllers: true }),
    new DeploymentController({ client, informers, clock }),
    new EndpointsController({ client, informers, clock }),
    new EndpointSliceController({ client, informers, clock }),
    new ServiceLoadBalancerController({ client, informers, clock }),
    new StatefulSetController({ client, informers, clock }),
    new DaemonSetController({ client, informers, clock }),
    new DisruptionController({ client, informers, clock }),
    new HpaController({ client, informers, clock, timing: hpa }),
    new CronJobController({ client, informers, clock }),
    new JobController({ client, informers, clock, backoffBaseMs: envMs('BOSUN_JOB_BACKOFF_BASE_MS') ?? jobBackoff?.baseMs, backoffMaxMs: envMs('BOSUN_JOB_BACKOFF_MAX_MS') ?? jobBackoff?.maxMs }),
  ];
  informers.start();
  for (const c of controllers) c.start();
  return {
    informers,
    nodeLifecycle,
    stop: () => {
      for (const c of controllers) c.stop();
      informers.shutdown();
    },
  };
}

// A lab compresses time without a code change: `BOSUN_JOB_BACKOFF_BASE_MS=500 bosun serve` (wins over the time scale).
function envMs(name: string): number | undefined {
  const value = Number(process.env[name]);
  return process.env[name] && Number.isFinite(value) && value >= 0 ? value : undefined;
}
