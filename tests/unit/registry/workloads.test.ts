import { describe, expect, it } from 'vitest';
import { daemonsets } from '../../../main/apiserver/registry/daemonsets';
import { deployments } from '../../../main/apiserver/registry/deployments';
import { replicasets } from '../../../main/apiserver/registry/replicasets';
import { statefulsets } from '../../../main/apiserver/registry/statefulsets';
import { cells, clone, created, createErrors, updateErrors } from './helpers';

const TEMPLATE_SPEC_DEFAULTS = {
  containers: [
    {
      name: 'web',
      image: 'nginx:1.27',
      imagePullPolicy: 'IfNotPresent',
      resources: {},
      terminationMessagePath: '/dev/termination-log',
      terminationMessagePolicy: 'File',
    },
  ],
  dnsPolicy: 'ClusterFirst',
  restartPolicy: 'Always',
  schedulerName: 'default-scheduler',
  securityContext: {},
  terminationGracePeriodSeconds: 30,
};

const workload = (kind: string, spec: Record<string, unknown> = {}, labels: Record<string, string> = { app: 'web' }) => ({
  apiVersion: 'apps/v1',
  kind,
  metadata: { name: 'web', namespace: 'default' },
  spec: {
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } },
    ...spec,
  },
});

describe('deployment', () => {
  it('defaults like a real cluster (template gets PodSpec defaults, not pod-only ones)', () => {
    const d = created(deployments, workload('Deployment'));
    expect(d.spec).toEqual({
      replicas: 1,
      selector: { matchLabels: { app: 'web' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } },
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
      template: { metadata: { labels: { app: 'web' } }, spec: TEMPLATE_SPEC_DEFAULTS },
    });
  });

  it('Recreate gets no rollingUpdate block', () => {
    const d = created(deployments, workload('Deployment', { strategy: { type: 'Recreate' } })) as any;
    expect(d.spec.strategy).toEqual({ type: 'Recreate' });
  });

  it('rejects a selector that does not match the template labels, as kubectl shows it', () => {
    expect(createErrors(deployments, workload('Deployment', {}, { app: 'other' }))).toEqual([
      'spec.template.metadata.labels: Invalid value: map[string]string{"app":"other"}: `selector` does not match template `labels`',
    ]);
  });

  it.each<[string, Record<string, unknown>, string[]]>([
    ['negative replicas', { replicas: -1 }, ['spec.replicas: Invalid value: -1: must be greater than or equal to 0']],
    ['missing selector', { selector: undefined }, ['spec.selector: Required value']],
    ['empty selector', { selector: {} }, ['spec.selector: Invalid value: {}: empty selector is invalid for deployment']],
    [
      'template restartPolicy must be Always',
      { template: { metadata: { labels: { app: 'web' } }, spec: { restartPolicy: 'Never', containers: [{ name: 'web', image: 'x' }] } } },
      ['spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"'],
    ],
    [
      'maxUnavailable and maxSurge both 0',
      { strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 0 } } },
      ['spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0'],
    ],
    ['percent above 100', { strategy: { rollingUpdate: { maxSurge: '150%' } } }, ['spec.strategy.rollingUpdate.maxSurge: Invalid value: "150%": must not be greater than 100%']],
    ['strategy type enum', { strategy: { type: 'BlueGreen' } }, ['spec.strategy.type: Unsupported value: "BlueGreen": supported values: "Recreate", "RollingUpdate"']],
    ['progress deadline vs minReady', { minReadySeconds: 30, progressDeadlineSeconds: 10 }, ['spec.progressDeadlineSeconds: Invalid value: 10: must be greater than minReadySeconds']],
  ])('%s', (_n, spec, expected) => {
    expect(createErrors(deployments, workload('Deployment', spec))).toEqual(expected);
  });

  it('accepts a valid deployment', () => {
    expect(createErrors(deployments, workload('Deployment', { replicas: 3 }))).toEqual([]);
  });

  it('selector is immutable; template changes are fine', () => {
    const old = created(deployments, workload('Deployment'));
    const next = clone(old) as any;
    next.spec.template.spec.containers[0].image = 'nginx:1.28';
    expect(updateErrors(deployments, old, next)).toEqual([]);
    next.spec.selector = { matchLabels: { app: 'web', tier: 'fe' } };
    next.spec.template.metadata.labels.tier = 'fe';
    expect(updateErrors(deployments, old, next)).toEqual(['spec.selector: Invalid value: {"matchLabels":{"app":"web","tier":"fe"}}: field is immutable']);
  });

  it('columns READY UP-TO-DATE AVAILABLE AGE (+ CONTAINERS IMAGES SELECTOR)', () => {
    const d = created(deployments, workload('Deployment', { replicas: 3 })) as any;
    d.metadata.creationTimestamp = '2026-01-01T00:00:00Z';
    d.status = { readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 };
    expect(cells(deployments, d, new Date(), true)).toEqual({
      Ready: '2/3',
      'Up-to-date': 3,
      Available: 2,
      Age: '2026-01-01T00:00:00Z',
      Containers: 'web',
      Images: 'nginx:1.27',
      Selector: 'app=web',
    });
  });
});

describe('replicaset', () => {
  it('defaults replicas and template', () => {
    const rs = created(replicasets, workload('ReplicaSet')) as any;
    expect(rs.spec.replicas).toBe(1);
    expect(rs.spec.template.spec).toEqual(TEMPLATE_SPEC_DEFAULTS);
  });

  it('columns DESIRED CURRENT READY AGE', () => {
    const rs = created(replicasets, workload('ReplicaSet', { replicas: 2 })) as any;
    rs.status = { replicas: 2, readyReplicas: 1 };
    expect(cells(replicasets, rs, new Date())).toMatchObject({ Desired: 2, Current: 2, Ready: 1 });
  });

  it('selector immutable', () => {
    const old = created(replicasets, workload('ReplicaSet'));
    const next = clone(old) as any;
    next.spec.selector.matchLabels.app = 'x';
    next.spec.template.metadata.labels.app = 'x';
    expect(updateErrors(replicasets, old, next)).toHaveLength(1);
  });
});

describe('statefulset', () => {
  it('defaults', () => {
    const sts = created(
      statefulsets,
      workload('StatefulSet', {
        serviceName: 'web',
        volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
      }),
    ) as any;
    expect(sts.spec).toEqual({
      replicas: 1,
      serviceName: 'web',
      selector: { matchLabels: { app: 'web' } },
      podManagementPolicy: 'OrderedReady',
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
      revisionHistoryLimit: 10,
      template: { metadata: { labels: { app: 'web' } }, spec: TEMPLATE_SPEC_DEFAULTS },
      volumeClaimTemplates: [
        {
          metadata: { name: 'data' },
          spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, volumeMode: 'Filesystem' },
          status: { phase: 'Pending' },
        },
      ],
    });
    expect(createErrors(statefulsets, workload('StatefulSet'))).toEqual([]);
  });

  it('only replicas, template, updateStrategy, ... may change', () => {
    const old = created(statefulsets, workload('StatefulSet', { serviceName: 'web' }));
    const scaled = clone(old) as any;
    scaled.spec.replicas = 5;
    expect(updateErrors(statefulsets, old, scaled)).toEqual([]);
    const renamed = clone(old) as any;
    renamed.spec.serviceName = 'other';
    expect(updateErrors(statefulsets, old, renamed)).toEqual([
      "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
    ]);
  });

  it('columns READY AGE', () => {
    const sts = created(statefulsets, workload('StatefulSet', { replicas: 3 })) as any;
    sts.status = { replicas: 3, readyReplicas: 1 };
    expect(cells(statefulsets, sts, new Date())).toMatchObject({ Ready: '1/3' });
  });
});

describe('daemonset', () => {
  it('defaults', () => {
    const ds = created(daemonsets, workload('DaemonSet')) as any;
    expect(ds.spec.updateStrategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
    expect(ds.spec.revisionHistoryLimit).toBe(10);
    expect(createErrors(daemonsets, workload('DaemonSet'))).toEqual([]);
  });

  it('columns include NODE SELECTOR', () => {
    const ds = created(daemonsets, workload('DaemonSet')) as any;
    ds.spec.template.spec.nodeSelector = { 'kubernetes.io/os': 'linux' };
    ds.status = { desiredNumberScheduled: 3, currentNumberScheduled: 3, numberReady: 2, updatedNumberScheduled: 3, numberAvailable: 2 };
    expect(cells(daemonsets, ds, new Date())).toMatchObject({ Desired: 3, Current: 3, Ready: 2, 'Up-to-date': 3, Available: 2, 'Node Selector': 'kubernetes.io/os=linux' });
  });
});

describe('replicationcontroller', () => {
  it('selector and labels default to the template labels', async () => {
    const { replicationcontrollers } = await import('../../../main/apiserver/registry/replicationcontrollers');
    const rc = created(replicationcontrollers, {
      metadata: { name: 'web', namespace: 'default' },
      spec: { template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } } },
    }) as any;
    expect(rc.spec.selector).toEqual({ app: 'web' });
    expect(rc.metadata.labels).toEqual({ app: 'web' });
    expect(rc.spec.replicas).toBe(1);
    expect(replicationcontrollers.validate!(rc)).toEqual([]);
    rc.spec.selector = { app: 'other' };
    expect(createErrors(replicationcontrollers, rc)).toEqual([
      'spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`',
    ]);
  });
});
