// The API over real HTTP from `bosun serve`: optimistic concurrency, watch resume/expiry, durability, security.
import { describe, expect, it } from 'vitest';
import { api, startServe } from '../support/serve';
import { useServe } from '../support/use-serve';

const lab = useServe();

const cmPath = (ns: string, name = '') => `/api/v1/namespaces/${ns}/configmaps${name ? `/${name}` : ''}`;

async function createConfigMap(name: string, data: Record<string, string> = {}): Promise<any> {
  const r = await api(lab(), cmPath('default'), { method: 'POST', body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data }) });
  expect(r.status).toBe(201);
  return r.json();
}

/** Reads watch frames from a streaming response until `count` arrived or the time runs out. */
async function readWatch(res: Response, count: number, ms = 5000): Promise<any[]> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  const events: any[] = [];
  let buffer = '';
  const deadline = Date.now() + ms;
  while (events.length < count && Date.now() < deadline) {
    const chunk = await Promise.race([reader.read(), new Promise<null>((r) => setTimeout(() => r(null), Math.max(1, deadline - Date.now())))]);
    if (!chunk || chunk.done) break;
    buffer += decoder.decode(chunk.value, { stream: true });
    let nl;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl).trim();
      buffer = buffer.slice(nl + 1);
      if (line) events.push(JSON.parse(line));
    }
  }
  await reader.cancel().catch(() => undefined);
  return events;
}

describe('optimistic concurrency over HTTP', () => {
  it('50 concurrent updates from one resourceVersion: exactly one wins, 49 get 409 Conflict', async () => {
    const cm = await createConfigMap('race');
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        api(lab(), cmPath('default', 'race'), { method: 'PUT', body: JSON.stringify({ ...cm, data: { writer: String(i) } }) }),
      ),
    );
    const codes = results.map((r) => r.status);
    expect(codes.filter((c) => c === 200)).toHaveLength(1);
    expect(codes.filter((c) => c === 409)).toHaveLength(49);
    const conflict = (await results.find((r) => r.status === 409)!.json()) as any;
    expect(conflict).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'Conflict', code: 409 });
    expect(conflict.message).toContain('configmaps "race": the object has been modified');
    const winner = (await results.find((r) => r.status === 200)!.json()) as any;
    const now = (await (await api(lab(), cmPath('default', 'race'))).json()) as any;
    expect(now.data).toEqual(winner.data);
  });
});

describe('watch', () => {
  it('resumes from the last seen resourceVersion with exactly the missed events', async () => {
    const first = await createConfigMap('w-0');
    const seenRv = first.metadata.resourceVersion;
    // "Missed" while disconnected: one create, one update, one delete.
    const second = await createConfigMap('w-1');
    await api(lab(), cmPath('default', 'w-0'), { method: 'PUT', body: JSON.stringify({ ...first, data: { v: '2' } }) });
    await api(lab(), cmPath('default', 'w-1'), { method: 'DELETE' });
    const res = await api(lab(), `${cmPath('default')}?watch=true&resourceVersion=${seenRv}&timeoutSeconds=3`);
    expect(res.status).toBe(200);
    const events = (await readWatch(res, 4, 2500)).filter((e) => e.object.metadata.name.startsWith('w-'));
    expect(events.map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual(['ADDED w-1', 'MODIFIED w-0', 'DELETED w-1']);
    expect(events[0].object.metadata.uid).toBe(second.metadata.uid);
    const rvs = events.map((e) => Number(e.object.metadata.resourceVersion));
    expect([...rvs].sort((a, b) => a - b)).toEqual(rvs);
    expect(rvs[0]).toBeGreaterThan(Number(seenRv));
  });

  it('list then watch from the list resourceVersion misses nothing and repeats nothing', async () => {
    const list = (await (await api(lab(), cmPath('default'))).json()) as any;
    const res = await api(lab(), `${cmPath('default')}?watch=1&resourceVersion=${list.metadata.resourceVersion}&timeoutSeconds=5`);
    const names = Array.from({ length: 20 }, (_, i) => `lw-${i}`);
    await Promise.all(names.map((n) => createConfigMap(n)));
    const events = await readWatch(res, 20, 4000);
    expect(events.map((e) => e.type)).toEqual(Array(20).fill('ADDED'));
    expect(events.map((e) => e.object.metadata.name).sort()).toEqual([...names].sort());
  });
});

describe('security', () => {
  it('requires the bearer token on API paths, not on health', async () => {
    expect((await fetch(`${lab().url}/api/v1/namespaces`)).status).toBe(401);
    const wrong = await fetch(`${lab().url}/api/v1/namespaces`, { headers: { authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(401);
    expect((await wrong.json()) as any).toMatchObject({ kind: 'Status', code: 401, reason: 'Unauthorized' });
    expect((await fetch(`${lab().url}/healthz`)).status).toBe(200);
    expect((await fetch(`${lab().url}/version`)).status).toBe(200);
  });

  it('rejects foreign Host headers (DNS rebinding) and foreign Origins, and sends no CORS headers', async () => {
    const { request } = await import('node:http');
    const raw = (headers: Record<string, string>) =>
      new Promise<{ status: number; headers: Record<string, unknown> }>((res, rej) => {
        const req = request({ host: '127.0.0.1', port: lab().port, path: '/api/v1/namespaces', headers: { authorization: `Bearer ${lab().token}`, ...headers } }, (r) => {
          r.resume();
          res({ status: r.statusCode!, headers: r.headers });
        });
        req.on('error', rej);
        req.end();
      });
    expect((await raw({ host: 'evil.example:6443' })).status).toBe(403);
    expect((await raw({ origin: 'https://evil.example' })).status).toBe(403);
    const ok = await raw({ host: `localhost:${lab().port}` });
    expect(ok.status).toBe(200);
    expect(Object.keys(ok.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
  });
});

describe('restart', () => {
  it('keeps every acknowledged write after SIGKILL, and old watch resourceVersions expire with 410', async () => {
    const acknowledged: string[] = [];
    let stop = false;
    const writer = (async () => {
      for (let i = 0; !stop && i < 2000; i++) {
        const r = await api(lab(), cmPath('default'), {
          method: 'POST',
          body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `durable-${i}` }, data: { i: String(i) } }),
        }).catch(() => undefined);
        if (r?.status === 201) acknowledged.push(`durable-${i}`);
        else break;
      }
    })();
    await new Promise((r) => setTimeout(r, 400));
    const oldRv = ((await (await api(lab(), cmPath('default'))).json()) as any).metadata.resourceVersion;
    await lab().stop('SIGKILL');
    stop = true;
    await writer;
    expect(acknowledged.length).toBeGreaterThan(5);

    const dataDir = lab().dataDir;
    lab.set(await startServe({ dataDir }));
    const list = (await (await api(lab(), cmPath('default'))).json()) as any;
    const names = new Set(list.items.map((i: any) => i.metadata.name));
    expect(acknowledged.filter((n) => !names.has(n))).toEqual([]);
    expect(Number(list.metadata.resourceVersion)).toBeGreaterThanOrEqual(Number(oldRv));

    const res = await api(lab(), `${cmPath('default')}?watch=true&resourceVersion=${Number(oldRv) - 1}`);
    if (res.status === 200) {
      const [event] = await readWatch(res, 1, 3000);
      expect(event).toMatchObject({ type: 'ERROR', object: { kind: 'Status', code: 410 } });
    } else {
      expect(res.status).toBe(410);
      expect((await res.json()) as any).toMatchObject({ kind: 'Status', code: 410, reason: 'Expired' });
    }
  });

  it('refuses a second lab on the same data dir with a clear error', async () => {
    const second = await startServe({ dataDir: lab().dataDir }).then(
      () => 'started',
      (e: Error) => e.message,
    );
    expect(second).toMatch(/in use by process \d+/);
  });
});
