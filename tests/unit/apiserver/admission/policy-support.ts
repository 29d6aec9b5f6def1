// A RestHandler on a memory store with the lab's policy admission (LimitRanger, ServiceAccount,
// ResourceQuota) wired as main/lab.ts wires it, for the admission unit tests.
import { ApiError, isNotFound } from '../../../../shared/api/errors';
import type { KubeObject } from '../../../../shared/api/meta';
import type { Pod } from '../../../../shared/api/pod';
import type { AdmissionPlugin } from '../../../../main/apiserver/admission';
import { createLimitRangerAdmission } from '../../../../main/apiserver/admission/limit-ranger';
import { createResourceQuotaAdmission } from '../../../../main/apiserver/admission/resource-quota';
import { createServiceAccountAdmission } from '../../../../main/apiserver/admission/service-account';
import { builtinResources } from '../../../../main/apiserver/registry';
import { RestHandler } from '../../../../main/apiserver/rest/handler';
import { KubeClient } from '../../../../main/client/client';
import { LIMITRANGES, RESOURCEQUOTAS, SERVICEACCOUNTS } from '../../../../main/client/gvr';
import { MemoryStore } from '../../../../main/store/memory-store';

export interface PolicyStack {
  handler: RestHandler;
  client: KubeClient;
  /** Every quota status write admission attempted, in order (`<quota>@<resourceVersion>`). */
  quotaWrites: string[];
}

export async function policyStack(namespaces: string[] = ['team'], extra: AdmissionPlugin[] = []): Promise<PolicyStack> {
  const handler = new RestHandler({ store: new MemoryStore(), resources: builtinResources });
  const client = new KubeClient(handler, 'admin');
  const quotaWrites: string[] = [];
  handler.addAdmission(createLimitRangerAdmission({ listLimitRanges: async (ns) => (await client.resource(LIMITRANGES).list(ns)).items }));
  handler.addAdmission(createServiceAccountAdmission({
    getServiceAccount: (ns, name) => client.resource(SERVICEACCOUNTS).get(ns, name).catch((e: unknown) => (isNotFound(e) ? undefined : Promise.reject(e))),
    defaultAttempts: 3,
    retryMs: 20,
  }));
  for (const p of extra) handler.addAdmission(p);
  handler.addAdmission(createResourceQuotaAdmission({
    listQuotas: async (ns) => (await client.resource(RESOURCEQUOTAS).list(ns)).items,
    updateQuotaStatus: (q) => {
      quotaWrites.push(`${q.metadata.name}@${q.metadata.resourceVersion}`);
      return client.resource(RESOURCEQUOTAS).updateStatus(q.metadata.namespace, q);
    },
  }));
  for (const name of namespaces) {
    await client.namespaces().create(undefined, { metadata: { name } });
    await client.resource(SERVICEACCOUNTS).create(name, { metadata: { name: 'default' } });
  }
  return { handler, client, quotaWrites };
}

export const pod = (name: string, containers: Array<{ name: string; requests?: Record<string, string>; limits?: Record<string, string> }>, spec: Record<string, unknown> = {}): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name },
  spec: {
    containers: containers.map((c) => ({
      name: c.name,
      image: 'busybox',
      ...(c.requests || c.limits ? { resources: { ...(c.requests ? { requests: c.requests } : {}), ...(c.limits ? { limits: c.limits } : {}) } } : {}),
    })),
    ...spec,
  },
});

/** The ApiError a write failed with (the test fails if it succeeded). */
export async function refusal(write: Promise<unknown>): Promise<ApiError> {
  const e = await write.then(() => undefined, (x: unknown) => x);
  if (!(e instanceof ApiError)) throw new Error(`expected an ApiError, got ${e === undefined ? 'success' : String(e)}`);
  return e;
}

export async function createQuota(client: KubeClient, ns: string, name: string, hard: Record<string, string>, extra: Record<string, unknown> = {}): Promise<KubeObject> {
  const q = await client.resource(RESOURCEQUOTAS).create(ns, { metadata: { name }, spec: { hard, ...extra } } as KubeObject);
  // What the resourcequota controller's first sync writes: hard from spec, used counted (0 here).
  const used = Object.fromEntries(Object.keys(hard).map((k) => [k, '0']));
  return client.resource(RESOURCEQUOTAS).updateStatus(ns, { ...q, status: { hard, used } } as KubeObject);
}
