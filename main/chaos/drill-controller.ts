// The drill controller: starts one DrillRun per new Drill (a Drill runs once, when created; re-running is
// delete + create), keeps the cleanup finalizer until the drill's faults are gone, and marks drills that
// were mid-run when the lab stopped as Aborted (their faults are deleted; nothing is resumed half-way).
import { DRILL_FINALIZER, DRILL_NAME_LABEL, DRILL_NAMESPACE_LABEL, type AnyFault, type Drill, type FaultKind } from '../../shared/api/chaos';
import { isNotFound } from '../../shared/api/errors';
import type { KubeClient } from '../client/client';
import type { Clock } from '../client/clock';
import { splitMetaNamespaceKey } from '../client/indexer';
import type { SharedInformer } from '../client/informer';
import { SharedInformerFactory } from '../client/informer-factory';
import { runWorkers, WorkQueue } from '../client/workqueue';
import type { HttpGet } from './drill-checks';
import { DrillRun, type DrillRunOptions } from './drill-runner';
import { deleteFaultAndWait, DRILLS, FAULT_GVRS } from './drill-steps';

export interface DrillControllerOptions {
  client: KubeClient;
  clock: Clock;
  httpGet?: HttpGet;
  /** Passed to every run (sampling/flush periods; tests shorten them). */
  run?: Partial<Omit<DrillRunOptions, 'client' | 'clock'>>;
  logger?: { warn(message: string): void };
}

const TERMINAL = new Set(['Succeeded', 'Failed', 'Aborted']);
const LAB_STOPPED = 'the lab stopped during the drill (its faults were deleted); delete and re-create the drill to run it again';

export class DrillController {
  private readonly factory: SharedInformerFactory;
  private readonly drills: SharedInformer<Drill>;
  private readonly queue: WorkQueue<string>;
  private readonly runs = new Map<string, DrillRun>();
  private stopping = false;

  constructor(private readonly options: DrillControllerOptions) {
    this.factory = new SharedInformerFactory(options.client, { clock: options.clock });
    this.drills = this.factory.informerFor<Drill>(DRILLS);
    this.queue = new WorkQueue<string>({ name: 'drill', clock: options.clock });
    const enqueue = (d: Drill): void => this.queue.add(`${d.metadata.namespace}/${d.metadata.name}`);
    this.drills.addEventHandler({ onAdd: enqueue, onUpdate: (_old, d) => enqueue(d), onDelete: enqueue });
  }

  start(): void {
    this.factory.start();
    void this.drills.waitForSync().then(() => runWorkers(this.queue, 2, (key) => this.sync(key), this.options.logger));
  }

  /** Cancels every running drill: its faults are deleted (reverted) and it ends Aborted. */
  async stop(): Promise<void> {
    this.stopping = true;
    const runs = [...this.runs.values()];
    for (const run of runs) run.cancel(LAB_STOPPED);
    await Promise.all(runs.map((r) => r.done));
    this.queue.shutDown();
    this.factory.shutdown();
  }

  /** The run of a drill in this process, if any (tests and the dashboard's "is it live" hint). */
  runFor(namespace: string, name: string): DrillRun | undefined {
    const d = this.drills.lister.get(namespace, name);
    return d ? this.runs.get(d.metadata.uid!) : undefined;
  }

  async sync(key: string): Promise<void> {
    const { namespace: ns, name } = splitMetaNamespaceKey(key);
    const namespace = ns ?? '';
    const drill = this.drills.lister.get(namespace, name);
    if (!drill) return;
    const uid = drill.metadata.uid!;
    const run = this.runs.get(uid);
    if (drill.metadata.deletionTimestamp) {
      if (run) {
        run.cancel('the drill was deleted');
        await run.done;
      } else await this.deleteFaults(namespace, name);
      this.runs.delete(uid);
      await this.removeFinalizer(drill);
      return;
    }
    const phase = drill.status?.phase;
    if (run || this.stopping || (phase && TERMINAL.has(phase))) return;
    if (drill.status?.startedAt) {
      // Started by an earlier lab process that stopped or crashed mid-drill.
      await this.deleteFaults(namespace, name);
      await this.options.client.resource(DRILLS).patchSubresource(namespace, name, 'status', 'application/merge-patch+json', {
        status: { phase: 'Aborted', message: LAB_STOPPED, finishedAt: this.options.clock.now().toISOString() },
      });
      return;
    }
    if (!(drill.metadata.finalizers ?? []).includes(DRILL_FINALIZER)) {
      await this.options.client.resource<Drill>(DRILLS).patch(namespace, name, 'application/merge-patch+json', {
        metadata: { finalizers: [...(drill.metadata.finalizers ?? []), DRILL_FINALIZER], resourceVersion: drill.metadata.resourceVersion },
      });
    }
    const started = new DrillRun(structuredClone(drill), { ...this.options.run, client: this.options.client, clock: this.options.clock, httpGet: this.options.httpGet, logger: this.options.logger });
    this.runs.set(uid, started);
    void started.done.then(() => {
      // Keep finished runs out of the map unless a deletion is waiting on them.
      if (this.runs.get(uid) === started && !this.drills.lister.get(namespace, name)?.metadata.deletionTimestamp) this.runs.delete(uid);
    });
  }

  private async deleteFaults(namespace: string, name: string): Promise<void> {
    const labelSelector = `${DRILL_NAME_LABEL}=${name},${DRILL_NAMESPACE_LABEL}=${namespace}`;
    await Promise.all(
      (Object.keys(FAULT_GVRS) as FaultKind[]).map(async (kind) => {
        const list = await this.options.client.resource<AnyFault>(FAULT_GVRS[kind]).list(kind === 'NodeFault' ? undefined : namespace, { labelSelector }).catch(() => ({ items: [] as AnyFault[] }));
        await Promise.all(list.items.map((f) => deleteFaultAndWait(this.options.client, kind, f.metadata.namespace, f.metadata.name!, { clock: this.options.clock }).catch(() => false)));
      }),
    );
  }

  private async removeFinalizer(drill: Drill): Promise<void> {
    const finalizers = drill.metadata.finalizers ?? [];
    if (!finalizers.includes(DRILL_FINALIZER)) return;
    await this.options.client
      .resource<Drill>(DRILLS)
      .patch(drill.metadata.namespace, drill.metadata.name!, 'application/merge-patch+json', {
        metadata: { finalizers: finalizers.filter((f) => f !== DRILL_FINALIZER), resourceVersion: drill.metadata.resourceVersion },
      })
      .catch((e) => (isNotFound(e) ? undefined : Promise.reject(e)));
  }
}

export function startDrillController(options: DrillControllerOptions): DrillController {
  const controller = new DrillController(options);
  controller.start();
  return controller;
}
