// JSON list answers splice the stored JSON of their items (rest/serialized.ts): the bytes on the wire
// must be exactly those of JSON.stringify of the list the in-process client gets for the same request.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { type ApiHttpServer, startApiHttpServer } from '../../../../main/apiserver/http/server';
import { ALL, setup, widget, type Env } from '../rest/fixtures';
import { send, TOKEN } from './helpers';

describe('JSON lists over HTTP from stored JSON', () => {
  let env: Env;
  let server: ApiHttpServer;

  beforeAll(async () => {
    env = await setup();
    for (let i = 0; i < 12; i++) {
      // Integer-like keys, unicode and escapes: what a re-serialization could order or escape differently.
      const w = widget(`w-${String(i).padStart(2, '0')}`, { color: i % 3 ? 'red' : 'blue', '10': 'ten', '2': 'two', note: 'é "quoted" \u2028 \\ </script>' }, { labels: { shard: String(i % 4) } });
      await env.call({ verb: 'create', body: w });
    }
    await env.call({ verb: 'update', name: 'w-03', body: { ...(await env.call({ verb: 'get', name: 'w-03' })), spec: { color: 'green', size: 1.5e-7 } } });
    await env.call({ verb: 'delete', name: 'w-05' });
    server = await startApiHttpServer({ handler: env.rest, resources: ALL, token: TOKEN, port: 0, tls: false });
  });
  afterAll(() => server.close());

  const cases: [string, Record<string, string>][] = [
    ['', {}],
    ['?labelSelector=shard%3D1', { labelSelector: 'shard=1' }],
    ['?fieldSelector=spec.color%3Dblue', { fieldSelector: 'spec.color=blue' }],
    ['?limit=4', { limit: '4' }],
  ];
  for (const [query, q] of cases) {
    it(`answers ${query || 'a plain list'} with the bytes JSON.stringify gives for the in-process list`, async () => {
      const res = await send(server.port, `/apis/example.com/v1/namespaces/default/widgets${query}`);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('application/json');
      const inProcess = await env.call({ verb: 'list', query: q });
      // The continue token embeds the same resourceVersion and start key: identical as well.
      expect(res.body).toBe(JSON.stringify(inProcess));
      expect(Number(res.headers['content-length'])).toBe(Buffer.byteLength(res.body));
    });
  }

  it('pages with continue tokens to the same bytes (snapshot pages take the object path)', async () => {
    const first = (await send(server.port, '/apis/example.com/v1/namespaces/default/widgets?limit=5')).json();
    const next = await send(server.port, `/apis/example.com/v1/namespaces/default/widgets?limit=5&continue=${first.metadata.continue}`);
    const inProcess = await env.call({ verb: 'list', query: { limit: '5', continue: first.metadata.continue } });
    expect(next.body).toBe(JSON.stringify(inProcess));
  });

  it('answers YAML and Table lists as before (no spliced JSON there)', async () => {
    const yaml = await send(server.port, '/apis/example.com/v1/namespaces/default/widgets', { headers: { accept: 'application/yaml' } });
    expect(parseYaml(yaml.body)).toEqual(await env.call({ verb: 'list' }));
    const table = await send(server.port, '/apis/example.com/v1/namespaces/default/widgets', { headers: { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' } });
    expect(table.json().kind).toBe('Table');
    expect(table.json().rows).toHaveLength(11);
  });

  it('gives in-process callers plain mutable objects, never the shared stored ones', async () => {
    const list = await env.call({ verb: 'list' });
    list.items[0].spec.color = 'mutated';
    expect((await env.call({ verb: 'get', name: list.items[0].metadata.name })).spec.color).not.toBe('mutated');
  });
});
