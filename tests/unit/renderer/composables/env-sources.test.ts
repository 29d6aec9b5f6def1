import { describe, expect, it } from 'vitest';
import type { Pod } from '../../../../shared/api/pod';
import { envRows, resolveFieldPath, volumeRows, type EnvLookup } from '../../../../renderer/composables/env-sources';

const pod: Pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web-1', namespace: 'shop', uid: 'u1', labels: { app: 'web' } },
  spec: {
    nodeName: 'node-2',
    initContainers: [{ name: 'seed', image: 'busybox', volumeMounts: [{ name: 'data', mountPath: '/seed' }] }],
    containers: [
      {
        name: 'web',
        image: 'nginx',
        envFrom: [{ configMapRef: { name: 'app-config' }, prefix: 'APP_' }, { secretRef: { name: 'db' } }, { configMapRef: { name: 'absent', optional: true } }],
        env: [
          { name: 'MODE', value: 'prod' },
          { name: 'APP_color', valueFrom: { configMapKeyRef: { name: 'app-config', key: 'color' } } },
          { name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } },
          { name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'db', key: 'token' } } },
          { name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
          { name: 'APP_LABEL', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
          { name: 'MEM', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
        ],
        volumeMounts: [
          { name: 'config', mountPath: '/etc/app', readOnly: true },
          { name: 'data', mountPath: '/var/data', subPath: 'web' },
        ],
      },
    ],
    volumes: [
      { name: 'config', configMap: { name: 'app-config', items: [{ key: 'color', path: 'color.txt' }] } },
      { name: 'data', persistentVolumeClaim: { claimName: 'data-web' } },
      { name: 'creds', secret: { secretName: 'db' } },
      { name: 'scratch', emptyDir: { medium: 'Memory', sizeLimit: '64Mi' } },
    ],
  },
};

const configMaps: NonNullable<EnvLookup['configMaps']> = [{ metadata: { name: 'app-config', namespace: 'shop' }, data: { color: 'blue', size: 'L' } }, { metadata: { name: 'app-config', namespace: 'other' }, data: { color: 'red' } }];
const secrets: NonNullable<EnvLookup['secrets']> = [{ metadata: { name: 'db', namespace: 'shop' }, data: { password: 'c2VjcmV0' } }];

describe('env sources', () => {
  it('says where each variable comes from, resolving ConfigMap values and fields but never Secret values', () => {
    const rows = envRows(pod, pod.spec!.containers[0], { configMaps, secrets, loaded: true });
    expect(rows.map((r) => [r.name, r.source, r.value, r.ref?.name, r.ref?.key, r.field, r.missing ?? false])).toEqual([
      ['APP_size', 'configMapEnvFrom', 'L', 'app-config', 'size', undefined, false],
      ['password', 'secretEnvFrom', undefined, 'db', 'password', undefined, false],
      ['*', 'configMapEnvFrom', undefined, 'absent', undefined, undefined, false],
      ['MODE', 'value', 'prod', undefined, undefined, undefined, false],
      // An explicit env entry replaces the same name from envFrom (APP_color came from the ConfigMap).
      ['APP_color', 'configMapKey', 'blue', 'app-config', 'color', undefined, false],
      ['PASSWORD', 'secretKey', undefined, 'db', 'password', undefined, false],
      ['TOKEN', 'secretKey', undefined, 'db', 'token', undefined, true],
      ['NODE', 'fieldRef', 'node-2', undefined, undefined, 'spec.nodeName', false],
      ['APP_LABEL', 'fieldRef', 'web', undefined, undefined, "metadata.labels['app']", false],
      ['MEM', 'resourceFieldRef', undefined, undefined, undefined, 'limits.memory (web) ÷ 1Mi', false],
    ]);
    expect(rows.some((r) => r.source.startsWith('secret') && r.value !== undefined)).toBe(false);
  });

  it('reports nothing missing until the lists have loaded, and shows an unresolved envFrom as prefix*', () => {
    const rows = envRows(pod, pod.spec!.containers[0]);
    expect(rows.filter((r) => r.missing)).toEqual([]);
    expect(rows[0]).toMatchObject({ name: 'APP_*', source: 'configMapEnvFrom', prefix: 'APP_', ref: { resource: 'configmaps', name: 'app-config' } });
  });

  it('resolves the downward API fields the kubelet supports', () => {
    expect(resolveFieldPath(pod, 'metadata.namespace')).toBe('shop');
    expect(resolveFieldPath(pod, "metadata.annotations['x']")).toBeUndefined();
    expect(resolveFieldPath(pod, 'status.podIP')).toBeUndefined();
  });
});

describe('volumes', () => {
  it('lists each volume with its type, linked source and the mounts of every container', () => {
    expect(volumeRows(pod)).toEqual([
      { name: 'config', type: 'configMap', ref: { resource: 'configmaps', name: 'app-config' }, detail: 'color → color.txt', mounts: [{ container: 'web', mountPath: '/etc/app', readOnly: true, init: false }] },
      {
        name: 'data',
        type: 'persistentVolumeClaim',
        ref: { resource: 'persistentvolumeclaims', name: 'data-web' },
        readOnlySource: false,
        mounts: [
          { container: 'seed', mountPath: '/seed', readOnly: false, init: true },
          { container: 'web', mountPath: '/var/data', readOnly: false, init: false, subPath: 'web' },
        ],
      },
      { name: 'creds', type: 'secret', ref: { resource: 'secrets', name: 'db' }, detail: undefined, mounts: [] },
      { name: 'scratch', type: 'emptyDir', detail: 'Memory, sizeLimit 64Mi', mounts: [] },
    ]);
  });
});
