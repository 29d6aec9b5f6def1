// Service allocations survive a restart of `bosun serve` (fake runtime, same data dir): the node port is
// served again, a second Service cannot take it, and the kubernetes Service follows the new API port.
import { connect } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { kubectl, kubectlOk, startServe, type ServeHandle } from '../support/serve';

const handles: ServeHandle[] = [];
afterAll(async () => {
  for (const h of handles) await h.stop();
  handles[0]?.cleanup();
});

/** 'refused' when nothing listens on the port, 'accepted' when something took the connection. */
function probe(port: number): Promise<'refused' | 'accepted'> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.on('connect', () => {
      s.destroy();
      resolve('accepted');
    });
    s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code === 'ECONNREFUSED' ? 'refused' : 'accepted'));
  });
}

async function until<T>(fn: () => Promise<T | undefined | false>, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('Service allocations across a restart', () => {
  it('keeps clusterIP and nodePort, serves the port again and refuses to hand it out twice', async () => {
    const first = await startServe({ runtime: 'fake' });
    handles.push(first);
    await kubectlOk(first, ['create', 'service', 'nodeport', 'web', '--tcp=80:8080']);
    const before = JSON.parse(await kubectlOk(first, ['get', 'svc', 'web', '-o', 'json']));
    const nodePort: number = before.spec.ports[0].nodePort;
    await until(async () => (await probe(nodePort)) === 'accepted');
    await first.stop();
    expect(await probe(nodePort)).toBe('refused');

    const second = await startServe({ runtime: 'fake', dataDir: first.dataDir });
    handles.push(second);
    const after = JSON.parse(await kubectlOk(second, ['get', 'svc', 'web', '-o', 'json']));
    expect(after.spec.clusterIP).toBe(before.spec.clusterIP);
    expect(after.spec.ports[0].nodePort).toBe(nodePort);
    await until(async () => (await probe(nodePort)) === 'accepted');
    const clash = await kubectl(second, ['create', 'service', 'nodeport', 'other', '--tcp=80:80', `--node-port=${nodePort}`]);
    expect(clash.code).not.toBe(0);
    expect(clash.stderr).toContain(`spec.ports[0].nodePort: Invalid value: ${nodePort}: provided port is already allocated`);
    const ip = await kubectl(second, ['create', 'service', 'clusterip', 'ipclash', '--tcp=80:80', `--clusterip=${before.spec.clusterIP}`]);
    expect(ip.stderr).toContain('provided IP is already allocated');

    const k = JSON.parse(await kubectlOk(second, ['get', 'endpoints', 'kubernetes', '-o', 'json']));
    expect(k.subsets[0].ports[0].port).toBe(second.port);
    const ks = JSON.parse(await kubectlOk(second, ['get', 'svc', 'kubernetes', '-o', 'json']));
    expect(ks.spec).toMatchObject({ clusterIP: '10.96.0.1', ports: [{ name: 'https', port: 443, targetPort: second.port }] });

    // Deleting the Service frees its node port for the next one.
    await kubectlOk(second, ['delete', 'svc', 'web']);
    await until(async () => (await probe(nodePort)) === 'refused');
    await kubectlOk(second, ['create', 'service', 'nodeport', 'reuse', '--tcp=80:80', `--node-port=${nodePort}`]);
  }, 120_000);
});
