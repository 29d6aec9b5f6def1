// 10,000 malformed or hostile requests against a real `bosun serve`: no crash, every answer a 4xx Status,
// nothing stored, and the server still serves afterwards. Deterministic (seeded) so a failure reproduces.
import { request, Agent } from 'node:http';
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { api } from '../support/serve';
import { useServe } from '../support/use-serve';

const lab = useServe();

function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface FuzzRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  why: string;
}

const VALID_CM = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'fuzz-ok' }, data: { a: 'b' } });
const BAD_NAMES = ['UPPER', 'under_score', '-lead', 'trail-', 'a'.repeat(254), 'sp ace', 'dot..dot', '.', '..', 'ünï', 'x/y', '', '*'];
const PATH_TRICKS = [
  '/api/v1/namespaces/default/configmaps/../../../../etc/passwd',
  '/api/v1/namespaces/%2e%2e/configmaps',
  '/api/v1/namespaces/default/configmaps/%00',
  '/apis/nope.example/v1/widgets',
  '/apis/apps/v9/deployments',
  '/api/v2/pods',
  '/api/v1/nopes',
  '/api/v1/namespaces/default/pods/x/not-a-subresource',
  '/apis/apps/v1/namespaces/default/deployments/x/scale/extra/segments',
  '/api/v1//namespaces',
  `/api/v1/namespaces/${'n'.repeat(5000)}/configmaps/x`,
  '/api/v1/namespaces/default/configmaps/x?labelSelector=%%%',
];
const BAD_QUERIES = [
  'labelSelector=a%20in%20(b', 'labelSelector=!!', 'labelSelector=a==b==c', 'fieldSelector=spec.nope%3Dx', 'fieldSelector=%3D%3D',
  'limit=abc', 'continue=not-a-token', 'resourceVersion=abc&watch=true', 'timeoutSeconds=abc&watch=true',
];
// Options of writes; aimed at an object that does not exist, so a missing check still cannot destroy anything.
const BAD_DELETE_QUERIES = ['propagationPolicy=Sideways', 'gracePeriodSeconds=abc', 'dryRun=Some', 'orphanDependents=maybe'];

function generate(rand: () => number, i: number): FuzzRequest {
  const pick = <T,>(xs: T[]): T => xs[Math.floor(rand() * xs.length)];
  const cm = '/api/v1/namespaces/default/configmaps';
  switch (i % 12) {
    case 0: {
      const cut = Math.max(1, Math.floor(rand() * (VALID_CM.length - 1)));
      return { method: 'POST', path: cm, headers: { 'content-type': 'application/json' }, body: VALID_CM.slice(0, cut), why: 'truncated JSON' };
    }
    case 1: {
      const bytes = Buffer.from(Array.from({ length: 1 + Math.floor(rand() * 200) }, () => Math.floor(rand() * 256)));
      return { method: pick(['POST', 'PUT']), path: pick([cm, `${cm}/x`]), headers: { 'content-type': 'application/json' }, body: bytes, why: 'random bytes' };
    }
    case 2:
      return { method: 'POST', path: cm, headers: { 'content-type': 'application/yaml' }, body: pick(['a: [b', 'metadata:\n  name: x\n\tbad: tab', ': :', '- a\nb: c', '{{{']), why: 'bad YAML' };
    case 3: {
      const name = pick(BAD_NAMES);
      return { method: 'POST', path: cm, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: name || undefined }, data: { k: 'v' } }), why: `bad name ${JSON.stringify(name.slice(0, 20))}` };
    }
    case 4:
      return { method: 'POST', path: cm, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ apiVersion: pick(['v1', 'apps/v1', 'v2', '']), kind: pick(['Secret', 'Pod', 'Deployment', 'Nope', 42]), metadata: { name: 'wrong-kind' } }), why: 'wrong kind' };
    case 5:
      return { method: pick(['GET', 'DELETE', 'PATCH']), path: pick(PATH_TRICKS), headers: { 'content-type': 'application/merge-patch+json' }, body: '{}', why: 'path trick' };
    case 6:
      return rand() < 0.7
        ? { method: 'GET', path: `${pick([cm, '/api/v1/pods', '/apis/apps/v1/deployments'])}?${pick(BAD_QUERIES)}`, why: 'bad query' }
        : { method: 'DELETE', path: `${cm}/no-such-object?${pick(BAD_DELETE_QUERIES)}`, why: 'bad delete options' };
    case 7:
      return { method: 'PATCH', path: `${cm}/does-not-exist-${i}`, headers: { 'content-type': pick(['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml', 'text/plain', 'application/x-nope']) }, body: pick(['[{"op":"explode"}]', '{"metadata":', 'not json', '[]', '{"metadata":{"name":5}}']), why: 'bad patch' };
    case 8:
      return { method: pick(['POST', 'PUT']), path: pick([cm, `${cm}/x`]), headers: { 'content-type': pick(['text/html', 'application/vnd.kubernetes.protobuf', 'multipart/form-data', 'application/xml']) }, body: '<x/>', why: 'unsupported content type' };
    case 9:
      return { method: 'POST', path: cm, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `fuzz-bad-data-${i}`, labels: { 'bad key!': 'v' } }, data: { 'bad key/': 'x' } }), why: 'bad labels and keys' };
    case 10:
      return { method: pick(['PUT', 'POST']), path: pick(['/api/v1/namespaces/default/configmaps', '/api/v1/namespaces/default/configmaps/x']), headers: { 'content-type': 'application/json', authorization: pick(['Bearer wrong', 'Basic Zm9vOmJhcg==', '', 'Bearer ']) }, body: VALID_CM, why: 'bad credentials' };
    default:
      return { method: pick(['POST', 'PUT']), path: `${cm}/fuzz-obj-${i}`, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `other-${i}`, namespace: pick(['kube-system', 'other']) }, data: {} }), why: 'name/namespace mismatch' };
  }
}

/** Sends raw bytes and collects the answer; with end=false the request stays open (a body still "coming"). */
function rawExchange(payload: string, end = true): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(lab().port, '127.0.0.1', () => (end ? socket.end(payload) : socket.write(payload)));
    let answer = '';
    socket.on('data', (d) => (answer += d));
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
    socket.setTimeout(10_000, () => socket.destroy(new Error('timeout')));
  });
}

function send(agent: Agent, r: FuzzRequest): Promise<{ status: number; body: string; type: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { authorization: `Bearer ${lab().token}`, ...r.headers };
    if (headers.authorization === '') delete headers.authorization;
    const req = request({ host: '127.0.0.1', port: lab().port, method: r.method, path: r.path, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, body: Buffer.concat(chunks).toString('utf8'), type: String(res.headers['content-type'] ?? '') }));
    });
    req.setTimeout(10_000, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(r.body);
  });
}

describe('fuzz', () => {
  it('answers 10,000 malformed or hostile requests with 4xx Status objects and keeps serving', async () => {
    const rand = prng(20261122);
    const agent = new Agent({ keepAlive: true, maxSockets: 16 });
    const failures: string[] = [];
    const total = 10_000;
    let next = 0;
    const worker = async () => {
      while (next < total) {
        const i = next++;
        const r = generate(rand, i);
        const res = await send(agent, r).catch((e: Error) => ({ status: 0, body: e.message, type: '' }));
        let ok = res.status >= 400 && res.status < 500 && res.type.startsWith('application/json');
        if (ok) {
          try {
            const s = JSON.parse(res.body);
            ok = s.kind === 'Status' && s.status === 'Failure' && s.code === res.status && typeof s.message === 'string';
          } catch {
            ok = false;
          }
        }
        if (!ok && failures.length < 20) failures.push(`#${i} ${r.why}: ${r.method} ${r.path.slice(0, 120)} → ${res.status} ${res.body.slice(0, 200)}`);
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
    // Oversized bodies (Kubernetes' limit is 3 MiB) are refused from the declared length, before the body is read.
    const huge = await rawExchange(
      `POST /api/v1/namespaces/default/configmaps HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${lab().token}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${4 * 1024 * 1024}\r\n\r\n{"apiVersion":"v1",`,
      false,
    );
    agent.destroy();
    expect(failures).toEqual([]);
    expect(huge).toMatch(/^HTTP\/1\.1 413 /);
    expect(JSON.parse(huge.slice(huge.indexOf('\r\n\r\n') + 4))).toMatchObject({ kind: 'Status', code: 413 });

    // Bytes that are not HTTP at all still get a Status.
    for (const garbage of ['GARBAGE\r\n\r\n', 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: nope\r\n\r\n', `GET /${'a'.repeat(20)} HTTP/1.1\r\n${'X-Big: y\r\n'.repeat(2000)}\r\n`]) {
      const answer = await rawExchange(garbage);
      expect(answer, garbage.slice(0, 30)).toMatch(/^HTTP\/1\.1 4\d\d /);
      const status = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4));
      expect(status).toMatchObject({ kind: 'Status', status: 'Failure' });
    }

    expect(lab().child.exitCode).toBeNull();
    const list = await api(lab(), '/api/v1/namespaces/default/configmaps');
    expect(list.status).toBe(200);
    const names = ((await list.json()) as any).items.map((i: any) => i.metadata.name);
    expect(names.filter((n: string) => n.startsWith('fuzz') || n.startsWith('other'))).toEqual([]);
  }, 180_000);
});
