// kubectl 1.32 `delete --cascade=background|foreground|orphan` against `bosun serve`: a ConfigMap owner
// with ConfigMap/Secret dependents applied with ownerReferences (uid read back with jsonpath), collected
// by the lab's garbage collector as a real cluster's would.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubectl, kubectlOk, startServe, type ServeHandle } from '../support/serve';

let serve: ServeHandle;

beforeAll(async () => {
  serve = await startServe();
  await kubectlOk(serve, ['create', 'namespace', 'cascade']);
}, 60_000);

afterAll(async () => {
  await serve?.stop();
  serve?.cleanup();
});

const ns = ['-n', 'cascade'];

async function uidOf(kind: string, name: string): Promise<string> {
  const uid = (await kubectlOk(serve, [...ns, 'get', kind, name, '-o', 'jsonpath={.metadata.uid}'])).trim();
  expect(uid).toMatch(/^[0-9a-f-]{36}$/);
  return uid;
}

/** An owner ConfigMap and two dependents (a ConfigMap and a Secret) pointing at it. */
async function ownerWithDependents(prefix: string, opts: { block?: boolean; holdChild?: boolean } = {}): Promise<string> {
  await kubectlOk(serve, [...ns, 'apply', '-f', '-'], `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${prefix}-owner\ndata:\n  role: owner\n`);
  const uid = await uidOf('configmap', `${prefix}-owner`);
  const owner = `  ownerReferences:\n  - apiVersion: v1\n    kind: ConfigMap\n    name: ${prefix}-owner\n    uid: ${uid}\n${opts.block ? '    blockOwnerDeletion: true\n' : ''}`;
  const hold = opts.holdChild ? '  finalizers: ["example.com/hold"]\n' : '';
  const manifest = [
    `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${prefix}-child\n${owner}${hold}data:\n  role: child\n`,
    `apiVersion: v1\nkind: Secret\nmetadata:\n  name: ${prefix}-secret\n${owner}type: Opaque\nstringData:\n  role: child\n`,
  ].join('---\n');
  await kubectlOk(serve, [...ns, 'apply', '-f', '-'], manifest);
  return uid;
}

async function exists(kind: string, name: string): Promise<boolean> {
  const r = await kubectl(serve, [...ns, 'get', kind, name, '-o', 'name']);
  if (r.code === 0) return true;
  expect(r.stderr).toContain('NotFound');
  return false;
}

async function eventually(check: () => Promise<boolean>, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('kubectl delete --cascade against bosun serve', () => {
  it('background (the default): dependents are collected after the owner is gone', async () => {
    await ownerWithDependents('bg');
    const out = await kubectlOk(serve, [...ns, 'delete', 'configmap', 'bg-owner', '--cascade=background']);
    expect(out).toContain('configmap "bg-owner" deleted');
    await eventually(async () => !(await exists('configmap', 'bg-child')) && !(await exists('secret', 'bg-secret')));
  }, 60_000);

  it('foreground: kubectl returns once dependents are gone; a blocking dependent holds the owner', async () => {
    await ownerWithDependents('fg', { block: true });
    await kubectlOk(serve, [...ns, 'delete', 'configmap', 'fg-owner', '--cascade=foreground', '--timeout=30s']);
    expect(await exists('configmap', 'fg-owner')).toBe(false);
    expect(await exists('configmap', 'fg-child')).toBe(false);
    expect(await exists('secret', 'fg-secret')).toBe(false);

    await ownerWithDependents('held', { block: true, holdChild: true });
    await kubectlOk(serve, [...ns, 'delete', 'configmap', 'held-owner', '--cascade=foreground', '--wait=false']);
    await eventually(async () => !(await exists('secret', 'held-secret')));
    const owner = JSON.parse(await kubectlOk(serve, [...ns, 'get', 'configmap', 'held-owner', '-o', 'json']));
    expect(owner.metadata.deletionTimestamp).toBeTruthy();
    expect(owner.metadata.finalizers).toEqual(['foregroundDeletion']);
    await kubectlOk(serve, [...ns, 'patch', 'configmap', 'held-child', '--type=merge', '-p', '{"metadata":{"finalizers":null}}']);
    await kubectlOk(serve, [...ns, 'wait', '--for=delete', 'configmap/held-owner', '--timeout=30s']);
    expect(await exists('configmap', 'held-child')).toBe(false);
  }, 60_000);

  it('orphan: the owner goes, dependents stay without the reference', async () => {
    await ownerWithDependents('or', { block: true });
    await kubectlOk(serve, [...ns, 'delete', 'configmap', 'or-owner', '--cascade=orphan', '--timeout=30s']);
    expect(await exists('configmap', 'or-owner')).toBe(false);
    for (const [kind, name] of [['configmap', 'or-child'], ['secret', 'or-secret']]) {
      const refs = await kubectlOk(serve, [...ns, 'get', kind, name, '-o', 'jsonpath={.metadata.ownerReferences}']);
      expect(refs.trim()).toBe('');
    }
    await new Promise((r) => setTimeout(r, 500));
    expect(await exists('configmap', 'or-child')).toBe(true);
    expect(await exists('secret', 'or-secret')).toBe(true);
  }, 60_000);
});
