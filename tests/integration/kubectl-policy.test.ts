// kubectl 1.32 against `bosun serve --runtime fake`: the default ServiceAccount of a new namespace,
// ResourceQuota refusing a pod with Kubernetes' message and `kubectl describe quota`, LimitRange defaults
// in `kubectl get pod -o yaml`, and `kubectl rollout history/undo` on a StatefulSet and a DaemonSet
// through their ControllerRevisions.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubectl, kubectlOk, startServe, type ServeHandle } from '../support/serve';

let serve: ServeHandle;

beforeAll(async () => {
  serve = await startServe({ args: ['--nodes', '2'] });
}, 60_000);

afterAll(async () => {
  await serve?.stop();
  serve?.cleanup();
});

const k = (ns: string, ...args: string[]): Promise<string> => kubectlOk(serve, ['-n', ns, ...args]);
const apply = (ns: string, yaml: string): Promise<string> => kubectlOk(serve, ['-n', ns, 'apply', '-f', '-'], yaml);

async function eventually<T>(fn: () => Promise<T | undefined | false>, ms = 30_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`${what} not reached in time`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('policy and revisions through kubectl', () => {
  it('a new namespace has the default ServiceAccount and kube-root-ca.crt; a pod naming a missing one is refused', async () => {
    await kubectlOk(serve, ['create', 'namespace', 'fresh']);
    const sa = await eventually(async () => { const out = await k('fresh', 'get', 'sa'); return /^default\s+0\s+\S+$/m.test(out) ? out : undefined; }, 10_000, 'default sa');
    expect(sa).toMatch(/^NAME\s+SECRETS\s+AGE$/m);
    const ca = await eventually(() => k('fresh', 'get', 'configmap', 'kube-root-ca.crt', '-o', 'jsonpath={.data.ca\\.crt}'), 10_000, 'root ca');
    expect(ca).toContain('-----BEGIN CERTIFICATE-----');
    const r = await kubectl(serve, ['-n', 'fresh', 'run', 'robot', '--image=bosun-test/web:1', '--overrides={"spec":{"serviceAccountName":"robot"}}']);
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim()).toBe('Error from server (Forbidden): pods "robot" is forbidden: error looking up service account fresh/robot: serviceaccount "robot" not found');
  });

  it('ResourceQuota: refuses the pod over the limit with the Kubernetes message; describe shows used/hard', async () => {
    await kubectlOk(serve, ['create', 'namespace', 'quota']);
    await apply('quota', 'apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: q}\nspec:\n  hard: {pods: "2", configmaps: "5"}\n');
    await eventually(async () => (await k('quota', 'get', 'quota', 'q', '-o', 'jsonpath={.status.used.pods}')) === '0', 10_000, 'quota status');
    await k('quota', 'run', 'p1', '--image=bosun-test/web:1');
    await k('quota', 'run', 'p2', '--image=bosun-test/web:1');
    const r = await kubectl(serve, ['-n', 'quota', 'run', 'p3', '--image=bosun-test/web:1']);
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim()).toBe('Error from server (Forbidden): pods "p3" is forbidden: exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2');
    const described = await k('quota', 'describe', 'quota', 'q');
    expect(described).toMatch(/^Name:\s+q$/m);
    expect(described).toMatch(/^Resource\s+Used\s+Hard$/m);
    expect(described).toMatch(/^pods\s+2\s+2$/m);
    // kube-root-ca.crt counts as a ConfigMap, as on a real cluster.
    expect(described).toMatch(/^configmaps\s+1\s+5$/m);
    // Deleting a pod releases its share: the next one fits.
    await k('quota', 'delete', 'pod', 'p1', '--wait=true');
    await eventually(async () => (await k('quota', 'get', 'quota', 'q', '-o', 'jsonpath={.status.used.pods}')) === '1', 15_000, 'usage released');
    await k('quota', 'run', 'p3', '--image=bosun-test/web:1');
  }, 60_000);

  it('LimitRange: container defaults are visible in kubectl get pod -o yaml', async () => {
    await kubectlOk(serve, ['create', 'namespace', 'limits']);
    await apply('limits', `apiVersion: v1
kind: LimitRange
metadata: {name: defaults}
spec:
  limits:
  - type: Container
    default: {cpu: 500m, memory: 128Mi}
    defaultRequest: {cpu: 250m, memory: 64Mi}
    max: {cpu: "1"}
`);
    await k('limits', 'run', 'web', '--image=bosun-test/web:1');
    const yaml = await k('limits', 'get', 'pod', 'web', '-o', 'yaml');
    expect(yaml).toContain('kubernetes.io/limit-ranger:');
    expect(await k('limits', 'get', 'pod', 'web', '-o', 'jsonpath={.metadata.annotations.kubernetes\\.io/limit-ranger}'))
      .toBe('LimitRanger plugin set: cpu, memory request for container web; cpu, memory limit for container web');
    expect(yaml).toMatch(/resources:\n\s+limits:\n\s+cpu: 500m\n\s+memory: 128Mi\n\s+requests:\n\s+cpu: 250m\n\s+memory: 64Mi\n/);
    const r = await kubectl(serve, ['-n', 'limits', 'run', 'big', '--image=bosun-test/web:1', '--overrides={"spec":{"containers":[{"name":"big","image":"bosun-test/web:1","resources":{"limits":{"cpu":"2"}}}]}}']);
    expect(r.stderr.trim()).toBe('Error from server (Forbidden): pods "big" is forbidden: maximum cpu usage per Container is 1, but limit is 2');
  });

  it('StatefulSet: rollout history lists ControllerRevisions; undo and --to-revision restore templates', async () => {
    await kubectlOk(serve, ['create', 'namespace', 'revs']);
    await apply('revs', `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: web}
spec:
  serviceName: web
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: bosun-test/web:1}]
`);
    await k('revs', 'rollout', 'status', 'statefulset/web', '--timeout=60s');
    await k('revs', 'set', 'image', 'statefulset/web', 'web=bosun-test/web:2');
    await k('revs', 'rollout', 'status', 'statefulset/web', '--timeout=60s');
    const history = await k('revs', 'rollout', 'history', 'statefulset/web');
    expect(history).toMatch(/^statefulset\.apps\/web\s*\nREVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>\n/);
    expect(await k('revs', 'rollout', 'history', 'statefulset/web', '--revision=1')).toMatch(/Image:\s+bosun-test\/web:1/);
    const revisions = await k('revs', 'get', 'controllerrevisions');
    expect(revisions).toMatch(/^NAME\s+CONTROLLER\s+REVISION\s+AGE$/m);
    expect(revisions).toMatch(/^web-\S+\s+statefulset\.apps\/web\s+2\s+\S+$/m);

    expect(await k('revs', 'rollout', 'undo', 'statefulset/web')).toContain('statefulset.apps/web rolled back');
    expect(await k('revs', 'get', 'statefulset', 'web', '-o', 'jsonpath={.spec.template.spec.containers[0].image}')).toBe('bosun-test/web:1');
    await k('revs', 'rollout', 'status', 'statefulset/web', '--timeout=60s');
    await eventually(async () => /^2\s+<none>\n3\s+<none>\n/m.test(await k('revs', 'rollout', 'history', 'statefulset/web')), 10_000, 'history 2,3');
    const images = await eventually(async () => {
      const out = await k('revs', 'get', 'pods', '-l', 'app=web', '-o', 'jsonpath={.items[*].spec.containers[0].image}');
      return out === 'bosun-test/web:1 bosun-test/web:1' ? out : undefined;
    }, 60_000, 'pods back on web:1');
    expect(images).toBe('bosun-test/web:1 bosun-test/web:1');

    expect(await k('revs', 'rollout', 'undo', 'statefulset/web', '--to-revision=2')).toContain('statefulset.apps/web rolled back');
    expect(await k('revs', 'get', 'statefulset', 'web', '-o', 'jsonpath={.spec.template.spec.containers[0].image}')).toBe('bosun-test/web:2');
    const missing = await kubectl(serve, ['-n', 'revs', 'rollout', 'undo', 'statefulset/web', '--to-revision=9']);
    expect(missing.stderr.trim()).toBe('error: unable to find specified revision 9 in history');
  }, 150_000);

  it('DaemonSet: rollout history and undo', async () => {
    await apply('revs', `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      containers: [{name: agent, image: bosun-test/agent:1}]
`);
    await k('revs', 'rollout', 'status', 'daemonset/agent', '--timeout=60s');
    await k('revs', 'set', 'image', 'daemonset/agent', 'agent=bosun-test/agent:2');
    await k('revs', 'rollout', 'status', 'daemonset/agent', '--timeout=60s');
    expect(await k('revs', 'rollout', 'history', 'daemonset/agent')).toMatch(/^daemonset\.apps\/agent\s*\nREVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>\n/);
    expect(await k('revs', 'rollout', 'history', 'daemonset/agent', '--revision=2')).toMatch(/Image:\s+bosun-test\/agent:2/);
    expect(await k('revs', 'rollout', 'undo', 'daemonset/agent')).toContain('daemonset.apps/agent rolled back');
    await k('revs', 'rollout', 'status', 'daemonset/agent', '--timeout=60s');
    await eventually(async () => {
      const out = await k('revs', 'get', 'pods', '-l', 'app=agent', '-o', 'jsonpath={.items[*].spec.containers[0].image}');
      return out.split(' ').length === 2 && out.split(' ').every((i) => i === 'bosun-test/agent:1');
    }, 60_000, 'daemon pods back on agent:1');
    await eventually(async () => /^2\s+<none>\n3\s+<none>\n/m.test(await k('revs', 'rollout', 'history', 'daemonset/agent')), 10_000, 'history 2,3');
  }, 120_000);
});
