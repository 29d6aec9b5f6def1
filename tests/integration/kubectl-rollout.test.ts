// kubectl 1.32 rollouts against `bosun serve --runtime fake`: apply, rollout status/history/undo/pause/
// resume/restart, set image, scale, pod replacement, orphaning cascade and a stalled rollout hitting its
// progress deadline (the fake runtime fails pulls from registries under `.invalid`).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubectl, kubectlOk, startServe, type ServeHandle } from '../support/serve';

let serve: ServeHandle;
const ns = ['-n', 'rollout'];

beforeAll(async () => {
  serve = await startServe();
  await kubectlOk(serve, ['create', 'namespace', 'rollout']);
}, 60_000);

afterAll(async () => {
  await serve?.stop();
  serve?.cleanup();
});

function manifest(name: string, image: string, extra = ''): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  annotations:
    kubernetes.io/change-cause: "first release"
spec:
  replicas: 3
${extra}  selector:
    matchLabels: {app: ${name}}
  template:
    metadata:
      labels: {app: ${name}}
    spec:
      containers:
      - name: web
        image: ${image}
`;
}

const k = (...args: string[]): Promise<string> => kubectlOk(serve, [...ns, ...args]);
const jsonpath = async (what: string, path: string): Promise<string> => (await k('get', ...what.split(' '), '-o', `jsonpath=${path}`)).trim();

async function eventually<T>(fn: () => Promise<T | undefined | false>, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('kubectl rollout against bosun serve', () => {
  it('apply → rollout status; set image → history with change-cause; undo; restart', async () => {
    await kubectlOk(serve, [...ns, 'apply', '-f', '-'], manifest('web', 'bosun-test/web:1'));
    const status = await k('rollout', 'status', 'deployment/web', '--timeout=60s');
    expect(status).toContain('deployment "web" successfully rolled out');
    expect(await jsonpath('deployment/web', '{.status.readyReplicas}/{.status.updatedReplicas}/{.status.availableReplicas}')).toBe('3/3/3');

    // As the Kubernetes docs do it: change the image, then record why on the Deployment.
    await k('set', 'image', 'deployment/web', 'web=bosun-test/web:2');
    await k('annotate', 'deployment/web', 'kubernetes.io/change-cause=bump to v2', '--overwrite');
    expect(await k('rollout', 'status', 'deployment/web', '--timeout=60s')).toContain('successfully rolled out');
    const history = await eventually(async () => {
      const out = await k('rollout', 'history', 'deployment/web');
      return /^2\s+bump to v2$/m.test(out) ? out : undefined;
    });
    expect(history).toMatch(/REVISION\s+CHANGE-CAUSE/);
    expect(history).toMatch(/^1\s+first release$/m);
    expect(history).toMatch(/^2\s+bump to v2$/m);
    expect(await k('rollout', 'history', 'deployment/web', '--revision=2')).toContain('bosun-test/web:2');

    const undo = await k('rollout', 'undo', 'deployment/web');
    expect(undo).toContain('deployment.apps/web rolled back');
    expect(await k('rollout', 'status', 'deployment/web', '--timeout=60s')).toContain('successfully rolled out');
    expect(await jsonpath('deployment/web', '{.spec.template.spec.containers[0].image}')).toBe('bosun-test/web:1');
    const images = await eventually(async () => {
      const out = await jsonpath('pods -l app=web', '{range .items[*]}{.spec.containers[0].image}{"\\n"}{end}');
      const list = out.split('\n').filter(Boolean);
      return list.length === 3 && list.every((i) => i === 'bosun-test/web:1') ? list : undefined;
    });
    expect(images).toHaveLength(3);
    expect(await k('rollout', 'history', 'deployment/web')).toMatch(/^3\s+first release$/m);

    await k('rollout', 'undo', 'deployment/web', '--to-revision=2');
    expect(await k('rollout', 'status', 'deployment/web', '--timeout=60s')).toContain('successfully rolled out');
    expect(await jsonpath('deployment/web', '{.spec.template.spec.containers[0].image}')).toBe('bosun-test/web:2');

    const before = await jsonpath('deployment/web', '{.metadata.annotations.deployment\\.kubernetes\\.io/revision}');
    expect(await k('rollout', 'restart', 'deployment/web')).toContain('deployment.apps/web restarted');
    expect(await k('rollout', 'status', 'deployment/web', '--timeout=60s')).toContain('successfully rolled out');
    expect(Number(await jsonpath('deployment/web', '{.metadata.annotations.deployment\\.kubernetes\\.io/revision}'))).toBe(Number(before) + 1);
    expect(await jsonpath('deployment/web', '{.spec.template.metadata.annotations.kubectl\\.kubernetes\\.io/restartedAt}')).not.toBe('');
  }, 120_000);

  it('pause holds a set image back until resume; scale; a deleted pod is replaced', async () => {
    await kubectlOk(serve, [...ns, 'apply', '-f', '-'], manifest('api', 'bosun-test/web:1'));
    await k('rollout', 'status', 'deployment/api', '--timeout=60s');
    expect(await k('rollout', 'pause', 'deployment/api')).toContain('deployment.apps/api paused');
    await k('set', 'image', 'deployment/api', 'web=bosun-test/web:2');
    await new Promise((r) => setTimeout(r, 500));
    expect(await jsonpath('rs -l app=api', '{range .items[*]}{.spec.template.spec.containers[0].image}{"\\n"}{end}')).toBe('bosun-test/web:1');
    expect(await jsonpath('deployment/api', '{.status.conditions[?(@.type=="Progressing")].reason}')).toBe('DeploymentPaused');
    const resumeFailsUndo = await kubectl(serve, [...ns, 'rollout', 'undo', 'deployment/api', '--to-revision=1']);
    expect(resumeFailsUndo.code).not.toBe(0);
    expect(resumeFailsUndo.stderr).toContain('you cannot rollback a paused deployment');
    expect(await k('rollout', 'resume', 'deployment/api')).toContain('deployment.apps/api resumed');
    expect(await k('rollout', 'status', 'deployment/api', '--timeout=60s')).toContain('successfully rolled out');

    expect(await k('scale', 'deployment/api', '--replicas=5')).toContain('deployment.apps/api scaled');
    await k('rollout', 'status', 'deployment/api', '--timeout=60s');
    expect(await jsonpath('deployment/api', '{.status.readyReplicas}')).toBe('5');

    const victim = (await jsonpath('pods -l app=api', '{.items[0].metadata.name}'));
    await k('delete', 'pod', victim, '--wait=false');
    const names = await eventually(async () => {
      const out = (await jsonpath('pods -l app=api', '{range .items[*]}{.metadata.name} {.status.phase}{"\\n"}{end}')).split('\n').filter(Boolean);
      const running = out.filter((l) => l.endsWith('Running') && !l.startsWith(victim));
      return running.length === 5 ? running : undefined;
    });
    expect(names).toHaveLength(5);
  }, 120_000);

  it('delete --cascade=orphan leaves the ReplicaSet and its pods', async () => {
    await kubectlOk(serve, [...ns, 'apply', '-f', '-'], manifest('keep', 'bosun-test/web:1'));
    await k('rollout', 'status', 'deployment/keep', '--timeout=60s');
    const rs = await jsonpath('rs -l app=keep', '{.items[0].metadata.name}');
    await k('delete', 'deployment', 'keep', '--cascade=orphan');
    await new Promise((r) => setTimeout(r, 1000));
    expect(await jsonpath(`rs/${rs}`, '{.spec.replicas}')).toBe('3');
    expect(await jsonpath(`rs/${rs}`, '{.metadata.ownerReferences}')).toBe('');
    expect((await jsonpath('pods -l app=keep', '{.items[*].metadata.name}')).split(' ')).toHaveLength(3);
  }, 60_000);

  it('a broken image stalls with ProgressDeadlineExceeded and rollout status fails', async () => {
    await kubectlOk(serve, [...ns, 'apply', '-f', '-'], manifest('stuck', 'bosun-test/web:1', '  progressDeadlineSeconds: 3\n'));
    await k('rollout', 'status', 'deployment/stuck', '--timeout=60s');
    await k('set', 'image', 'deployment/stuck', 'web=registry.invalid/web:2');
    const result = await kubectl(serve, [...ns, 'rollout', 'status', 'deployment/stuck', '--timeout=60s']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('deployment "stuck" exceeded its progress deadline');
    expect(await jsonpath('deployment/stuck', '{.status.conditions[?(@.type=="Progressing")].status}')).toBe('False');
    // The old pods keep serving: availability held by maxUnavailable.
    expect(await jsonpath('deployment/stuck', '{.status.conditions[?(@.type=="Available")].status}')).toBe('True');
  }, 90_000);
});
