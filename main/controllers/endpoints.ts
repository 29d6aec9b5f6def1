// Endpoints controller (k8s pkg/controller/endpoint): one core/v1 Endpoints per Service with a selector,
// named like the Service. Ready pods go to `addresses`, not-ready ones to `notReadyAddresses` (all of
// them to `addresses` with publishNotReadyAddresses); terminating and finished pods leave at once.
// Subsets group addresses by their resolved port set, as RepackSubsets does, so a named targetPort that
// resolves differently on two pods yields two subsets. Services without a selector are left alone:
// their Endpoints belong to the user (and the lab's `kubernetes` Service).
import { isAlreadyExists, isNotFound } from '../../shared/api/errors';
import type { Pod } from '../../shared/api/pod';
import type { EndpointAddress, EndpointPort, Endpoints, EndpointSubset, Service } from '../../shared/api/service';
import { ENDPOINTS } from '../client/gvr';
import { splitMetaNamespaceKey } from '../client/indexer';
import type { SharedInformer } from '../client/informer';
import {
  endpointHostname,
  HEADLESS_LABEL,
  hasSelector,
  isPodReady,
  LAST_CHANGE_TRIGGER_TIME,
  podReference,
  resolveTargetPort,
  rfc3339Now,
  sameJson,
  ServicePodController,
  shouldPodBeInEndpoints,
  type ServicePodControllerOptions,
} from './endpoints-pods';

/** The Endpoints subsets for a service over its pods (exported for tests and the slice controller's parity). */
export function desiredSubsets(svc: Service, pods: Pod[]): EndpointSubset[] {
  const publishNotReady = svc.spec?.publishNotReadyAddresses === true;
  const bySignature = new Map<string, EndpointSubset>();
  for (const pod of pods) {
    if (!shouldPodBeInEndpoints(pod, false)) continue;
    const ports: EndpointPort[] = [];
    for (const sp of svc.spec?.ports ?? []) {
      const port = resolveTargetPort(pod, sp);
      if (port === undefined) continue;
      ports.push({ ...(sp.name ? { name: sp.name } : {}), port, protocol: sp.protocol ?? 'TCP' });
    }
    // A headless service without ports still lists its pods (for DNS); otherwise a pod needs a port.
    if (ports.length === 0 && (svc.spec?.ports ?? []).length > 0) continue;
    ports.sort((a, b) => (a.name ?? '').localeCompare(b.name ?? '') || a.port - b.port);
    const key = JSON.stringify(ports);
    let subset = bySignature.get(key);
    if (!subset) bySignature.set(key, (subset = { ports }));
    const address: EndpointAddress = { ip: pod.status!.podIP! };
    const hostname = endpointHostname(pod, svc);
    if (hostname) address.hostname = hostname;
    if (pod.spec?.nodeName) address.nodeName = pod.spec.nodeName;
    address.targetRef = podReference(pod);
    if (publishNotReady || isPodReady(pod)) (subset.addresses ??= []).push(address);
    else (subset.notReadyAddresses ??= []).push(address);
  }
  const subsets = [...bySignature.values()].filter((s) => s.addresses?.length || s.notReadyAddresses?.length);
  for (const s of subsets) {
    s.addresses?.sort((a, b) => a.ip.localeCompare(b.ip));
    s.notReadyAddresses?.sort((a, b) => a.ip.localeCompare(b.ip));
    if (s.ports?.length === 0) delete s.ports;
  }
  return subsets.sort((a, b) => JSON.stringify(a.ports ?? []).localeCompare(JSON.stringify(b.ports ?? [])));
}

function desiredLabels(svc: Service): Record<string, string> {
  const labels: Record<string, string> = { ...(svc.metadata.labels ?? {}) };
  if (svc.spec?.clusterIP === 'None') labels[HEADLESS_LABEL] = '';
  else delete labels[HEADLESS_LABEL];
  return labels;
}

export class EndpointsController extends ServicePodController {
  private readonly endpoints: SharedInformer<Endpoints>;

  constructor(options: ServicePodControllerOptions) {
    super(options, 'endpoint');
    this.endpoints = options.informers.informerFor<Endpoints>(ENDPOINTS);
  }

  async sync(key: string): Promise<void> {
    const { namespace, name } = splitMetaNamespaceKey(key);
    const client = this.options.client.resource<Endpoints>(ENDPOINTS);
    const svc = this.services.lister.get(namespace, name);
    const current = this.endpoints.lister.get(namespace, name);
    if (!svc) {
      // The service is gone: its Endpoints go too (only ones we would have managed carry no user intent).
      if (current) await client.delete(namespace, name).catch((e) => (isNotFound(e) ? undefined : Promise.reject(e)));
      return;
    }
    if (!hasSelector(svc) || svc.metadata.deletionTimestamp) return;
    const subsets = desiredSubsets(svc, this.selectedPods(svc));
    const labels = desiredLabels(svc);
    if (current && sameJson(current.subsets ?? [], subsets) && sameJson(current.metadata.labels ?? {}, labels)) return;
    const annotations: Record<string, string> = { ...(current?.metadata.annotations ?? {}), [LAST_CHANGE_TRIGGER_TIME]: rfc3339Now(this.clock) };
    const body: Endpoints = {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { ...(current ? structuredClone(current.metadata) : { name, namespace }), labels, annotations },
      subsets,
    };
    if (!current) {
      try {
        await client.create(namespace, body);
      } catch (e) {
        // Someone (a previous sync whose event we have not seen yet) created it: sync again from the cache.
        if (!isAlreadyExists(e)) throw e;
        this.queue.addAfter(key, 10);
      }
      return;
    }
    await client.update(namespace, body);
  }
}
