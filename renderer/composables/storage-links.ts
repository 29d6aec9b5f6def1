// How storage objects point at each other (PVC ⇄ PV ⇄ StorageClass, pods → PVC), for the links and
// the "used by" lists of the Storage pages.
import type { KubeObject } from '../../shared/api/meta';
import type { Pod } from '../../shared/api/pod';
import type { PersistentVolume, PersistentVolumeClaim } from '../../shared/api/storage';

/** storage.k8s.io/v1 StorageClass (top-level fields, no spec). */
export interface StorageClass extends KubeObject {
  provisioner: string;
  parameters?: Record<string, string>;
  reclaimPolicy?: 'Delete' | 'Retain';
  volumeBindingMode?: 'Immediate' | 'WaitForFirstConsumer';
  allowVolumeExpansion?: boolean;
  mountOptions?: string[];
}

export function isDefaultClass(sc: KubeObject): boolean {
  const a = sc.metadata.annotations ?? {};
  return a['storageclass.kubernetes.io/is-default-class'] === 'true' || a['storageclass.beta.kubernetes.io/is-default-class'] === 'true';
}

/** A pod uses a claim when one of its volumes names it (what blocks the claim's deletion: kubernetes.io/pvc-protection). */
export function podUsesClaim(pod: KubeObject, claim: KubeObject): boolean {
  if (pod.metadata.namespace !== claim.metadata.namespace) return false;
  return ((pod as Pod).spec?.volumes ?? []).some((v) => v.persistentVolumeClaim?.claimName === claim.metadata.name);
}

/** Where a PV's data lives on this machine (hostPath/local path, NFS export, or the provisioner's volume). */
export function volumeSource(pv: PersistentVolume): string | undefined {
  const s = pv.spec;
  if (s?.hostPath) return `hostPath ${s.hostPath.path}`;
  if (s?.local) return `local ${s.local.path}`;
  if (s?.nfs) return `nfs ${s.nfs.server}:${s.nfs.path}`;
  const csi = (s as { csi?: { driver: string; volumeHandle: string } } | undefined)?.csi;
  return csi ? `csi ${csi.driver} ${csi.volumeHandle}` : undefined;
}

/** Claims of a class; a claim without storageClassName counts for the default class (DefaultStorageClass admission fills it in). */
export function claimsOfClass(claims: PersistentVolumeClaim[], sc: StorageClass): PersistentVolumeClaim[] {
  return claims.filter((c) => c.spec?.storageClassName === sc.metadata.name);
}

export function volumesOfClass(volumes: PersistentVolume[], sc: StorageClass): PersistentVolume[] {
  return volumes.filter((v) => v.spec?.storageClassName === sc.metadata.name);
}

/** kubectl's PV CLAIM column and the PVC's bound volume, as links (namespace, name). */
export function claimOf(pv: PersistentVolume): { namespace: string; name: string } | undefined {
  const ref = pv.spec?.claimRef;
  return ref?.name ? { namespace: ref.namespace ?? 'default', name: ref.name } : undefined;
}
