// LimitRanger and ServiceAccount admission through the real RestHandler: defaults written into the
// stored pod, and refusals with kube-apiserver's exact 403 text.
import { beforeEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../../shared/api/meta';
import type { Pod } from '../../../../shared/api/pod';
import { LIMITRANGES, PERSISTENTVOLUMECLAIMS, SERVICEACCOUNTS } from '../../../../main/client/gvr';
import type { KubeClient } from '../../../../main/client/client';
import { pod, policyStack, refusal } from './policy-support';

let client: KubeClient;

beforeEach(async () => {
  ({ client } = await policyStack(['team', 'fresh']));
});

const limitRange = (limits: Array<Record<string, unknown>>, name = 'limits'): Promise<KubeObject> =>
  client.resource(LIMITRANGES).create('team', { metadata: { name }, spec: { limits } } as KubeObject);

describe('LimitRanger admission', () => {
  it('fills container defaults (default → limits, defaultRequest → requests) and says so in an annotation', async () => {
    await limitRange([{ type: 'Container', default: { cpu: '500m', memory: '256Mi' }, defaultRequest: { cpu: '100m', memory: '128Mi' } }]);
    const created = await client.pods<Pod>().create('team', pod('web', [{ name: 'app' }, { name: 'side', requests: { cpu: '200m' } }]));
    const stored = await client.pods<Pod>().get('team', 'web');
    expect(stored.spec?.containers[0].resources).toEqual({ limits: { cpu: '500m', memory: '256Mi' }, requests: { cpu: '100m', memory: '128Mi' } });
    // An explicit request is kept; only what is missing is filled.
    expect(stored.spec?.containers[1].resources?.requests).toEqual({ cpu: '200m', memory: '128Mi' });
    expect(created.metadata.annotations?.['kubernetes.io/limit-ranger']).toBe(
      'LimitRanger plugin set: cpu, memory request for container app; cpu, memory limit for container app; memory request for container side; cpu, memory limit for container side',
    );
  });

  it('a container below min or above max is refused with the Kubernetes message', async () => {
    await limitRange([{ type: 'Container', min: { cpu: '100m' }, max: { memory: '1Gi' } }]);
    const small = await refusal(client.pods().create('team', pod('small', [{ name: 'app', requests: { cpu: '50m' }, limits: { memory: '512Mi' } }])));
    expect(small.code).toBe(403);
    expect(small.reason).toBe('Forbidden');
    expect(small.message).toBe('pods "small" is forbidden: minimum cpu usage per Container is 100m, but request is 50m');
    const big = await refusal(client.pods().create('team', pod('big', [{ name: 'app', requests: { cpu: '200m' }, limits: { memory: '2Gi' } }])));
    expect(big.message).toBe('pods "big" is forbidden: maximum memory usage per Container is 1Gi, but limit is 2Gi');
    // Both at once: Go's aggregate error in brackets.
    const both = await refusal(client.pods().create('team', pod('both', [{ name: 'app', requests: { cpu: '0.05' }, limits: { memory: '2Gi' } }])));
    expect(both.message).toBe('pods "both" is forbidden: [minimum cpu usage per Container is 100m, but request is 50m, maximum memory usage per Container is 1Gi, but limit is 2Gi]');
    // Defaults from max/min (SetDefaults_LimitRangeItem) make a bare pod fit.
    const bare = await client.pods<Pod>().create('team', pod('bare', [{ name: 'app' }]));
    expect(bare.spec?.containers[0].resources).toEqual({ limits: { memory: '1Gi' }, requests: { cpu: '100m', memory: '1Gi' } });
  });

  it('maxLimitRequestRatio and Pod-level max', async () => {
    await limitRange([{ type: 'Container', maxLimitRequestRatio: { cpu: '2' } }, { type: 'Pod', max: { cpu: '1' } }]);
    const ratio = await refusal(client.pods().create('team', pod('r', [{ name: 'app', requests: { cpu: '100m' }, limits: { cpu: '500m' } }])));
    expect(ratio.message).toBe('pods "r" is forbidden: cpu max limit to request ratio per Container is 2, but provided ratio is 5.000000');
    const sum = await refusal(client.pods().create('team', pod('s', [
      { name: 'a', requests: { cpu: '500m' }, limits: { cpu: '600m' } },
      { name: 'b', requests: { cpu: '500m' }, limits: { cpu: '600m' } },
    ])));
    expect(sum.message).toBe('pods "s" is forbidden: maximum cpu usage per Pod is 1, but limit is 1200m');
    await client.pods().create('team', pod('ok', [{ name: 'a', requests: { cpu: '300m' }, limits: { cpu: '500m' } }]));
  });

  it('PersistentVolumeClaim storage min and max', async () => {
    await limitRange([{ type: 'PersistentVolumeClaim', min: { storage: '1Gi' }, max: { storage: '5Gi' } }]);
    const claim = (name: string, storage: string): KubeObject => ({ metadata: { name }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage } } } } as KubeObject);
    const small = await refusal(client.resource(PERSISTENTVOLUMECLAIMS).create('team', claim('small', '500Mi')));
    expect(small.message).toBe('persistentvolumeclaims "small" is forbidden: minimum storage usage per PersistentVolumeClaim is 1Gi, but request is 500Mi');
    const big = await refusal(client.resource(PERSISTENTVOLUMECLAIMS).create('team', claim('big', '10Gi')));
    expect(big.message).toBe('persistentvolumeclaims "big" is forbidden: maximum storage usage per PersistentVolumeClaim is 5Gi, but request is 10Gi');
    await client.resource(PERSISTENTVOLUMECLAIMS).create('team', claim('fits', '2Gi'));
  });

  it('leaves other namespaces and pod updates alone', async () => {
    await limitRange([{ type: 'Container', min: { cpu: '100m' } }]);
    await client.pods().create('fresh', pod('free', [{ name: 'app', requests: { cpu: '10m' } }]));
    const p = await client.pods<Pod>().create('team', pod('labelled', [{ name: 'app', requests: { cpu: '100m' } }]));
    await client.pods().patch('team', p.metadata.name!, 'application/merge-patch+json', { metadata: { labels: { x: 'y' } } });
  });
});

describe('ServiceAccount admission', () => {
  it('refuses a pod naming a missing ServiceAccount, as kube-apiserver words it', async () => {
    const e = await refusal(client.pods().create('team', pod('p', [{ name: 'app' }], { serviceAccountName: 'robot' })));
    expect(e.code).toBe(403);
    expect(e.message).toBe('pods "p" is forbidden: error looking up service account team/robot: serviceaccount "robot" not found');
    await client.resource(SERVICEACCOUNTS).create('team', { metadata: { name: 'robot' } });
    const ok = await client.pods<Pod>().create('team', pod('p', [{ name: 'app' }], { serviceAccountName: 'robot' }));
    expect(ok.spec?.serviceAccountName).toBe('robot');
  });

  it('an empty serviceAccountName is `default`; a missing default is looked up again before refusing', async () => {
    await client.namespaces().create(undefined, { metadata: { name: 'new' } });
    // The serviceaccount controller's part, a little late.
    setTimeout(() => void client.resource(SERVICEACCOUNTS).create('new', { metadata: { name: 'default' } }), 25);
    const created = await client.pods<Pod>().create('new', pod('early', [{ name: 'app' }]));
    expect(created.spec?.serviceAccountName).toBe('default');
    await client.namespaces().create(undefined, { metadata: { name: 'empty' } });
    const e = await refusal(client.pods().create('empty', pod('late', [{ name: 'app' }])));
    expect(e.message).toBe('pods "late" is forbidden: error looking up service account empty/default: serviceaccount "default" not found');
  });
});
