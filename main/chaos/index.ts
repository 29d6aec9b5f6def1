// The lab's chaos component: the generic fault controller driving the NodeFault, PodFault and ServiceFault
// injectors (each replaceable through `injectors`, e.g. by tests). Started by main/lab.ts after the kubelets and the proxy
// and therefore stopped before them: stop() reverts every fault in force while the kubelets and the
// runtime can still act on it.
import type { KubeClient } from '../client/client';
import { RealClock, type Clock } from '../client/clock';
import type { ServiceProxy } from '../proxy/service-proxy';
import type { ContainerRuntime } from '../runtime/runtime';
import { startDrillController, type DrillController } from './drill-controller';
import { FaultController } from './fault-controller';
import { createNodeFaultInjector, type NodeSuspender } from './node-faults';
import { createPodFaultInjector, type PodFaultNode } from './pod-faults';
import { createServiceFaultInjector } from './service-faults';
import type { FaultInjector } from './types';

export interface ChaosOptions {
  client: KubeClient;
  runtime: ContainerRuntime;
  /** The lab's nodes: suspend/resume for NodeFaults, each running kubelet's fault hooks for PodFaults. */
  nodes: NodeSuspender & { readonly kubelets: ReadonlyMap<string, PodFaultNode> };
  /** The service proxy (ServiceFault's hook); without one, ServiceFaults are not served. */
  proxy?: ServiceProxy;
  clock?: Clock;
  labId: string;
  /** Injectors replacing the built-in one of their kind. */
  injectors?: FaultInjector[];
  logger?: { warn(message: string): void };
}

export interface Chaos {
  controller: FaultController;
  /** Runs Drill objects (docs/DRILLS.md); stopped before the fault controller so drills delete their faults first. */
  drills: DrillController;
  /** How many faults start-up found still in force (the lab was killed) and reverted. */
  revertedAtStartup: number;
  /** "Stop all faults": deletes every fault object; each reverts before it goes. Answers how many. */
  stopAll(): Promise<number>;
  /** Reverts everything in force and stops (the lab's exit path). */
  stop(): Promise<void>;
}

export async function startChaos(options: ChaosOptions): Promise<Chaos> {
  const clock = options.clock ?? new RealClock();
  const { client, runtime, nodes, labId, proxy } = options;
  const builtIn: FaultInjector[] = [
    createNodeFaultInjector({ client, runtime, nodes, labId }),
    createPodFaultInjector({ client, runtime, labId, clock, node: (name) => nodes.kubelets.get(name) }),
  ];
  if (proxy) builtIn.push(createServiceFaultInjector({ client, proxy }));
  const replaced = new Set((options.injectors ?? []).map((i) => i.kind));
  const controller = new FaultController({
    client,
    injectors: [...builtIn.filter((i) => !replaced.has(i.kind)), ...(options.injectors ?? [])],
    clock,
    logger: options.logger,
  });
  const { revertedAtStartup } = await controller.start();
  if (revertedAtStartup > 0) {
    (options.logger ?? console).warn(`chaos: reverted ${revertedAtStartup} fault(s) left in force by the previous run`);
  }
  const drills = startDrillController({ client, clock, logger: options.logger });
  return {
    controller,
    revertedAtStartup,
    stopAll: () => controller.stopAll(),
    drills,
    stop: async () => {
      await drills.stop();
      await controller.stop();
    },
  };
}

export { createNodeFaultInjector } from './node-faults';
export { FaultController } from './fault-controller';
export type { FaultInjector } from './types';
