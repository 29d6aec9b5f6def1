// ServiceAccount admission (plugin/pkg/admission/serviceaccount), the part the lab honours: a pod runs as
// a ServiceAccount that must exist. spec.serviceAccountName is already `default` when empty (pod
// defaulting, see registry/pod-defaults.ts), so this plugin only refuses a pod naming a missing account:
// `pods "x" is forbidden: error looking up service account ns/sa: serviceaccount "sa" not found`.
// The `default` account of a namespace created a moment ago may not exist yet (the serviceaccount
// controller makes it), so, as kube-apiserver does, a missing `default` is looked up again for a while
// before the pod is refused. Departure: no token is mounted into containers (the lab has no token
// controller and nothing in a pod can reach the API with one).
import type { KubeObject } from '../../../shared/api/meta';
import type { AdmissionPlugin } from '../admission';
import { forbiddenFor } from './limit-ranger';

export interface ServiceAccountAdmissionOptions {
  /** The ServiceAccount, or undefined when it does not exist. */
  getServiceAccount(namespace: string, name: string): Promise<KubeObject | undefined>;
  /** Lookups of a missing `default` account before giving up (kube-apiserver: 10). */
  defaultAttempts?: number;
  /** Pause between them (kube-apiserver: 100–200 ms). */
  retryMs?: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export function createServiceAccountAdmission(options: ServiceAccountAdmissionOptions): AdmissionPlugin {
  return {
    name: 'ServiceAccount',
    async admit(ctx) {
      if (ctx.operation !== 'CREATE' || ctx.subresource || !ctx.object) return;
      if (ctx.resource.group !== '' || ctx.resource.resource !== 'pods') return;
      // Mirror pods of static manifests are exempt in Kubernetes; the lab has none, but keep the rule.
      if (ctx.object.metadata.annotations?.['kubernetes.io/config.mirror']) return;
      const namespace = ctx.object.metadata.namespace ?? '';
      const name = ((ctx.object as { spec?: { serviceAccountName?: string } }).spec?.serviceAccountName) || 'default';
      const attempts = name === 'default' ? (options.defaultAttempts ?? 10) : 1;
      for (let i = 0; i < attempts; i++) {
        if (i > 0) await sleep(options.retryMs ?? 100 + Math.floor(Math.random() * 100));
        if (await options.getServiceAccount(namespace, name)) return;
      }
      throw forbiddenFor(ctx, [`error looking up service account ${namespace}/${name}: serviceaccount "${name}" not found`]);
    },
  };
}
