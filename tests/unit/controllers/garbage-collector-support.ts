// Shared set-up for the garbage collector tests: the in-process apiserver with the controller manager,
// or a bare collector behind a handler whose watches can be held back (a stale cache on demand).
import { isNotFound } from '../../../shared/api/errors';
import type { KubeObject, OwnerReference } from '../../../shared/api/meta';
import { builtinResources } from '../../../main/apiserver/registry';
import { RestHandler } from '../../../main/apiserver/rest';
import type { ApiHandler, ApiRequest } from '../../../main/apiserver/types';
import { KubeClient } from '../../../main/client/client';
import { NAMESPACES, type KnownResource } from '../../../main/client/gvr';
import { SharedInformerFactory } from '../../../main/client/informer-factory';
import { startControllers } from '../../../main/controllers';
import { GarbageCollector } from '../../../main/controllers/garbage-collector';
import { MemoryStore } from '../../../main/store/memory-store';

export const stops: Array<() => void> = [];

async function createNamespaces(client: KubeClient): Promise<void> {
  for (const name of ['team', 'other']) {
    await client.resource(NAMESPACES).create(undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  }
}

/** The lab's controller manager (namespace controller + garbage collector) on a memory store. */
export async function startLabControllers(): Promise<{ client: KubeClient }> {
  const handler = new RestHandler({ store: new MemoryStore(), resources: builtinResources });
  const client = new KubeClient(handler, 'system:test');
  const manager = startControllers({ client, resources: builtinResources });
  stops.push(() => manager.stop());
  await createNamespaces(client);
  return { client };
}

/**
 * Watch events of the resources in `frozen` are swallowed (the list still answers), so the collector's
 * cache of them lags behind the apiserver for as long as the test wants.
 */
export class LaggingHandler implements ApiHandler {
  readonly frozen = new Set<string>();
  constructor(private readonly inner: ApiHandler) {}
  handle(request: ApiRequest): Promise<unknown> {
    return this.inner.handle(request);
  }
  watch(request: ApiRequest, onEvent: Parameters<ApiHandler['watch']>[1], onClose: (error?: unknown) => void) {
    return this.inner.watch(request, (e) => (this.frozen.has(request.resource) ? undefined : onEvent(e)), onClose);
  }
}

export async function startLaggingCollector(): Promise<{ client: KubeClient; lagging: LaggingHandler; collector: GarbageCollector }> {
  const lagging = new LaggingHandler(new RestHandler({ store: new MemoryStore(), resources: builtinResources }));
  const client = new KubeClient(lagging, 'system:test');
  const informers = new SharedInformerFactory(client);
  const collector = new GarbageCollector({ client, informers, resources: builtinResources });
  informers.start();
  collector.start();
  stops.push(() => collector.stop(), () => informers.shutdown());
  await createNamespaces(client);
  return { client, lagging, collector };
}

export function ownerRef(owner: KubeObject, blockOwnerDeletion?: boolean): OwnerReference {
  const ref: OwnerReference = { apiVersion: owner.apiVersion!, kind: owner.kind!, name: owner.metadata.name!, uid: owner.metadata.uid! };
  if (blockOwnerDeletion !== undefined) ref.blockOwnerDeletion = blockOwnerDeletion;
  return ref;
}

export function configMap(name: string, owners: OwnerReference[] = [], extra: Partial<KubeObject['metadata']> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, ...(owners.length ? { ownerReferences: owners } : {}), ...extra }, data: { k: name } };
}

export function secret(name: string, owners: OwnerReference[] = [], extra: Partial<KubeObject['metadata']> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Secret', metadata: { name, ...(owners.length ? { ownerReferences: owners } : {}), ...extra }, type: 'Opaque', data: { k: Buffer.from(name).toString('base64') } };
}

export async function until<T>(fn: () => Promise<T | undefined>, ms = 5000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The live object, or undefined once it is gone. */
export async function live(client: KubeClient, resource: KnownResource, namespace: string | undefined, name: string): Promise<KubeObject | undefined> {
  try {
    return await client.resource(resource).get(namespace, name);
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

/** Resolves once the object is gone. */
export function gone(client: KubeClient, resource: KnownResource, namespace: string | undefined, name: string, ms?: number): Promise<true> {
  return until(async () => ((await live(client, resource, namespace, name)) ? undefined : true), ms);
}
