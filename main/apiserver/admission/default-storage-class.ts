// DefaultStorageClass admission (plugin/pkg/admission/storage/storageclass/setdefault): a claim created
// without spec.storageClassName gets the default class's name, so `kubectl get pvc` shows STORAGECLASS
// `standard` as on a real cluster. An explicit "" (no class) is left alone.
import type { KubeObject } from '../../../shared/api/meta';
import type { AdmissionPlugin } from '../admission';
import { isDefaultStorageClass } from '../registry/storageclasses';

export interface DefaultStorageClassOptions {
  /** Every StorageClass (cluster-scoped). */
  listStorageClasses(): Promise<KubeObject[]>;
}

export function createDefaultStorageClassAdmission(options: DefaultStorageClassOptions): AdmissionPlugin {
  return {
    name: 'DefaultStorageClass',
    async admit(ctx) {
      if (ctx.operation !== 'CREATE' || ctx.subresource || !ctx.object) return;
      if (ctx.resource.group !== '' || ctx.resource.resource !== 'persistentvolumeclaims') return;
      const spec = ((ctx.object as Record<string, any>).spec ??= {});
      if (spec.storageClassName !== undefined && spec.storageClassName !== null) return;
      const defaults = (await options.listStorageClasses()).filter(isDefaultStorageClass);
      if (!defaults.length) return;
      // Several defaults: the newest wins (Kubernetes 1.26+).
      defaults.sort((a, b) => (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? '') || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
      spec.storageClassName = defaults[0].metadata.name;
    },
  };
}
