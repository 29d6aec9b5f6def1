import { describe, expect, it } from 'vitest';
import { events } from '../../../main/apiserver/registry/events';
import { horizontalpodautoscalers } from '../../../main/apiserver/registry/hpas';
import { leases } from '../../../main/apiserver/registry/leases';
import { limitranges } from '../../../main/apiserver/registry/limitranges';
import { namespaces } from '../../../main/apiserver/registry/namespaces';
import { nodes } from '../../../main/apiserver/registry/nodes';
import { poddisruptionbudgets } from '../../../main/apiserver/registry/pdbs';
import { persistentvolumeclaims } from '../../../main/apiserver/registry/persistentvolumeclaims';
import { persistentvolumes } from '../../../main/apiserver/registry/persistentvolumes';
import { resourcequotas } from '../../../main/apiserver/registry/resourcequotas';
import { cells, clone, created, createErrors, updateErrors } from './helpers';

const NOW = new Date('2026-01-01T01:00:00Z');

describe('namespaces', () => {
  it('defaults finalizers, phase and the metadata.name label', () => {
    expect(created(namespaces, { metadata: { name: 'team-a' } })).toEqual({
      metadata: { name: 'team-a', labels: { 'kubernetes.io/metadata.name': 'team-a' } },
      spec: { finalizers: ['kubernetes'] },
      status: { phase: 'Active' },
    });
  });

  it('names are DNS-1123 labels and cluster-scoped', () => {
    expect(createErrors(namespaces, { metadata: { name: 'team.a' } })[0]).toMatch(/^metadata.name: Invalid value: "team.a": a lowercase RFC 1123 label/);
    expect(createErrors(namespaces, { metadata: { name: 'a', namespace: 'b' } })).toEqual(['metadata.namespace: Forbidden: not allowed on this type']);
    const old = created(namespaces, { metadata: { name: 'a' } });
    expect(updateErrors(namespaces, old, { ...clone(old), metadata: { name: 'b' } })).toEqual(['metadata.name: Invalid value: "b": field is immutable']);
  });

  it('STATUS column', () => {
    expect(cells(namespaces, created(namespaces, { metadata: { name: 'a' } }), NOW)).toMatchObject({ Status: 'Active' });
  });
});

describe('nodes', () => {
  const node = (extra: Record<string, unknown> = {}) => ({
    metadata: { name: 'lab-node-1', labels: { 'node-role.kubernetes.io/control-plane': '', 'node-role.kubernetes.io/worker': 'true' } },
    spec: {},
    status: {
      capacity: { cpu: '4', memory: '8Gi', pods: '110' },
      conditions: [{ type: 'Ready', status: 'True' }],
      addresses: [{ type: 'InternalIP', address: '172.18.0.2' }],
      nodeInfo: { kubeletVersion: 'v1.32.0', osImage: 'Bosun Lab', kernelVersion: '6.1.0', containerRuntimeVersion: 'docker://27.0.0' },
    },
    ...extra,
  });

  it('allocatable defaults to capacity', () => {
    expect((created(nodes, node()) as any).status.allocatable).toEqual({ cpu: '4', memory: '8Gi', pods: '110' });
  });

  it('columns STATUS ROLES AGE VERSION (+ wide)', () => {
    expect(cells(nodes, node(), NOW, true)).toMatchObject({
      Status: 'Ready',
      Roles: 'control-plane,worker',
      Version: 'v1.32.0',
      'Internal-IP': '172.18.0.2',
      'External-IP': '<none>',
      'OS-Image': 'Bosun Lab',
      'Kernel-Version': '6.1.0',
      'Container-Runtime': 'docker://27.0.0',
    });
    const cordoned = node({ spec: { unschedulable: true } }) as any;
    cordoned.status.conditions[0].status = 'Unknown';
    expect(cells(nodes, cordoned, NOW).Status).toBe('NotReady,SchedulingDisabled');
    expect(cells(nodes, { metadata: { name: 'x' } }, NOW)).toMatchObject({ Status: 'Unknown', Roles: '<none>' });
  });

  it('validates taints', () => {
    expect(createErrors(nodes, node({ spec: { taints: [{ key: 'k', effect: 'Sometimes' }] } }))).toEqual([
      'spec.taints[0].effect: Unsupported value: "Sometimes": supported values: "NoExecute", "NoSchedule", "PreferNoSchedule"',
    ]);
    expect(createErrors(nodes, node({ spec: { taints: [{ key: 'k', effect: 'NoSchedule' }] } }))).toEqual([]);
  });
});

describe('events', () => {
  const ev = {
    metadata: { name: 'web.17a', namespace: 'default' },
    involvedObject: { kind: 'Pod', name: 'web', namespace: 'default', fieldPath: 'spec.containers{web}' },
    reason: 'Pulled',
    message: ' Successfully pulled image  ',
    type: 'Normal',
    source: { component: 'kubelet', host: 'lab-node-1' },
    firstTimestamp: '2026-01-01T00:00:00Z',
    lastTimestamp: '2026-01-01T00:59:30Z',
    count: 4,
  };

  it('columns LAST SEEN TYPE REASON OBJECT MESSAGE, without NAME first', () => {
    expect(events.omitNameColumn).toBe(true);
    expect(events.columns!.filter((c) => c.priority === 0).map((c) => c.name)).toEqual(['Last Seen', 'Type', 'Reason', 'Object', 'Message']);
    expect(cells(events, ev, NOW, true)).toEqual({
      'Last Seen': '30s',
      Type: 'Normal',
      Reason: 'Pulled',
      Object: 'pod/web',
      Subobject: 'spec.containers{web}',
      Source: 'kubelet, lab-node-1',
      Message: 'Successfully pulled image',
      'First Seen': '60m',
      Count: 4,
      Name: 'web.17a',
    });
  });

  it('involvedObject namespace must match', () => {
    expect(createErrors(events, ev)).toEqual([]);
    expect(createErrors(events, { ...ev, involvedObject: { ...ev.involvedObject, namespace: 'other' } })).toEqual([
      'involvedObject.namespace: Invalid value: "other": does not match event.namespace',
    ]);
  });
});

describe('persistent volumes and claims', () => {
  const pvc = { metadata: { name: 'data', namespace: 'default' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } };

  it('claim defaults, validation and columns', () => {
    const c = created(persistentvolumeclaims, pvc) as any;
    expect(c.spec.volumeMode).toBe('Filesystem');
    expect(c.status).toEqual({ phase: 'Pending' });
    expect(createErrors(persistentvolumeclaims, pvc)).toEqual([]);
    expect(createErrors(persistentvolumeclaims, { ...pvc, spec: { resources: { requests: { storage: '1Gi' } } } })).toEqual([
      'spec.accessModes: Required value: at least 1 access mode is required',
    ]);
    c.spec.volumeName = 'pv-1';
    c.spec.storageClassName = 'standard';
    c.status = { phase: 'Bound', capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce', 'ReadOnlyMany'] };
    expect(cells(persistentvolumeclaims, c, NOW)).toMatchObject({
      Status: 'Bound',
      Volume: 'pv-1',
      Capacity: '1Gi',
      'Access Modes': 'RWO,ROX',
      StorageClass: 'standard',
      VolumeAttributesClass: '<unset>',
    });
  });

  it('claim spec is immutable except expansion of a bound claim', () => {
    const old = created(persistentvolumeclaims, pvc) as any;
    const bigger = clone(old);
    bigger.spec.resources.requests.storage = '2Gi';
    expect(updateErrors(persistentvolumeclaims, old, bigger)).toEqual([
      'spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims',
    ]);
    const bound = clone(old);
    bound.status = { phase: 'Bound' };
    const grown = clone(bound);
    grown.spec.resources.requests.storage = '2Gi';
    expect(updateErrors(persistentvolumeclaims, bound, grown)).toEqual([]);
    const shrunk = clone(bound);
    shrunk.spec.resources.requests.storage = '500Mi';
    expect(updateErrors(persistentvolumeclaims, bound, shrunk)).toEqual(['spec.resources.requests.storage: Forbidden: field can not be less than previous value']);
    const binding = clone(old);
    binding.spec.volumeName = 'pv-1';
    expect(updateErrors(persistentvolumeclaims, old, binding)).toEqual([]);
  });

  it('volume defaults and columns', () => {
    const pv = created(persistentvolumes, {
      metadata: { name: 'pv-1' },
      spec: { capacity: { storage: '5Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/data' }, claimRef: { namespace: 'default', name: 'data' } },
    }) as any;
    expect(pv.spec).toMatchObject({ persistentVolumeReclaimPolicy: 'Retain', volumeMode: 'Filesystem', hostPath: { path: '/data', type: '' } });
    expect(createErrors(persistentvolumes, pv)).toEqual([]);
    expect(cells(persistentvolumes, pv, NOW)).toMatchObject({ Capacity: '5Gi', 'Access Modes': 'RWO', 'Reclaim Policy': 'Retain', Status: 'Pending', Claim: 'default/data' });
    expect(createErrors(persistentvolumes, { metadata: { name: 'pv-2' }, spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'] } })).toEqual([
      'spec: Required value: must specify a volume type',
    ]);
  });
});

describe('quota and limit ranges', () => {
  it('quota hard values must be quantities; REQUEST/LIMIT columns', () => {
    const q = { metadata: { name: 'q', namespace: 'default' }, spec: { hard: { pods: '10', 'requests.cpu': '2', 'limits.memory': '4Gi' } } };
    expect(createErrors(resourcequotas, q)).toEqual([]);
    expect(createErrors(resourcequotas, { ...q, spec: { hard: { pods: 'ten' } } })[0]).toMatch(/^spec.hard\[pods\]: Invalid value: "ten": quantities must match/);
    const withStatus = { ...q, status: { hard: q.spec.hard, used: { pods: '1', 'requests.cpu': '500m' } } };
    expect(cells(resourcequotas, withStatus, NOW)).toMatchObject({ Request: 'pods: 1/10, requests.cpu: 500m/2', Limit: 'limits.memory: 0/4Gi' });
  });

  it('limit range container defaults fall back to max and default', () => {
    const lr = created(limitranges, { metadata: { name: 'l', namespace: 'default' }, spec: { limits: [{ type: 'Container', max: { cpu: '1' }, default: { memory: '256Mi' } }] } }) as any;
    expect(lr.spec.limits[0]).toEqual({
      type: 'Container',
      max: { cpu: '1' },
      default: { memory: '256Mi', cpu: '1' },
      defaultRequest: { memory: '256Mi', cpu: '1' },
    });
    expect(createErrors(limitranges, lr)).toEqual([]);
    expect(
      createErrors(limitranges, { metadata: { name: 'l', namespace: 'default' }, spec: { limits: [{ type: 'Container', max: { cpu: '1' }, default: { cpu: '2' } }] } }),
    ).toContain('spec.limits[0].default[cpu]: Invalid value: "2": default value 2 is greater than max value 1');
    expect(cells(limitranges, { metadata: { name: 'l', creationTimestamp: '2026-01-01T00:00:00Z' } }, NOW)).toEqual({ 'Created At': '2026-01-01T00:00:00Z' });
  });
});

describe('autoscaling, disruption budgets, leases', () => {
  const hpa = { metadata: { name: 'web', namespace: 'default' }, spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, maxReplicas: 5 } };

  it('hpa defaults: minReplicas 1 and 80% cpu', () => {
    const h = created(horizontalpodautoscalers, hpa) as any;
    expect(h.spec).toEqual({
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
      minReplicas: 1,
      maxReplicas: 5,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }],
    });
    const withBehavior = created(horizontalpodautoscalers, { ...hpa, spec: { ...hpa.spec, behavior: {} } }) as any;
    expect(withBehavior.spec.behavior).toEqual({
      scaleUp: { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 4, periodSeconds: 15 }, { type: 'Percent', value: 100, periodSeconds: 15 }] },
      scaleDown: { stabilizationWindowSeconds: 300, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] },
    });
  });

  it('hpa validation and columns', () => {
    expect(createErrors(horizontalpodautoscalers, hpa)).toEqual([]);
    expect(createErrors(horizontalpodautoscalers, { ...hpa, spec: { ...hpa.spec, minReplicas: 6 } })).toEqual([
      'spec.maxReplicas: Invalid value: 5: must be greater than or equal to `minReplicas`',
    ]);
    const h = created(horizontalpodautoscalers, hpa) as any;
    h.status = { currentReplicas: 2, desiredReplicas: 2, currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 35 } } }] };
    expect(cells(horizontalpodautoscalers, h, NOW)).toMatchObject({ Reference: 'Deployment/web', Targets: 'cpu: 35%/80%', MinPods: '1', MaxPods: 5, Replicas: 2 });
  });

  it('pdb: minAvailable and maxUnavailable are exclusive; N/A columns', () => {
    const pdb = { metadata: { name: 'web', namespace: 'default' }, spec: { minAvailable: 1, selector: { matchLabels: { app: 'web' } } } };
    expect(createErrors(poddisruptionbudgets, pdb)).toEqual([]);
    const both = createErrors(poddisruptionbudgets, { ...pdb, spec: { ...pdb.spec, maxUnavailable: '50%' } });
    expect(both).toHaveLength(1);
    expect(both[0]).toMatch(/^spec: Invalid value: .*: minAvailable and maxUnavailable cannot be both set$/);
    expect(cells(poddisruptionbudgets, { ...pdb, status: { disruptionsAllowed: 2 } }, NOW)).toMatchObject({
      'Min Available': '1',
      'Max Unavailable': 'N/A',
      'Allowed Disruptions': 2,
    });
  });

  it('lease HOLDER column and duration validation', () => {
    const lease = { metadata: { name: 'lab-node-1', namespace: 'kube-node-lease' }, spec: { holderIdentity: 'lab-node-1', leaseDurationSeconds: 40 } };
    expect(createErrors(leases, lease)).toEqual([]);
    expect(createErrors(leases, { ...lease, spec: { leaseDurationSeconds: 0 } })).toEqual(['spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0']);
    expect(cells(leases, lease, NOW)).toMatchObject({ Holder: 'lab-node-1' });
  });
});
