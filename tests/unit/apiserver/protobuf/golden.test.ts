// Golden bodies captured from the real kubectl 1.32 (protobuf), each next to the JSON kubectl 1.31 sent for
// the same command (tests/fixtures/protobuf/README.md). Decoding must give exactly that JSON.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeKubernetesProtobuf } from '../../../../main/apiserver/protobuf/decode';

interface Fixture {
  command: string;
  request: { method: string; url: string; contentType: string };
  protobufBase64: string;
  json131: Record<string, unknown>;
}

const DIR = resolve(__dirname, '../../../fixtures/protobuf');
const load = (name: string): Fixture => JSON.parse(readFileSync(join(DIR, `${name}.json`), 'utf8')) as Fixture;
const decode = (name: string): Record<string, unknown> => decodeKubernetesProtobuf(Buffer.from(load(name).protobufBase64, 'base64'));
const names = readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .map((f) => f.replace(/\.json$/, ''));

/** Fields kubectl 1.31 cannot send because its Go types predate them (PodSpec.resources is new in 1.32). */
function withoutFieldsNewerThan131(obj: Record<string, unknown>): Record<string, unknown> {
  const copy = structuredClone(obj) as { spec?: { resources?: unknown; template?: { spec?: { resources?: unknown } } } };
  if (copy.spec?.template?.spec) delete copy.spec.template.spec.resources;
  else if (copy.spec && (copy as { kind?: string }).kind === 'Pod') delete copy.spec.resources;
  return copy as Record<string, unknown>;
}

describe('kubectl 1.32 protobuf bodies decode to what kubectl 1.31 sends as JSON', () => {
  it('has the fixtures the brief asks for', () => {
    expect(names).toEqual(
      expect.arrayContaining([
        'namespace', 'configmap', 'secret-generic', 'serviceaccount', 'deployment', 'service-nodeport', 'job', 'cronjob',
        'job-from-cronjob', 'quota', 'pdb-min', 'debug-copy',
      ]),
    );
    for (const name of names) expect(load(name).request.contentType).toBe('application/vnd.kubernetes.protobuf');
  });

  it.each(names)('%s', (name) => {
    expect(withoutFieldsNewerThan131(decode(name))).toEqual(load(name).json131);
  });
});

describe('golden bodies, spelled out', () => {
  it('kubectl create namespace', () => {
    expect(decode('namespace')).toEqual({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'ns1', creationTimestamp: null },
      spec: {},
      status: {},
    });
  });

  it('kubectl create configmap --from-literal --from-file (an empty value stays)', () => {
    expect(decode('configmap')).toMatchObject({
      kind: 'ConfigMap',
      metadata: { name: 'cm1', creationTimestamp: null },
      data: { a: 'b', empty: '', 'f.txt': 'hello\nworld\n' },
    });
  });

  it('kubectl create secret generic: bytes become base64 of the very bytes', () => {
    const secret = decode('secret-generic') as { data: Record<string, string>; type: string };
    expect(secret.type).toBe('Opaque');
    expect(Buffer.from(secret.data.pw, 'base64').toString('utf8')).toBe('p@ss');
    expect(Buffer.from(secret.data.user, 'base64').toString('utf8')).toBe('admin');
  });

  it('kubectl create deployment web --image --replicas --port -- sleep 3600', () => {
    expect(decode('deployment')).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', creationTimestamp: null, labels: { app: 'web' } },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { creationTimestamp: null, labels: { app: 'web' } },
          spec: {
            containers: [
              { name: 'busybox', image: 'busybox:1.36', command: ['sleep', '3600'], ports: [{ containerPort: 80 }], resources: {} },
            ],
          },
        },
        strategy: {},
      },
      status: {},
    });
  });

  it('IntOrString and Quantity: pdb --min-available=1 is a number, --max-unavailable=50% a string; quota keeps quantities', () => {
    expect((decode('pdb-min').spec as { minAvailable: unknown }).minAvailable).toBe(1);
    expect((decode('pdb-max').spec as { maxUnavailable: unknown }).maxUnavailable).toBe('50%');
    expect((decode('quota').spec as { hard: unknown }).hard).toEqual({ cpu: '1', memory: '1G', pods: '2', 'requests.cpu': '500m' });
  });

  it('Service ports: targetPort as IntOrString, nodePort zero dropped like omitempty', () => {
    const spec = decode('service-nodeport').spec as { ports: unknown[]; type: string };
    expect(spec.type).toBe('NodePort');
    expect(spec.ports).toEqual([{ name: '80-8080', protocol: 'TCP', port: 80, targetPort: 8080 }]);
  });

  it('kubectl create job --from=cronjob: a full PodTemplateSpec with inline structs lifted as in JSON', () => {
    const job = decode('job-from-cronjob') as { spec: { template: { spec: Record<string, any> } } };
    const pod = job.spec.template.spec;
    // VolumeSource, ProbeHandler and LocalObjectReference are embedded structs: their fields sit in the parent.
    expect(Object.keys(pod.volumes[0])).toEqual(expect.arrayContaining(['name', 'hostPath', 'emptyDir', 'configMap', 'secret', 'projected']));
    expect(pod.containers[0].livenessProbe).toMatchObject({ httpGet: { port: 0 }, tcpSocket: { port: 0 }, exec: {}, grpc: { port: 0, service: null } });
    expect(pod.containers[0].env[0].valueFrom.configMapKeyRef).toEqual({ key: '' });
    expect(pod.ephemeralContainers[0]).toMatchObject({ name: '', resources: {} });
    expect(pod.affinity).toMatchObject({ nodeAffinity: {}, podAffinity: {}, podAntiAffinity: {} });
  });
});
