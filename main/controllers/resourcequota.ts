// ResourceQuota controller (k8s pkg/controller/resourcequota): recounts each quota's status.hard/used
// from what is stored in its namespace — when the quota is created or its spec changes, when objects it
// counts are deleted or pods finish (replenishment: deletions release what admission charged), and on a
// periodic full resync that also corrects charges of writes that failed after admission. The write is a
// CAS on the quota's resourceVersion, so it never silently overwrites a charge admission just made.
import { isNotFound } from '../../shared/api/errors';
import type { GroupVersionResource, KubeObject } from '../../shared/api/meta';
import {
  addLists, countName, formatList, matchingResources, objectUsage, parseList, quotaAppliesTo, type QuotaResource,
} from '../apiserver/admission/resource-quota-usage';
import type { ResourceList } from '../apiserver/admission/limit-ranger';
import type { ResourceDef } from '../apiserver/types';
import { cloneObject } from '../client/cache-object';
import type { KubeClient } from '../client/client';
import { RealClock, type Clock } from '../client/clock';
import { CONFIGMAPS, PERSISTENTVOLUMECLAIMS, PODS, RESOURCEQUOTAS, SECRETS, SERVICES } from '../client/gvr';
import { metaNamespaceKey, splitMetaNamespaceKey } from '../client/indexer';
import type { SharedInformer } from '../client/informer';
import type { SharedInformerFactory } from '../client/informer-factory';
import { runWorkers, WorkQueue } from '../client/workqueue';
import { sameValue } from './statefulset-util';

type Obj = Record<string, any>;

export interface ResourceQuotaControllerOptions {
  client: KubeClient;
  informers: SharedInformerFactory;
  /** Every served resource, to resolve `count/<resource>.<group>` names. */
  resources: ResourceDef[];
  clock?: Clock;
  /** Full recount of every quota (kube-controller-manager: 5 min; the lab is smaller and quicker). */
  resyncMs?: number;
  workers?: number;
}

const REPLICATIONCONTROLLERS: GroupVersionResource = { group: '', version: 'v1', resource: 'replicationcontrollers' };
const Q = (group: string, resource: string): QuotaResource => ({ group, resource });
/** The kinds with dedicated evaluators, always considered. */
const CORE_EVALUATED: QuotaResource[] = [Q('', 'pods'), Q('', 'services'), Q('', 'persistentvolumeclaims'), Q('', 'configmaps'), Q('', 'secrets'), Q('', 'replicationcontrollers'), Q('', 'resourcequotas')];

export class ResourceQuotaController {
  readonly queue: WorkQueue<string>;
  private readonly clock: Clock;
  private readonly quotas: SharedInformer<KubeObject>;
  private resyncTimer?: ReturnType<typeof setInterval>;

  constructor(private readonly options: ResourceQuotaControllerOptions) {
    this.clock = options.clock ?? new RealClock();
    this.queue = new WorkQueue<string>({ name: 'resourcequota', clock: this.clock });
    this.quotas = options.informers.informerFor(RESOURCEQUOTAS);
    const enqueue = (q: KubeObject): void => this.queue.add(metaNamespaceKey(q));
    this.quotas.addEventHandler({
      onAdd: enqueue,
      onUpdate: (_o, q) => {
        if (!sameValue(normalized((q as Obj).spec?.hard), normalized((q as Obj).status?.hard))) enqueue(q);
      },
    });
    // Replenishment: what admission charged comes back when the object goes (or a pod finishes).
    const namespaceChanged = (o: KubeObject): void => {
      for (const q of this.quotas.lister.listNamespace(o.metadata.namespace ?? '')) enqueue(q);
    };
    for (const gvr of [SERVICES, PERSISTENTVOLUMECLAIMS, CONFIGMAPS, SECRETS, REPLICATIONCONTROLLERS]) {
      options.informers.informerFor(gvr).addEventHandler({ onDelete: namespaceChanged, onUpdate: (o, n) => { if (gvr === SERVICES && (o as Obj).spec?.type !== (n as Obj).spec?.type) namespaceChanged(n); } });
    }
    options.informers.informerFor(PODS).addEventHandler({
      onDelete: namespaceChanged,
      onUpdate: (o, n) => {
        const terminal = (p: KubeObject): boolean => ['Succeeded', 'Failed'].includes((p as Obj).status?.phase);
        if ((!terminal(o) && terminal(n)) || (!o.metadata.deletionTimestamp && n.metadata.deletionTimestamp)) namespaceChanged(n);
      },
    });
  }

  start(): void {
    runWorkers(this.queue, this.options.workers ?? 2, (key) => this.sync(key));
    const every = this.options.resyncMs ?? 30_000;
    this.resyncTimer = setInterval(() => {
      for (const q of this.quotas.lister.list()) this.queue.add(metaNamespaceKey(q));
    }, every);
    this.resyncTimer.unref?.();
  }

  stop(): void {
    clearInterval(this.resyncTimer);
    this.queue.shutDown();
  }

  /** syncResourceQuota: hard from spec, used recounted for every hard name (0 when nothing uses it). */
  async sync(key: string): Promise<void> {
    const { namespace, name } = splitMetaNamespaceKey(key);
    const quota = this.quotas.lister.get(namespace, name);
    if (!quota || quota.metadata.deletionTimestamp) return;
    const hard = parseList((quota as Obj).spec?.hard);
    const names = Object.keys(hard);
    let used: ResourceList = {};
    for (const r of this.resourcesFor(names)) {
      const restricted = matchingResources(r, names);
      if (!restricted.length) continue;
      const def = this.options.resources.find((d) => d.group === r.group && d.resource === r.resource && d.namespaced);
      if (!def) continue;
      const items = (await this.options.client.resource({ group: def.group, version: def.version, resource: def.resource }).list(namespace)).items;
      for (const item of items) {
        if (!quotaAppliesTo(quota, r, item)) continue;
        const usage = objectUsage(r, item, this.clock.nowMs());
        const masked: ResourceList = {};
        for (const n of restricted) if (usage[n]) masked[n] = usage[n];
        used = addLists(used, masked);
      }
    }
    for (const n of names) used[n] ??= { nano: 0n, format: hard[n].format };
    const status = { hard: formatList(hard), used: formatList(used) };
    if (sameValue((quota as Obj).status ?? {}, status)) return;
    const updated = cloneObject(quota) as Obj;
    updated.status = status;
    await this.options.client.resource(RESOURCEQUOTAS).updateStatus(namespace, updated as KubeObject)
      .catch((e: unknown) => { if (!isNotFound(e)) throw e; });
  }

  /** The resources whose objects a quota with these hard names counts. */
  private resourcesFor(names: string[]): QuotaResource[] {
    const out = [...CORE_EVALUATED];
    for (const n of names) {
      if (!n.startsWith('count/')) continue;
      const rest = n.slice('count/'.length);
      const dot = rest.indexOf('.');
      const r = dot < 0 ? Q('', rest) : Q(rest.slice(dot + 1), rest.slice(0, dot));
      if (!out.some((o) => countName(o) === countName(r))) out.push(r);
    }
    return out;
  }
}

function normalized(raw: Record<string, unknown> | undefined): Record<string, string> {
  return formatList(parseList(raw));
}
