// EndpointSlice controller (k8s pkg/controller/endpointslice): discovery.k8s.io/v1 slices for every
// Service with a selector, labelled `kubernetes.io/service-name` and managed-by this controller, owned
// by the Service (so the garbage collector removes them with it). Endpoints carry conditions:
// ready (Ready and not terminating), serving (Ready regardless of termination), terminating. Unlike
// core Endpoints, terminating pods stay listed with ready=false so proxies can drain them — they no
// longer receive new traffic from the lab's proxy at once.
// Endpoints are grouped by resolved port set, at most MAX_ENDPOINTS per slice; existing slices are
// reused in name order, extra ones deleted.
import { isNotFound } from '../../shared/api/errors';
import type { Pod } from '../../shared/api/pod';
import type { Endpoint, EndpointSlice, Service } from '../../shared/api/service';
import { ENDPOINTSLICES } from '../client/gvr';
import { splitMetaNamespaceKey } from '../client/indexer';
import type { SharedInformer } from '../client/informer';
import {
  endpointHostname,
  hasSelector,
  isPodReady,
  LAST_CHANGE_TRIGGER_TIME,
  podReference,
  resolveTargetPort,
  rfc3339Now,
  sameJson,
  SERVICE_NAME_LABEL,
  HEADLESS_LABEL,
  ServicePodController,
  shouldPodBeInEndpoints,
  type ServicePodControllerOptions,
} from './endpoints-pods';

export const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';
export const MANAGED_BY = 'endpointslice-controller.k8s.io';
export const MAX_ENDPOINTS = 100;

type SlicePort = NonNullable<EndpointSlice['ports']>[number];

export interface DesiredSlice {
  ports: SlicePort[];
  endpoints: Endpoint[];
}

export function desiredSlices(svc: Service, pods: Pod[]): DesiredSlice[] {
  const publishNotReady = svc.spec?.publishNotReadyAddresses === true;
  const groups = new Map<string, DesiredSlice>();
  for (const pod of pods) {
    if (!shouldPodBeInEndpoints(pod, true)) continue;
    const ports: SlicePort[] = [];
    for (const sp of svc.spec?.ports ?? []) {
      const port = resolveTargetPort(pod, sp);
      if (port !== undefined) ports.push({ name: sp.name ?? '', port, protocol: sp.protocol ?? 'TCP' });
    }
    if (ports.length === 0 && (svc.spec?.ports ?? []).length > 0) continue;
    ports.sort((a, b) => (a.name ?? '').localeCompare(b.name ?? ''));
    const key = JSON.stringify(ports);
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { ports, endpoints: [] }));
    const terminating = !!pod.metadata.deletionTimestamp;
    const serving = publishNotReady || isPodReady(pod);
    const endpoint: Endpoint = { addresses: [pod.status!.podIP!], conditions: { ready: serving && !terminating, serving, terminating } };
    const hostname = endpointHostname(pod, svc);
    if (hostname) endpoint.hostname = hostname;
    endpoint.targetRef = podReference(pod);
    if (pod.spec?.nodeName) endpoint.nodeName = pod.spec.nodeName;
    group.endpoints.push(endpoint);
  }
  const out: DesiredSlice[] = [];
  const sorted = [...groups.values()].sort((a, b) => JSON.stringify(a.ports).localeCompare(JSON.stringify(b.ports)));
  for (const g of sorted) {
    g.endpoints.sort((a, b) => a.addresses[0].localeCompare(b.addresses[0]));
    for (let i = 0; i < g.endpoints.length; i += MAX_ENDPOINTS) out.push({ ports: g.ports, endpoints: g.endpoints.slice(i, i + MAX_ENDPOINTS) });
  }
  // A service with no endpoints still gets one (empty) slice, as Kubernetes keeps a placeholder.
  if (out.length === 0) {
    out.push({ ports: [], endpoints: [] });
  }
  return out;
}

export class EndpointSliceController extends ServicePodController {
  private readonly slices: SharedInformer<EndpointSlice>;
  /** Slices created but not yet seen by the informer, per service key: syncing before they arrive would create twice. */
  private readonly unseen = new Map<string, Map<string, number>>();

  constructor(options: ServicePodControllerOptions) {
    super(options, 'endpoint_slice');
    this.slices = options.informers.informerFor<EndpointSlice>(ENDPOINTSLICES);
    const requeueOwner = (s: EndpointSlice): void => {
      const svc = s.metadata.labels?.[SERVICE_NAME_LABEL];
      if (svc && s.metadata.labels?.[MANAGED_BY_LABEL] === MANAGED_BY) this.queue.add(`${s.metadata.namespace}/${svc}`);
    };
    // Someone editing or deleting one of our slices gets it put back.
    this.slices.addEventHandler({ onUpdate: (_o, s) => requeueOwner(s), onDelete: requeueOwner });
  }

  private ownedSlices(namespace: string, name: string): EndpointSlice[] {
    return this.slices.lister
      .listNamespace(namespace)
      .filter((s) => s.metadata.labels?.[SERVICE_NAME_LABEL] === name && s.metadata.labels?.[MANAGED_BY_LABEL] === MANAGED_BY && !s.metadata.deletionTimestamp)
      .sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
  }

  async sync(key: string): Promise<void> {
    const { namespace = '', name } = splitMetaNamespaceKey(key);
    const client = this.options.client.resource<EndpointSlice>(ENDPOINTSLICES);
    const svc = this.services.lister.get(namespace, name);
    const existing = this.ownedSlices(namespace, name);
    const waiting = this.unseen.get(key);
    if (waiting) {
      // A slice deleted before we ever saw it must not hold the service forever.
      for (const [n, at] of waiting) if (this.slices.lister.get(namespace, n) || this.clock.nowMs() - at > 5000) waiting.delete(n);
      if (waiting.size > 0) {
        this.queue.addAfter(key, 20);
        return;
      }
      this.unseen.delete(key);
    }
    const remove = async (s: EndpointSlice): Promise<void> => {
      await client.delete(namespace, s.metadata.name!).catch((e) => (isNotFound(e) ? undefined : Promise.reject(e)));
    };
    if (!svc || !hasSelector(svc)) {
      for (const s of existing) await remove(s);
      return;
    }
    if (svc.metadata.deletionTimestamp) return;
    const desired = desiredSlices(svc, this.selectedPods(svc));
    const labels: Record<string, string> = { ...(svc.metadata.labels ?? {}), [SERVICE_NAME_LABEL]: name, [MANAGED_BY_LABEL]: MANAGED_BY };
    if (svc.spec?.clusterIP === 'None') labels[HEADLESS_LABEL] = '';
    const ownerReferences = [{ apiVersion: 'v1', kind: 'Service', name, uid: svc.metadata.uid!, controller: true, blockOwnerDeletion: true }];
    const now = rfc3339Now(this.clock);
    for (let i = 0; i < desired.length; i++) {
      const want = desired[i];
      const have = existing[i];
      if (have && sameJson(have.endpoints ?? [], want.endpoints) && sameJson(have.ports ?? [], want.ports) && sameJson(have.metadata.labels ?? {}, labels)) continue;
      const annotations = { ...(have?.metadata.annotations ?? {}), [LAST_CHANGE_TRIGGER_TIME]: now };
      const body: EndpointSlice = {
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: have
          ? { ...structuredClone(have.metadata), labels, annotations, ownerReferences }
          : { generateName: `${name}-`, namespace, labels, annotations, ownerReferences },
        addressType: 'IPv4',
        endpoints: want.endpoints,
        ports: want.ports,
      };
      if (have) await client.update(namespace, body);
      else {
        const created = await client.create(namespace, body);
        if (!this.unseen.has(key)) this.unseen.set(key, new Map());
        this.unseen.get(key)!.set(created.metadata.name!, this.clock.nowMs());
      }
    }
    for (const s of existing.slice(desired.length)) await remove(s);
  }
}
