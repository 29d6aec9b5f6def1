// ServiceAccount controller (k8s pkg/controller/serviceaccount) and root CA publisher
// (pkg/controller/certificates/rootcacertpublisher): every active namespace has a `default`
// ServiceAccount and a `kube-root-ca.crt` ConfigMap whose `ca.crt` is the CA that signs the lab's
// serving certificate. Both come back when deleted; an edited ConfigMap is put back. Keys are namespace
// names; handlers only enqueue; sync re-reads the caches.
import { isAlreadyExists, isForbidden, isNotFound } from '../../shared/api/errors';
import type { KubeObject } from '../../shared/api/meta';
import { cloneObject } from '../client/cache-object';
import type { KubeClient } from '../client/client';
import { RealClock, type Clock } from '../client/clock';
import { CONFIGMAPS, NAMESPACES, SERVICEACCOUNTS } from '../client/gvr';
import type { SharedInformer } from '../client/informer';
import type { SharedInformerFactory } from '../client/informer-factory';
import { runWorkers, WorkQueue } from '../client/workqueue';

export const DEFAULT_SERVICE_ACCOUNT = 'default';
export const ROOT_CA_CONFIGMAP = 'kube-root-ca.crt';
const ROOT_CA_DESCRIPTION =
  'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.';

interface ConfigMap extends KubeObject {
  data?: Record<string, string>;
}

export interface ServiceAccountControllerOptions {
  client: KubeClient;
  informers: SharedInformerFactory;
  clock?: Clock;
  /** PEM of the CA published as kube-root-ca.crt; without it no ConfigMap is published. */
  rootCaCertificate?: string;
  workers?: number;
}

const isActive = (ns: KubeObject | undefined): boolean =>
  !!ns && !ns.metadata.deletionTimestamp && (ns as { status?: { phase?: string } }).status?.phase !== 'Terminating';

export class ServiceAccountController {
  readonly queue: WorkQueue<string>;
  private readonly namespaces: SharedInformer<KubeObject>;
  private readonly accounts: SharedInformer<KubeObject>;
  private readonly configMaps?: SharedInformer<ConfigMap>;

  constructor(private readonly options: ServiceAccountControllerOptions) {
    const clock = options.clock ?? new RealClock();
    this.queue = new WorkQueue<string>({ name: 'serviceaccount', clock });
    this.namespaces = options.informers.informerFor(NAMESPACES);
    this.accounts = options.informers.informerFor(SERVICEACCOUNTS);
    const byName = (o: KubeObject): void => this.queue.add(o.metadata.name!);
    const byNamespace = (o: KubeObject): void => this.queue.add(o.metadata.namespace!);
    this.namespaces.addEventHandler({ onAdd: byName, onUpdate: (_o, n) => byName(n) });
    this.accounts.addEventHandler({ onDelete: (sa) => { if (sa.metadata.name === DEFAULT_SERVICE_ACCOUNT) byNamespace(sa); } });
    if (options.rootCaCertificate) {
      this.configMaps = options.informers.informerFor<ConfigMap>(CONFIGMAPS);
      const ours = (cm: KubeObject): void => { if (cm.metadata.name === ROOT_CA_CONFIGMAP) byNamespace(cm); };
      this.configMaps.addEventHandler({ onUpdate: (_o, cm) => ours(cm), onDelete: ours });
    }
  }

  start(): void {
    runWorkers(this.queue, this.options.workers ?? 2, (ns) => this.sync(ns));
  }

  stop(): void {
    this.queue.shutDown();
  }

  async sync(namespace: string): Promise<void> {
    if (!isActive(this.namespaces.lister.get(undefined, namespace))) return;
    await this.ensureDefaultServiceAccount(namespace);
    if (this.options.rootCaCertificate) await this.ensureRootCa(namespace, this.options.rootCaCertificate);
  }

  private async ensureDefaultServiceAccount(namespace: string): Promise<void> {
    if (this.accounts.lister.get(namespace, DEFAULT_SERVICE_ACCOUNT)) return;
    const sa: KubeObject = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: DEFAULT_SERVICE_ACCOUNT, namespace } };
    await this.options.client.resource(SERVICEACCOUNTS).create(namespace, sa).catch(ignoreBenign);
  }

  private async ensureRootCa(namespace: string, cert: string): Promise<void> {
    const api = this.options.client.resource<ConfigMap>(CONFIGMAPS);
    const existing = this.configMaps!.lister.get(namespace, ROOT_CA_CONFIGMAP);
    if (!existing) {
      const cm: ConfigMap = {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: ROOT_CA_CONFIGMAP, namespace, annotations: { 'kubernetes.io/description': ROOT_CA_DESCRIPTION } },
        data: { 'ca.crt': cert },
      };
      await api.create(namespace, cm).catch(ignoreBenign);
      return;
    }
    const data = existing.data ?? {};
    if (data['ca.crt'] === cert && Object.keys(data).length === 1) return;
    // Someone edited it: put the published bundle back (other keys go, as rootcacertpublisher does).
    const fixed = cloneObject(existing);
    fixed.data = { 'ca.crt': cert };
    await api.update(namespace, fixed).catch(ignoreBenign);
  }
}

/** Already there, gone, or the namespace started terminating: nothing to do. Conflicts requeue. */
function ignoreBenign(e: unknown): void {
  if (isAlreadyExists(e) || isNotFound(e) || isForbidden(e)) return;
  throw e;
}
