// The lab's controller manager: starts every controller on one shared informer factory.
import type { ResourceDef } from '../apiserver/types';
import type { KubeClient } from '../client/client';
import type { Clock } from '../client/clock';
import { SharedInformerFactory } from '../client/informer-factory';
import { GarbageCollector } from './garbage-collector';
import { NamespaceController } from './namespace';
import { DeploymentController } from './deployment';
import { ReplicaSetController } from './replicaset';

export interface ControllerManagerOptions {
  client: KubeClient;
  resources: ResourceDef[];
  clock?: Clock;
}

export interface ControllerManager {
  informers: SharedInformerFactory;
  stop(): void;
}

export function startControllers({ client, resources, clock }: ControllerManagerOptions): ControllerManager {
  const informers = new SharedInformerFactory(client, { clock });
  const namespacedResources = resources.filter((d) => d.namespaced).map((d) => ({ group: d.group, version: d.version, resource: d.resource }));
  const controllers: Array<{ start(): void; stop(): void }> = [
    new NamespaceController({ client, informers, namespacedResources, clock }),
    new GarbageCollector({ client, informers, resources, clock }),
    new ReplicaSetController({ client, informers, clock }),
    new ReplicaSetController({ client, informers, clock, replicationControllers: true }),
    new DeploymentController({ client, informers, clock }),
  ];
  informers.start();
  for (const c of controllers) c.start();
  return {
    informers,
    stop: () => {
      for (const c of controllers) c.stop();
      informers.shutdown();
    },
  };
}
