// kube-scheduler for the lab. The composition root (main/lab.ts) starts one with the shared
// informer factory; tests and benchmarks may start one against any KubeClient.
import type { KubeClient } from '../client/client';
import type { Clock } from '../client/clock';
import { EventRecorder } from '../client/events';
import { SharedInformerFactory } from '../client/informer-factory';
import { DEFAULT_SCHEDULER_NAME, Scheduler, type SchedulerLogger } from './scheduler';
import type { QueueOptions } from './queue';

export { Scheduler, DEFAULT_SCHEDULER_NAME } from './scheduler';
export type { SchedulerConfig, SchedulerLogger } from './scheduler';
export { DECISION_ANNOTATION, fitErrorMessage, parseDecision } from './explain';
export type { Decision, NodeDecision } from './explain';
export { SCORE_WEIGHTS } from './scores';
export type { ScorePluginName } from './scores';

export interface StartSchedulerOptions {
  client: KubeClient;
  /** Shared informers (pods, nodes, services); without one the scheduler runs its own. */
  informers?: SharedInformerFactory;
  clock: Clock;
  /** Defaults to a recorder reporting as "default-scheduler". */
  recorder?: EventRecorder;
  schedulerName?: string;
  random?: () => number;
  logger?: SchedulerLogger;
  queue?: Omit<QueueOptions, 'clock'>;
  maxInFlightBindings?: number;
}

export interface SchedulerHandle {
  scheduler: Scheduler;
  stop(): Promise<void>;
}

export function startScheduler(options: StartSchedulerOptions): SchedulerHandle {
  const client = options.client;
  const ownInformers = !options.informers;
  const informers = options.informers ?? new SharedInformerFactory(client, { clock: options.clock, logger: options.logger });
  const recorder = options.recorder ?? new EventRecorder(client, { component: options.schedulerName ?? DEFAULT_SCHEDULER_NAME, clock: options.clock, logger: options.logger });
  const scheduler = new Scheduler({ ...options, client, informers, recorder });
  scheduler.start();
  return {
    scheduler,
    stop: async () => {
      await scheduler.stop();
      if (ownInformers) informers.shutdown();
    },
  };
}
