// Payloads built with protobufjs from our schema: the parts of the format kubectl's goldens do not reach
// (set times, pointer zeros, binary bytes, packed fields) and every way a body can be refused.
import * as protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { decodeKubernetesProtobuf } from '../../../../main/apiserver/protobuf/decode';
import { durationToJson } from '../../../../main/apiserver/protobuf/well-known';
import { CORE, encodeMessage, envelope, MAGIC, withExtraVarintField, withMessageField } from './encode-helpers';

const pod = (spec: Record<string, unknown>, metadata: Record<string, unknown> = { name: 'p' }) =>
  envelope('v1', 'Pod', encodeMessage(`${CORE}.Pod`, { metadata, spec }));

function refusal(body: Buffer): { code: number; reason: string; message: string } {
  try {
    decodeKubernetesProtobuf(body);
  } catch (err) {
    return err as { code: number; reason: string; message: string };
  }
  throw new Error('decoded without complaint');
}

describe('decodeKubernetesProtobuf', () => {
  it('keeps pointer zeros, drops omitempty zeros, converts times, IntOrString, maps and inline structs', () => {
    const body = pod(
      {
        containers: [
          {
            name: 'app',
            image: 'nginx',
            stdin: false, // non-pointer omitempty: JSON leaves it out
            ports: [{ name: 'http', containerPort: 8080 }],
            readinessProbe: { handler: { httpGet: { path: '/healthz', port: { type: 1, strVal: 'http' } } }, periodSeconds: 3 },
            livenessProbe: { handler: { grpc: { port: 9090 } }, failureThreshold: 5 },
            env: [{ name: 'PW', valueFrom: { secretKeyRef: { localObjectReference: { name: 's' }, key: 'pw', optional: false } } }],
            securityContext: { runAsUser: 0, runAsNonRoot: false, capabilities: { drop: ['ALL'] } },
          },
        ],
        volumes: [{ name: 'cfg', volumeSource: { configMap: { localObjectReference: { name: 'c' }, defaultMode: 420, items: [{ key: 'a', path: 'a.txt' }] } } }],
        terminationGracePeriodSeconds: 0,
        nodeSelector: { disk: 'ssd' },
        tolerations: [{ key: 'k', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }],
        affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }] } } },
      },
      {
        name: 'p',
        labels: { app: 'web' },
        creationTimestamp: { seconds: 1700000000, nanos: 5 },
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'u-1', controller: true }],
      },
    );
    expect(decodeKubernetesProtobuf(body)).toEqual({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'p',
        labels: { app: 'web' },
        creationTimestamp: '2023-11-14T22:13:20Z',
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'u-1', controller: true }],
      },
      spec: {
        containers: [
          {
            name: 'app',
            image: 'nginx',
            ports: [{ name: 'http', containerPort: 8080 }],
            readinessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 3 },
            livenessProbe: { grpc: { port: 9090, service: null }, failureThreshold: 5 },
            env: [{ name: 'PW', valueFrom: { secretKeyRef: { name: 's', key: 'pw', optional: false } } }],
            securityContext: { runAsUser: 0, runAsNonRoot: false, capabilities: { drop: ['ALL'] } },
          },
        ],
        volumes: [{ name: 'cfg', configMap: { name: 'c', defaultMode: 420, items: [{ key: 'a', path: 'a.txt' }] } }],
        terminationGracePeriodSeconds: 0,
        nodeSelector: { disk: 'ssd' },
        tolerations: [{ key: 'k', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }],
        affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }] } } },
      },
    });
  });

  it('Secret bytes are base64 of the exact bytes, not of a UTF-8 reading of them', () => {
    const bytes = Buffer.from([0xff, 0x00, 0xc3, 0x28, 0x7f]);
    const body = envelope('v1', 'Secret', encodeMessage(`${CORE}.Secret`, { metadata: { name: 's' }, data: { bin: bytes }, type: 'Opaque' }));
    expect(decodeKubernetesProtobuf(body)).toEqual({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { bin: '/wDDKH8=' }, type: 'Opaque' });
  });

  it('MicroTime keeps microseconds (coordination.k8s.io/v1 Lease)', () => {
    const raw = encodeMessage('k8s.io.api.coordination.v1.Lease', {
      metadata: { name: 'l' },
      spec: { holderIdentity: 'me', leaseDurationSeconds: 15, renewTime: { seconds: 1700000000, nanos: 123456789 } },
    });
    expect(decodeKubernetesProtobuf(envelope('coordination.k8s.io/v1', 'Lease', raw)).spec).toEqual({
      holderIdentity: 'me',
      leaseDurationSeconds: 15,
      renewTime: '2023-11-14T22:13:20.123456Z',
    });
  });

  it('reads packed repeated scalars as well as unpacked ones', () => {
    const groups = protobuf.Writer.create().int64(1000).int64(2000).finish();
    const podSecurityContext = protobuf.Writer.create().uint32((4 << 3) | 2).bytes(groups).finish();
    const spec = withMessageField(encodeMessage(`${CORE}.PodSpec`, { containers: [{ name: 'c', image: 'i' }] }), 14, podSecurityContext);
    const body = envelope('v1', 'Pod', withMessageField(encodeMessage(`${CORE}.Pod`, { metadata: { name: 'p' } }), 2, spec));
    expect((decodeKubernetesProtobuf(body).spec as { securityContext: unknown }).securityContext).toEqual({ supplementalGroups: [1000, 2000] });
  });

  it('decodes DeleteOptions whatever group version they are typed as', () => {
    const raw = encodeMessage('k8s.io.apimachinery.pkg.apis.meta.v1.DeleteOptions', { gracePeriodSeconds: 0, propagationPolicy: 'Foreground', dryRun: ['All'] });
    expect(decodeKubernetesProtobuf(envelope('meta.k8s.io/v1', 'DeleteOptions', raw))).toEqual({
      apiVersion: 'meta.k8s.io/v1',
      kind: 'DeleteOptions',
      gracePeriodSeconds: 0,
      propagationPolicy: 'Foreground',
      dryRun: ['All'],
    });
  });

  it('refuses a field number the schema does not know with 415, naming type, field and place', () => {
    const spec = withExtraVarintField(encodeMessage(`${CORE}.PodSpec`, { containers: [{ name: 'c', image: 'i' }] }), 999, 1);
    const body = envelope('v1', 'Pod', withMessageField(encodeMessage(`${CORE}.Pod`, { metadata: { name: 'p' } }), 2, spec));
    expect(refusal(body)).toMatchObject({
      code: 415,
      reason: 'UnsupportedMediaType',
      message: 'Bosun cannot decode field 999 of protobuf v1.PodSpec (at spec) yet; send JSON (for example kubectl apply -f) instead',
    });

    const container = withExtraVarintField(encodeMessage(`${CORE}.Container`, { name: 'c', image: 'i' }), 77, 3);
    const template = encodeMessage(`${CORE}.PodTemplateSpec`, {});
    const podSpec = withMessageField(new Uint8Array(), 2, container); // PodSpec.containers = 2
    const deploymentSpec = withMessageField(encodeMessage('k8s.io.api.apps.v1.DeploymentSpec', { replicas: 1 }), 3, withMessageField(template, 2, podSpec));
    const deployment = withMessageField(encodeMessage('k8s.io.api.apps.v1.Deployment', { metadata: { name: 'd' } }), 2, deploymentSpec);
    expect(refusal(envelope('apps/v1', 'Deployment', deployment)).message).toBe(
      'Bosun cannot decode field 77 of protobuf v1.Container (at spec.template.spec.containers[0]) yet; send JSON (for example kubectl apply -f) instead',
    );
  });

  it('refuses kinds it has no schema for with 415 naming the kind', () => {
    const raw = encodeMessage(`${CORE}.ConfigMap`, { metadata: { name: 'x' } });
    expect(refusal(envelope('rbac.authorization.k8s.io/v1', 'Role', raw))).toMatchObject({
      code: 415,
      message: 'Bosun cannot decode protobuf rbac.authorization.k8s.io/v1 Role yet; send JSON (for example kubectl apply -f) instead',
    });
    // A message that is only part of a kind is not a kind.
    expect(refusal(envelope('v1', 'PodSpec', raw))).toMatchObject({ code: 415, message: expect.stringContaining('v1 PodSpec') });
    expect(refusal(envelope('v1', 'ConfigMap', raw, { contentEncoding: 'gzip' }))).toMatchObject({ code: 415, message: expect.stringContaining('gzip') });
  });

  it('answers 400 for bodies that are not Kubernetes protobuf at all', () => {
    expect(refusal(Buffer.from('{"kind":"ConfigMap"}'))).toMatchObject({ code: 400, reason: 'BadRequest', message: expect.stringContaining('k8s\\x00') });
    const good = envelope('v1', 'ConfigMap', encodeMessage(`${CORE}.ConfigMap`, { metadata: { name: 'x' }, data: { a: 'b' } }));
    expect(refusal(good.subarray(0, good.length - 3))).toMatchObject({ code: 400, message: expect.stringMatching(/^error decoding protobuf body: /) });
    // A length prefix pointing past the end.
    expect(refusal(Buffer.concat([MAGIC, Buffer.from([0x12, 0x7f, 0x0a])]))).toMatchObject({ code: 400 });
    // Wire type 3 (groups) never appears in Kubernetes messages.
    expect(refusal(Buffer.concat([MAGIC, Buffer.from([0x0b])]))).toMatchObject({ code: 400 });
  });
});

describe('durationToJson (metav1.Duration is Go time.Duration.String())', () => {
  it.each([
    [0, '0s'],
    [1.5e9, '1.5s'],
    [90e9, '1m30s'],
    [3600e9, '1h0m0s'],
    [150e6, '150ms'],
    [-2e3, '-2µs'],
  ])('%d ns → %s', (nanos, text) => {
    expect(durationToJson(nanos)).toBe(text);
  });
});
