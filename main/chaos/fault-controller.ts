// The generic fault controller: one reconcile loop per fault kind (fault-controller-sync.ts), each driven
// by that kind's FaultInjector, plus the revert guarantees around the process lifetime:
//  - start(): before anything new is injected, every fault still recorded Injecting/Injected/Reverting
//    (the app was killed while it was in force) is reverted and kept as Reverted. A fault with time left is
//    NOT re-injected after a crash: the lab cannot know what happened meanwhile, and a stuck fault is the
//    worse surprise (docs/CHAOS.md).
//  - stop(): stops taking work, waits for syncs in flight, then reverts everything in force, so SIGTERM or
//    quitting the app never leaves a node frozen or partitioned. The lab stops chaos before the kubelets.
//  - stopAll(): "stop all faults" = delete every fault object (what `kubectl delete nodefaults,podfaults,
//    servicefaults --all -A` does); the finalizer makes each deletion revert first.
import { CHAOS_GROUP, CHAOS_VERSION, FAULT_RESOURCES, type AnyFault, type FaultKind } from '../../shared/api/chaos';
import type { KubeClient } from '../client/client';
import { RealClock, type Clock } from '../client/clock';
import { EventRecorder } from '../client/events';
import { FaultKindLoop } from './fault-controller-sync';
import type { FaultInjector } from './types';

export interface FaultControllerOptions {
  client: KubeClient;
  injectors: FaultInjector[];
  clock?: Clock;
  logger?: { warn(message: string): void };
  /** Workers per fault kind (default 2): faults on different targets inject in parallel. */
  workers?: number;
}

export interface StopOptions {
  /** Revert everything in force (default). false only simulates a crash in tests. */
  revert?: boolean;
}

export class FaultController {
  private readonly loops: FaultKindLoop[];
  private readonly recorder: EventRecorder;
  private readonly logger: { warn(message: string): void };
  private started = false;
  private stopped?: Promise<void>;

  constructor(private readonly options: FaultControllerOptions) {
    const clock = options.clock ?? new RealClock();
    this.logger = options.logger ?? { warn: (m) => console.warn(m) };
    this.recorder = new EventRecorder(options.client, { component: 'chaos-controller', clock, logger: this.logger });
    const kinds = new Set<string>();
    for (const i of options.injectors) {
      if (kinds.has(i.kind)) throw new Error(`chaos: two injectors for ${i.kind}`);
      kinds.add(i.kind);
    }
    this.loops = options.injectors.map(
      (injector) => new FaultKindLoop({ client: options.client, injector, clock, recorder: this.recorder, logger: this.logger, workers: options.workers }),
    );
  }

  /** Fault kinds this controller drives. */
  get kinds(): FaultKind[] {
    return this.options.injectors.map((i) => i.kind);
  }

  /** Reverts what a previous run left in force, then starts reconciling. */
  async start(): Promise<{ revertedAtStartup: number }> {
    if (this.started) throw new Error('chaos: fault controller already started');
    this.started = true;
    await Promise.all(this.loops.map((l) => l.startInformer()));
    let revertedAtStartup = 0;
    for (const loop of this.loops) {
      revertedAtStartup += await loop.revertAllActive('Reverted at start-up: the lab stopped while this fault was in force (faults are not re-injected after a crash)');
    }
    for (const loop of this.loops) loop.runWorkers();
    return { revertedAtStartup };
  }

  /** Idempotent. Waits for work in flight, then reverts every fault in force (unless told not to). */
  stop(options: StopOptions = {}): Promise<void> {
    this.stopped ??= (async () => {
      await Promise.all(this.loops.map((l) => l.shutDown()));
      if (options.revert !== false) {
        for (const loop of this.loops) {
          await loop.revertAllActive('Reverted: the lab stopped').catch((e: unknown) => this.logger.warn(`chaos: reverting ${loop.kind}s on stop: ${(e as Error).message}`));
        }
      }
      await this.recorder.flush().catch(() => undefined);
    })();
    return this.stopped;
  }

  /** "Stop all faults": deletes every fault object of every kind in every namespace (each reverts first). */
  async stopAll(): Promise<number> {
    let deleted = 0;
    for (const loop of this.loops) {
      const list = await loop.api.list();
      deleted += list.items.length;
      await loop.api.deleteCollection(undefined);
    }
    return deleted;
  }

  /** Every fault object of the kinds driven here (tests, dashboard summaries). */
  async list(): Promise<AnyFault[]> {
    const all = await Promise.all(this.loops.map((l) => l.api.list()));
    return all.flatMap((l) => l.items);
  }
}

/** GVR of a fault kind. */
export const faultResource = (kind: FaultKind) => ({ group: CHAOS_GROUP, version: CHAOS_VERSION, resource: FAULT_RESOURCES[kind] });
