// Follows the lab for the tray through the in-process API: informers (list + watch) on Nodes, the three
// fault kinds and kube-system/bosun-lab-status. No electron import, so it runs and is tested under Node.
import { CHAOS_GROUP, CHAOS_VERSION, FAULT_RESOURCES, type AnyFault, type FaultKind } from '../../shared/api/chaos';
import type { ConfigMap } from '../../shared/api/config';
import type { KubeObject } from '../../shared/api/meta';
import type { Node } from '../../shared/api/node';
import { KubeClient } from '../client/client';
import { CONFIGMAPS } from '../client/gvr';
import { SharedInformer } from '../client/informer';
import type { Lab } from '../lab';
import { LAB_STATUS_CONFIGMAP, LAB_STATUS_NAMESPACE } from '../lab-status';
import { trayStatus, type TrayStatus } from './tray-status';

const FAULT_KINDS: readonly FaultKind[] = ['NodeFault', 'PodFault', 'ServiceFault'];
/** Coalesces bursts (a drain touches many objects) into one menu rebuild. */
const UPDATE_DELAY_MS = 200;

export class TrayWatch {
  private readonly nodes: SharedInformer<Node>;
  private readonly faults: SharedInformer<AnyFault>[];
  private readonly labStatus: SharedInformer<ConfigMap>;
  private timer?: ReturnType<typeof setTimeout>;
  private stopped = false;

  constructor(
    lab: Pick<Lab, 'handler'>,
    private readonly onStatus: (status: TrayStatus) => void,
  ) {
    const client = new KubeClient(lab.handler, 'system:bosun-tray');
    const quiet = { warn: () => undefined };
    this.nodes = new SharedInformer<Node>(client.nodes<Node>(), { logger: quiet });
    this.faults = FAULT_KINDS.map(
      (kind) => new SharedInformer<AnyFault>(client.resource<AnyFault>({ group: CHAOS_GROUP, version: CHAOS_VERSION, resource: FAULT_RESOURCES[kind] }), { logger: quiet }),
    );
    this.labStatus = new SharedInformer<ConfigMap>(client.resource<ConfigMap>(CONFIGMAPS), {
      namespace: LAB_STATUS_NAMESPACE,
      fieldSelector: `metadata.name=${LAB_STATUS_CONFIGMAP}`,
      logger: quiet,
    });
    const changed = (): void => this.schedule();
    for (const informer of this.informers()) informer.addEventHandler({ onAdd: changed, onUpdate: changed, onDelete: changed });
  }

  private informers(): SharedInformer<KubeObject>[] {
    return [this.nodes, ...this.faults, this.labStatus] as unknown as SharedInformer<KubeObject>[];
  }

  start(): void {
    for (const informer of this.informers()) informer.start();
    this.schedule();
  }

  /** The status from the informers' caches now. */
  current(): TrayStatus {
    return trayStatus({
      running: !this.stopped,
      nodes: this.nodes.lister.list(),
      faults: this.faults.flatMap((f) => f.lister.list()),
      labStatus: this.labStatus.lister.list()[0],
    });
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    for (const informer of this.informers()) informer.stop();
  }

  private schedule(): void {
    if (this.stopped || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (!this.stopped) this.onStatus(this.current());
    }, UPDATE_DELAY_MS);
  }
}
