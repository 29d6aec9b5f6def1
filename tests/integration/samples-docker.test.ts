// The blue/green and canary samples on the Docker engine, applied with kubectl 1.32 as a user would,
// except that nginx is swapped for the offline busybox image serving the same ConfigMap page
// (`httpd -f -p 80 -h /www`). Traffic goes through 127.0.0.1:<nodePort>, one connection per request.
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import { kubectl, kubectlOk, startServe, type ServeHandle } from '../support/serve';

const PAUSE = 'bosun-test/pause:1.0';
const BUSYBOX = 'bosun-test/busybox:1.0';
const SAMPLES = join(__dirname, '..', '..', 'samples');

let serve: ServeHandle;

/** A sample's manifests with the offline image: same labels, Services, ConfigMaps and probes. */
function offline(dir: string, files: string[]): string {
  const docs: unknown[] = [];
  for (const f of files) {
    for (const doc of parseAllDocuments(readFileSync(join(SAMPLES, dir, f), 'utf8'))) {
      const o = doc.toJS() as Record<string, any>;
      if (o.kind === 'Deployment') {
        const spec = o.spec.template.spec;
        spec.terminationGracePeriodSeconds = 1;
        for (const c of spec.containers) {
          expect(c.image).toMatch(/^nginx:/);
          c.image = BUSYBOX;
          c.command = ['httpd', '-f', '-p', '80', '-h', '/www'];
          for (const m of c.volumeMounts ?? []) if (m.mountPath === '/usr/share/nginx/html') m.mountPath = '/www';
        }
      }
      docs.push(o);
    }
  }
  return docs.map((d) => stringify(d)).join('---\n');
}

/** One GET on a fresh connection, like `curl`, so the Service balances each request anew. */
function get(port: number): Promise<string> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/', agent: false, headers: { connection: 'close' }, timeout: 5000 }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve(body.trim()));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e) => resolve(`error: ${e.message}`));
    req.end();
  });
}

async function tally(port: number, n: number): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    const body = await get(port);
    counts[body] = (counts[body] ?? 0) + 1;
  }
  return counts;
}

async function eventually<T>(what: string, fn: () => Promise<T | undefined | false>, ms = 90_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const k = (ns: string, ...args: string[]): Promise<string> => kubectlOk(serve, ['-n', ns, ...args]);
const nodePort = async (ns: string, svc: string): Promise<number> => Number(await k(ns, 'get', 'service', svc, '-o', 'jsonpath={.spec.ports[0].nodePort}'));
const readyEndpoints = async (ns: string, svc: string): Promise<number> =>
  Number(await k(ns, 'get', 'endpoints', svc, '-o', 'jsonpath={range .subsets[*].addresses[*]}x{end}').then((s) => s.length));

describe('samples on the Docker engine', () => {
  beforeAll(async () => {
    serve = await startServe({ runtime: 'docker', args: ['--nodes', '2', '--pause-image', PAUSE], timeoutMs: 60_000 });
  }, 90_000);
  afterAll(async () => {
    if (serve) {
      for (const ns of ['bluegreen', 'canary']) await kubectl(serve, ['delete', 'namespace', ns, '--wait=false']);
      await serve.stop();
      serve.cleanup();
    }
  }, 90_000);

  it('blue/green: all traffic follows the Service selector patch', async () => {
    await kubectlOk(serve, ['create', 'namespace', 'bluegreen']);
    await kubectlOk(serve, ['-n', 'bluegreen', 'apply', '-f', '-'], offline('blue-green', ['blue.yaml', 'green.yaml', 'service.yaml']));
    await k('bluegreen', 'rollout', 'status', 'deployment/web-blue', '--timeout=120s');
    await k('bluegreen', 'rollout', 'status', 'deployment/web-green', '--timeout=120s');
    await eventually('2 blue endpoints', async () => (await readyEndpoints('bluegreen', 'web')) === 2);
    const port = await nodePort('bluegreen', 'web');
    expect(await tally(port, 20)).toEqual({ blue: 20 });

    await k('bluegreen', 'patch', 'service', 'web', '-p', '{"spec":{"selector":{"version":"green"}}}');
    const switchedAt = Date.now();
    await eventually('first green response', async () => (await get(port)) === 'green', 10_000);
    // The switch is prompt and complete: no blue answers once green has started answering.
    expect(Date.now() - switchedAt).toBeLessThan(10_000);
    expect(await tally(port, 20)).toEqual({ green: 20 });

    await k('bluegreen', 'patch', 'service', 'web', '-p', '{"spec":{"selector":{"version":"blue"}}}');
    await eventually('back to blue', async () => (await get(port)) === 'blue', 10_000);
    expect(await tally(port, 20)).toEqual({ blue: 20 });
  }, 240_000);

  it('canary: one Service over 3 stable + 1 canary pods sends traffic to both', async () => {
    await kubectlOk(serve, ['create', 'namespace', 'canary']);
    await kubectlOk(serve, ['-n', 'canary', 'apply', '-f', '-'], offline('canary', ['stable.yaml', 'canary.yaml', 'service.yaml']));
    await k('canary', 'rollout', 'status', 'deployment/shop-stable', '--timeout=120s');
    await k('canary', 'rollout', 'status', 'deployment/shop-canary', '--timeout=120s');
    await eventually('4 endpoints', async () => (await readyEndpoints('canary', 'shop')) === 4);
    const counts = await tally(await nodePort('canary', 'shop'), 100);
    // Both tracks answer and nothing else does; the exact split is the balancer's business.
    expect(Object.keys(counts).sort()).toEqual(['canary', 'stable']);
    expect(counts.stable + counts.canary).toBe(100);
    expect(counts.stable).toBeGreaterThan(counts.canary);
  }, 240_000);
});
