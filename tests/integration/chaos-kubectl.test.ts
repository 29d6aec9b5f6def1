// The fault kinds through kubectl 1.32 against `bosun serve` (fake runtime: no Docker needed): apply is
// idempotent, explain reads the published schema, strict field validation names a typo, a kubeletStop
// fault silences a simulated node, and "stop all faults" is one kubectl command.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubectl, kubectlOk, startServe, type ServeHandle } from '../support/serve';
import { until } from '../support/until';

let serve: ServeHandle;

const FAULTS = `
apiVersion: chaos.bosun.dev/v1alpha1
kind: NodeFault
metadata: {name: quiet-node-2}
spec:
  action: kubeletStop
  selector: {nodeNames: [node-2]}
---
apiVersion: chaos.bosun.dev/v1alpha1
kind: ServiceFault
metadata: {name: slow-web, namespace: default}
spec:
  service: {name: web}
  latency: 200ms
`;

const SERVICE = `
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80}]
`;


const json = async (args: string[]): Promise<any> => JSON.parse(await kubectlOk(serve, [...args, '-o', 'json']));

describe('chaos kinds with kubectl', () => {
  beforeAll(async () => {
    serve = await startServe({ runtime: 'fake', args: ['--nodes', '3'] });
  }, 90_000);
  afterAll(async () => {
    if (serve) {
      await serve.stop();
      serve.cleanup();
    }
  }, 60_000);

  it('applies faults idempotently, lists them under `kubectl get chaos` and explains their schema', async () => {
    await kubectlOk(serve, ['apply', '-f', '-'], SERVICE);
    expect(await kubectlOk(serve, ['apply', '-f', '-'], FAULTS)).toContain('nodefault.chaos.bosun.dev/quiet-node-2 created');
    await until('NodeFault injected', async () => (await json(['get', 'nodefault', 'quiet-node-2'])).status?.phase === 'Injected');
    await until('ServiceFault injected', async () => (await json(['get', 'servicefault', 'slow-web'])).status?.phase === 'Injected');
    const again = await kubectlOk(serve, ['apply', '-f', '-'], FAULTS);
    expect(again).toContain('nodefault.chaos.bosun.dev/quiet-node-2 unchanged');
    expect(again).toContain('servicefault.chaos.bosun.dev/slow-web unchanged');

    const all = await kubectlOk(serve, ['get', 'chaos', '-A']);
    expect(all).toMatch(/nodefault\.chaos\.bosun\.dev\/quiet-node-2\s+kubeletStop\s+node-2\s+Injected/);
    expect(all).toMatch(/servicefault\.chaos\.bosun\.dev\/slow-web\s+web\s+200ms/);

    const explained = await kubectlOk(serve, ['explain', 'nodefault.spec.action']);
    expect(explained).toContain('crash (kubelet stopped, every container killed)');
  });

  it('silences the node: its Lease stops being renewed while the fault is in force', async () => {
    const renewTime = async (): Promise<string> => (await json(['get', 'lease', 'node-2', '-n', 'kube-node-lease'])).spec.renewTime;
    const first = await renewTime();
    await new Promise((r) => setTimeout(r, 2500));
    expect(await renewTime()).toBe(first);
    const other = (await json(['get', 'lease', 'node-1', '-n', 'kube-node-lease'])).spec.renewTime;
    await until('node-1 still renewing', async () => (await json(['get', 'lease', 'node-1', '-n', 'kube-node-lease'])).spec.renewTime !== other);
  });

  it('a typo is refused by strict field validation, an edit of the spec as immutable', async () => {
    const typo = await kubectl(serve, ['apply', '-f', '-'], FAULTS.replace('selector: {nodeNames', 'selectr: {nodeNames'));
    expect(typo.code).not.toBe(0);
    expect(typo.stderr).toContain('unknown field "spec.selectr"');
    const edit = await kubectl(serve, ['apply', '-f', '-'], FAULTS.replace('latency: 200ms', 'latency: 1s'));
    expect(edit.code).not.toBe(0);
    expect(edit.stderr).toContain('spec: Invalid value');
    expect(edit.stderr).toContain('field is immutable');
  });

  it('stops all faults with one kubectl command; each is reverted before it goes', async () => {
    const out = await kubectlOk(serve, ['delete', 'nodefaults,podfaults,servicefaults', '--all', '-A']);
    expect(out).toContain('nodefault.chaos.bosun.dev "quiet-node-2" deleted');
    expect(out).toContain('servicefault.chaos.bosun.dev "slow-web" deleted');
    expect((await kubectlOk(serve, ['get', 'chaos', '-A'])).trim()).toBe('');
    // The node is back: its Lease renews again.
    const first = (await json(['get', 'lease', 'node-2', '-n', 'kube-node-lease'])).spec.renewTime;
    await until('node-2 renewing again', async () => (await json(['get', 'lease', 'node-2', '-n', 'kube-node-lease'])).spec.renewTime !== first);
    const events = await kubectlOk(serve, ['get', 'events', '-A', '--field-selector', 'involvedObject.name=quiet-node-2']);
    expect(events).toMatch(/Injected/);
    expect(events).toMatch(/Reverted/);
  });
});
