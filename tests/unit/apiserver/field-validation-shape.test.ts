// The validator's view of the protobuf schema: unknown-field paths at several depths, and no false
// positives on inline structs, maps, well-known types, free-form JSON, kinds nested in kinds and status.
import { describe, expect, it } from 'vitest';
import { hasDuplicateKeys, scanJson, scanObjectJson } from '../../../main/apiserver/schema/json-duplicates';
import { shapeForKind } from '../../../main/apiserver/schema/shape';
import { unknownFields } from '../../../main/apiserver/schema/unknown-fields';
import { FULL_POD } from './field-validation-fixtures';

const shape = (apiVersion: string, kind: string) => {
  const s = shapeForKind(apiVersion, kind);
  if (!s) throw new Error(`no shape for ${apiVersion} ${kind}`);
  return s;
};

describe('unknown fields from the protobuf schema', () => {
  it('a Pod using every common field (probes, each volume type, env valueFrom, resources, securityContext, affinity, tolerations) has none', () => {
    expect(unknownFields(FULL_POD, shape('v1', 'Pod'))).toEqual([]);
  });

  it('a Deployment, StatefulSet with volumeClaimTemplates (kinds carry apiVersion/kind), CronJob, Service, HPA have none', () => {
    const template = { metadata: { labels: { app: 'a' } }, spec: FULL_POD.spec };
    expect(unknownFields({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { replicas: 2, selector: { matchLabels: { app: 'a' } }, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 0 } }, template } }, shape('apps/v1', 'Deployment'))).toEqual([]);
    const sts = {
      apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 's' },
      spec: { serviceName: 's', selector: { matchLabels: { app: 'a' } }, template, persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete' },
        volumeClaimTemplates: [{ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }] },
    };
    expect(unknownFields(sts, shape('apps/v1', 'StatefulSet'))).toEqual([]);
    const cron = { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'c' }, spec: { schedule: '*/5 * * * *', timeZone: 'Etc/UTC', jobTemplate: { spec: { backoffLimit: 2, podFailurePolicy: { rules: [{ action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget' }] }] }, template } } } };
    expect(unknownFields(cron, shape('batch/v1', 'CronJob'))).toEqual([]);
    const svc = { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { type: 'NodePort', selector: { app: 'a' }, ports: [{ name: 'http', port: 80, targetPort: 'http', nodePort: 30080, protocol: 'TCP' }], sessionAffinityConfig: { clientIP: { timeoutSeconds: 10 } } }, status: { loadBalancer: {} } };
    expect(unknownFields(svc, shape('v1', 'Service'))).toEqual([]);
    const hpa = { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'h' }, spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'd' }, minReplicas: 1, maxReplicas: 5, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }], behavior: { scaleDown: { stabilizationWindowSeconds: 60, policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }] } } } };
    expect(unknownFields(hpa, shape('autoscaling/v2', 'HorizontalPodAutoscaler'))).toEqual([]);
  });

  it('reports typos at several depths with Kubernetes paths, once, without looking inside the unknown value', () => {
    const deploy = {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', labelz: { a: 'b' } },
      spec: { replica: 3, selector: { matchLabels: { app: 'a' } }, template: { metadata: { labels: { app: 'a' } }, spec: { containers: [{ name: 'a', image: 'x' }, { name: 'b', image: 'y', imagePullPolcy: 'Always', livenessProbe: { httpGet: { path: '/', port: 80, shceme: 'HTTP' } } }] } } },
      status: { replicaz: 1 },
    };
    expect(unknownFields(deploy, shape('apps/v1', 'Deployment'))).toEqual([
      'unknown field "metadata.labelz"',
      'unknown field "spec.replica"',
      'unknown field "spec.template.spec.containers[1].imagePullPolcy"',
      'unknown field "spec.template.spec.containers[1].livenessProbe.httpGet.shceme"',
      'unknown field "status.replicaz"',
    ]);
    expect(unknownFields(deploy, shape('apps/v1', 'Deployment'), { sorted: true })[0]).toBe('unknown field "metadata.labelz"');
  });

  it('inline structs are lifted: a volume is name + one source, a probe is its handler + timings', () => {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', readinessProbe: { exec: { command: ['true'] }, handler: {} } }], volumes: [{ name: 'v', configMap: { name: 'cm' }, volumeSource: {} }] } };
    expect(unknownFields(pod, shape('v1', 'Pod'))).toEqual([
      'unknown field "spec.containers[0].readinessProbe.handler"',
      'unknown field "spec.volumes[0].volumeSource"',
    ]);
  });

  it('maps take any key but their object values are checked; free-form JSON is never looked into', () => {
    const quota = { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q', annotations: { 'x/y': 'z' } }, spec: { hard: { 'requests.cpu': '2', pods: '10' } } };
    expect(unknownFields(quota, shape('v1', 'ResourceQuota'))).toEqual([]);
    const managed = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', managedFields: [{ manager: 'kubectl', operation: 'Apply', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': { 'f:anything': {} } } }] }, data: { 'k.conf': 'v' }, binaryData: { b: 'AA==' }, immutable: true };
    expect(unknownFields(managed, shape('v1', 'ConfigMap'))).toEqual([]);
  });

  it('kinds without a built-in schema have no shape (custom resources skip the check)', () => {
    expect(shapeForKind('example.com/v1', 'Widget')).toBeUndefined();
    expect(shapeForKind('v1', 'PodSpec')).toBeUndefined();
  });
});

describe('duplicate keys in JSON', () => {
  it('a cheap count tells whether any key repeats', () => {
    const text = '{"a": {"b": 1, "c": [{"d": "x\\"y:"}]}, "e": "f"}';
    expect(hasDuplicateKeys(text, JSON.parse(text))).toBe(false);
    const dup = '{"a": {"b": 1, "b": 2}}';
    expect(hasDuplicateKeys(dup, JSON.parse(dup))).toBe(true);
  });

  it('the scan interleaves duplicates with unknown fields in document order, as sigs.k8s.io/json', () => {
    const text = JSON.stringify({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x' } }).replace('"name":"x"', '"name":"dupename","name":"x","labels":{"app":"a","app":"b"},"unknownMeta":"v"')
      .replace(/}$/, ',"spec":{"unknown1":"v","unknownDupe":"a","unknownDupe":"b","paused":true,"paused":false,"template":{"spec":{"containers":[{"name":"n","unknownNested":"v","imagePullPolicy":"Always","imagePullPolicy":"Never"}]}}}}');
    expect(scanObjectJson(text, shape('apps/v1', 'Deployment'))).toEqual([
      'duplicate field "metadata.name"',
      'duplicate field "metadata.labels.app"',
      'unknown field "metadata.unknownMeta"',
      'unknown field "spec.unknown1"',
      'unknown field "spec.unknownDupe"',
      'duplicate field "spec.paused"',
      'unknown field "spec.template.spec.containers[0].unknownNested"',
      'duplicate field "spec.template.spec.containers[0].imagePullPolicy"',
    ]);
  });

  it('untyped documents (merge patches) only report duplicates, with list indexes', () => {
    expect(scanJson('{"spec":{"a":1,"a":2,"l":[{"x":1},{"x":1,"x":2}]}}', { t: 'any' })).toEqual(['duplicate field "spec.a"', 'duplicate field "spec.l[1].x"']);
  });
});
