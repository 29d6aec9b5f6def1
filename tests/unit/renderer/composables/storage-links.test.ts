import { describe, expect, it } from 'vitest';
import type { Pod } from '../../../../shared/api/pod';
import type { PersistentVolume, PersistentVolumeClaim } from '../../../../shared/api/storage';
import { claimOf, claimsOfClass, isDefaultClass, podUsesClaim, volumeSource, volumesOfClass, type StorageClass } from '../../../../renderer/composables/storage-links';
import { persistentvolumeclaims } from '../../../../renderer/resources/persistentvolumeclaims';
import { storageclasses } from '../../../../renderer/resources/storageclasses';

const claim: PersistentVolumeClaim = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data', namespace: 'shop' }, spec: { storageClassName: 'standard', volumeName: 'pvc-1' } };
const pod = (ns: string, claimName: string): Pod => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: ns }, spec: { containers: [], volumes: [{ name: 'v', persistentVolumeClaim: { claimName } }] } });
const standard: StorageClass = { metadata: { name: 'standard', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } }, provisioner: 'bosun.dev/docker-volume' };

describe('storage links', () => {
  it('finds the pods that mount a claim (same namespace, by claimName) for the PVC pods section', () => {
    expect(podUsesClaim(pod('shop', 'data'), claim)).toBe(true);
    expect(podUsesClaim(pod('other', 'data'), claim)).toBe(false);
    expect(podUsesClaim(pod('shop', 'logs'), claim)).toBe(false);
    expect(persistentvolumeclaims.ownsPod?.(claim, pod('shop', 'data'))).toBe(true);
    expect(persistentvolumeclaims.sections).toContain('pods');
  });

  it('links volumes, claims and classes', () => {
    const pv: PersistentVolume = { metadata: { name: 'pvc-1' }, spec: { storageClassName: 'standard', hostPath: { path: '/var/lib/bosun/pv/pvc-1' }, claimRef: { namespace: 'shop', name: 'data' } } };
    const other: PersistentVolume = { metadata: { name: 'manual' }, spec: { local: { path: '/mnt/x' } } };
    expect(claimOf(pv)).toEqual({ namespace: 'shop', name: 'data' });
    expect(claimOf(other)).toBeUndefined();
    expect([volumeSource(pv), volumeSource(other)]).toEqual(['hostPath /var/lib/bosun/pv/pvc-1', 'local /mnt/x']);
    expect(volumesOfClass([pv, other], standard).map((v) => v.metadata.name)).toEqual(['pvc-1']);
    expect(claimsOfClass([claim], standard)).toEqual([claim]);
    expect(isDefaultClass(standard)).toBe(true);
    expect(isDefaultClass({ metadata: { name: 'fast' } })).toBe(false);
    expect(storageclasses.columns.map((c) => c.value(standard as never, new Date()))).toEqual(['default', 'bosun.dev/docker-volume', 'Delete', 'Immediate', 'false']);
  });
});
