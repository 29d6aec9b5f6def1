// Apiserver hot paths, side by side: the same measurements on two source trees loaded into ONE process
// and interleaved round by round (A B A B …), so that a shared, noisy machine slows both alike and the
// ratio between them means something even when the absolute numbers do not.
//
//   node --import tsx tests/bench/hot-paths.ts [<baseline root>] [rounds]
//
// Without a baseline root only this tree is measured. A baseline is typically an export of an earlier
// commit: `git archive <rev> main shared tests/bench tests/support tsconfig.json package.json | tar -x -C DIR`
// plus a node_modules symlink. Before measuring, both trees must answer byte-for-byte the same JSON to the
// same requests (deterministic uids and clock); the run stops otherwise.
import { request } from 'node:http';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { NODE_COUNT, POD_COUNT, node, pod as rsPod } from './scheduler-fixture';
import { ms, percentile } from './stats';

const NAMESPACE = 'bench';

/** CPU time of this process in ms: on a shared machine it moves far less than wall time with the load. */
const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** The modules of one source tree that the benchmarks drive. */
interface Tree {
  label: string;
  RestHandler: any;
  MemoryStore: any;
  builtinResources: any[];
  defaultTolerationSeconds: any;
  KubeClient: any;
  FakeClock: any;
  RealClock: any;
  SharedInformerFactory: any;
  PODS: any;
  NODES: any;
  startScheduler: any;
  startApiHttpServer: any;
}

async function loadTree(root: string, label: string): Promise<Tree> {
  const m = (p: string) => import(resolve(root, p));
  const [rest, store, registry, client, clock, factory, gvr, scheduler, http] = await Promise.all([
    m('main/apiserver/rest/index.ts'),
    m('main/store/memory-store.ts'),
    m('main/apiserver/registry/index.ts'),
    m('main/client/client.ts'),
    m('main/client/clock.ts'),
    m('main/client/informer-factory.ts'),
    m('main/client/gvr.ts'),
    m('main/scheduler/index.ts'),
    m('main/apiserver/http/server.ts'),
  ]);
  return {
    label,
    RestHandler: rest.RestHandler,
    MemoryStore: store.MemoryStore,
    builtinResources: registry.builtinResources,
    defaultTolerationSeconds: registry.defaultTolerationSeconds,
    KubeClient: client.KubeClient,
    FakeClock: clock.FakeClock,
    RealClock: clock.RealClock,
    SharedInformerFactory: factory.SharedInformerFactory,
    PODS: gvr.PODS,
    NODES: gvr.NODES,
    startScheduler: scheduler.startScheduler,
    startApiHttpServer: http.startApiHttpServer,
  };
}

/** A pod like a controller writes one: labels, owner, probes, env, requests (~1.5 KB of JSON). */
function pod(i: number): any {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `web-${i}`,
      namespace: NAMESPACE,
      labels: { app: 'web', shard: String(i % 10), 'pod-template-hash': '7c9d8f' },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-7c9d8f', uid: 'rs-uid', controller: true, blockOwnerDeletion: true }],
    },
    spec: {
      containers: [
        {
          name: 'web',
          image: 'nginx:1.27',
          ports: [{ containerPort: 80, protocol: 'TCP' }],
          env: Array.from({ length: 6 }, (_, e) => ({ name: `ENV_${e}`, value: `value-${e}` })),
          resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '500m', memory: '128Mi' } },
          readinessProbe: { httpGet: { path: '/healthz', port: 80 }, periodSeconds: 5 },
        },
      ],
    },
  };
}

/** The API as `bosun serve` composes it (built-in kinds, its admission), over a memory store. */
function api(t: Tree, deterministic: boolean): { rest: any; client: any } {
  let uid = 0;
  const rest = new t.RestHandler({
    store: new t.MemoryStore({ watchWindow: 50_000 }),
    resources: t.builtinResources,
    admission: [t.defaultTolerationSeconds],
    ...(deterministic ? { clock: new t.FakeClock(), uid: () => `00000000-0000-4000-8000-${String(++uid).padStart(12, '0')}` } : {}),
  });
  return { rest, client: new t.KubeClient(rest, 'bench-admin') };
}

async function withPods(t: Tree, count: number, deterministic = false): Promise<{ rest: any; client: any }> {
  const a = api(t, deterministic);
  await a.client.namespaces().create(undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } });
  for (let i = 0; i < count; i++) await a.client.pods().create(NAMESPACE, pod(i));
  return a;
}

function httpGet(port: number, token: string, path: string): Promise<{ ms: number; body: string }> {
  const t0 = performance.now();
  return new Promise((done, fail) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { authorization: `Bearer ${token}` } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => done({ ms: performance.now() - t0, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', fail);
    req.end();
  });
}

async function serveHttp(t: Tree, rest: any): Promise<{ port: number; token: string; close(): Promise<void> }> {
  const token = 'bench-token';
  const server = await t.startApiHttpServer({ handler: rest, resources: t.builtinResources, token, port: 0, tls: false });
  return { port: server.port, token, close: () => server.close() };
}

/** Every answer the measured paths give, with uids and times pinned: the trees must agree byte for byte. */
async function transcript(t: Tree): Promise<string[]> {
  const { rest, client } = await withPods(t, 30, true);
  const out: string[] = [];
  const pods = client.pods();
  for (let i = 0; i < 30; i += 3) {
    const cur = await pods.get(NAMESPACE, `web-${i}`);
    cur.metadata.labels.updated = 'yes';
    out.push(JSON.stringify(await pods.update(NAMESPACE, cur)));
    out.push(JSON.stringify(await pods.patch(NAMESPACE, `web-${i}`, 'application/merge-patch+json', { metadata: { annotations: { a: String(i) } } })));
    out.push(JSON.stringify(await pods.createSubresource(NAMESPACE, `web-${i}`, 'binding', { apiVersion: 'v1', kind: 'Binding', metadata: { name: `web-${i}` }, target: { kind: 'Node', name: 'n1' } })));
    const status = await pods.get(NAMESPACE, `web-${i}`);
    status.status = { ...status.status, phase: 'Running' };
    out.push(JSON.stringify(await pods.updateStatus(NAMESPACE, status)));
  }
  out.push(JSON.stringify(await pods.list(NAMESPACE)));
  out.push(JSON.stringify(await pods.list(NAMESPACE, { labelSelector: 'shard in (1,2)', limit: 2 })));
  const server = await serveHttp(t, rest);
  try {
    for (const path of [
      `/api/v1/namespaces/${NAMESPACE}/pods`,
      `/api/v1/pods?labelSelector=shard%3D3`,
      `/api/v1/namespaces/${NAMESPACE}/pods?limit=5`,
      `/api/v1/namespaces/${NAMESPACE}/pods/web-3`,
      `/api/v1/namespaces/${NAMESPACE}/pods?fieldSelector=spec.nodeName%3Dn1`,
    ]) {
      out.push((await httpGet(server.port, server.token, path)).body);
    }
  } finally {
    await server.close();
  }
  return out;
}

interface Round {
  /** CPU ms per write (creates and updates together) and per list. */
  writeCpu: number;
  listInProcessCpu: number;
  listHttpCpu: number;
  createP50: number;
  createP99: number;
  updateP50: number;
  updateP99: number;
  listInProcess: number;
  listHttp: number;
}

/** 1,000 creates then 1,000 updates (each awaited: latency, not throughput), then lists of 1,000 pods. */
async function writesAndLists(t: Tree): Promise<Round> {
  const { rest, client } = api(t, false);
  await client.namespaces().create(undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } });
  const pods = client.pods();
  const creates: number[] = [];
  let writeCpu = 0;
  let c0 = cpuMs();
  for (let i = 0; i < 1000; i++) {
    const t0 = performance.now();
    await pods.create(NAMESPACE, pod(i));
    creates.push(performance.now() - t0);
  }
  writeCpu += cpuMs() - c0;
  const current = (await pods.list(NAMESPACE)).items;
  c0 = cpuMs();
  const updates: number[] = [];
  for (let i = 0; i < 1000; i++) {
    const obj = current[i];
    obj.metadata.labels.updated = 'yes';
    const t0 = performance.now();
    await pods.update(NAMESPACE, obj);
    updates.push(performance.now() - t0);
  }
  writeCpu += cpuMs() - c0;
  const inProcess: number[] = [];
  c0 = cpuMs();
  for (let i = 0; i < 20; i++) {
    const t0 = performance.now();
    const l = await pods.list(NAMESPACE);
    inProcess.push(performance.now() - t0);
    if (l.items.length !== 1000) throw new Error('list did not return 1000 pods');
  }
  const listInProcessCpu = (cpuMs() - c0) / 20;
  const server = await serveHttp(t, rest);
  const overHttp: number[] = [];
  let listHttpCpu = 0;
  try {
    c0 = cpuMs();
    for (let i = 0; i < 20; i++) {
      const r = await httpGet(server.port, server.token, `/api/v1/namespaces/${NAMESPACE}/pods`);
      if (i === 0 && JSON.parse(r.body).items.length !== 1000) throw new Error('HTTP list did not return 1000 pods');
      overHttp.push(r.ms);
    }
    // Client and server share this process: this is the cost of both ends.
    listHttpCpu = (cpuMs() - c0) / 20;
  } finally {
    await server.close();
  }
  return {
    writeCpu: writeCpu / 2000,
    listInProcessCpu,
    listHttpCpu,
    createP50: percentile(creates, 50),
    createP99: percentile(creates, 99),
    updateP50: percentile(updates, 50),
    updateP99: percentile(updates, 99),
    listInProcess: percentile(inProcess, 50),
    listHttp: percentile(overHttp, 50),
  };
}

// The scheduler benchmark of scheduler.ts, on a given tree: 5,000 pods of 50 ReplicaSets on 100 nodes.
async function schedulerLab(t: Tree): Promise<any> {
  const rest = new t.RestHandler({ store: new t.MemoryStore({ watchWindow: 50_000 }), resources: t.builtinResources });
  const client = new t.KubeClient(rest, 'system:kube-scheduler');
  await client.namespaces().create(undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } });
  for (let i = 0; i < NODE_COUNT; i++) {
    const n = node(i);
    const created = await client.nodes().create(undefined, n);
    await client.nodes().updateStatus(undefined, { ...created, status: n.status });
  }
  for (let i = 0; i < POD_COUNT; i++) await client.pods().create('default', rsPod(i));
  return client;
}

async function bindingsAlone(t: Tree): Promise<{ wall: number; cpu: number }> {
  const client = await schedulerLab(t);
  const pods = client.pods();
  const c0 = cpuMs();
  const t0 = performance.now();
  const inFlight = new Set<Promise<unknown>>();
  for (let i = 0; i < POD_COUNT; i++) {
    const p: Promise<unknown> = pods
      .createSubresource('default', `bench-${i}`, 'binding', { apiVersion: 'v1', kind: 'Binding', metadata: { name: `bench-${i}`, namespace: 'default' }, target: { apiVersion: 'v1', kind: 'Node', name: `node-${i % NODE_COUNT}` } })
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
    if (inFlight.size >= 256) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  return { wall: performance.now() - t0, cpu: cpuMs() - c0 };
}

async function scheduling(t: Tree): Promise<{ wall: number; cpu: number }> {
  const client = await schedulerLab(t);
  const informers = new t.SharedInformerFactory(client, {});
  informers.informerFor(t.NODES);
  const pods = informers.informerFor(t.PODS);
  let bound = 0;
  let done!: () => void;
  const all = new Promise<void>((r) => (done = r));
  pods.addEventHandler({ onUpdate: (old: any, cur: any) => void (!old.spec?.nodeName && cur.spec?.nodeName && ++bound === POD_COUNT && done()) });
  const c0 = cpuMs();
  const t0 = performance.now();
  const handle = t.startScheduler({ client, informers, clock: new t.RealClock(), logger: { warn: () => {} } });
  informers.start();
  await all;
  const took = { wall: performance.now() - t0, cpu: cpuMs() - c0 };
  await handle.stop();
  informers.shutdown();
  return took;
}

const median = (v: number[]): number => percentile(v, 50);

interface Results {
  rounds: Round[];
  sched: { wall: number; cpu: number }[];
  bind: { wall: number; cpu: number }[];
}
const ratio = (after: number, before: number): string => `${(after / before).toFixed(2)}×`;

async function main(): Promise<void> {
  const [baseRoot, roundsArg] = process.argv.slice(2);
  const rounds = Number(roundsArg ?? 3);
  const trees = [await loadTree(resolve(__dirname, '../..'), 'this tree')];
  if (baseRoot) trees.unshift(await loadTree(resolve(baseRoot), 'baseline'));

  if (trees.length === 2) {
    const [a, b] = await Promise.all(trees.map(transcript));
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      if (a[i] !== b[i]) throw new Error(`answers differ (#${i}):\nbaseline:  ${a[i]?.slice(0, 2000)}\nthis tree: ${b[i]?.slice(0, 2000)}`);
    }
    console.log(`same answers: ${a.length} responses identical byte for byte`);
  }

  const results = new Map<string, Results>(trees.map((t) => [t.label, { rounds: [], sched: [], bind: [] }]));
  for (let r = 0; r < rounds; r++) {
    for (const t of r % 2 ? [...trees].reverse() : trees) {
      const res = results.get(t.label)!;
      res.rounds.push(await writesAndLists(t));
      if (process.env.BENCH_SKIP_SCHEDULER !== '1') {
        res.bind.push(await bindingsAlone(t));
        res.sched.push(await scheduling(t));
      }
      console.error(`round ${r + 1}/${rounds} ${t.label} done`);
    }
  }

  const rows: [string, (x: Results) => number, (v: number) => string][] = [
    ['create p50 (in-process)', (x) => median(x.rounds.map((r) => r.createP50)), ms],
    ['create p99 (in-process)', (x) => median(x.rounds.map((r) => r.createP99)), ms],
    ['update p50 (in-process)', (x) => median(x.rounds.map((r) => r.updateP50)), ms],
    ['update p99 (in-process)', (x) => median(x.rounds.map((r) => r.updateP99)), ms],
    ['list 1,000 pods in-process (p50 of 20)', (x) => median(x.rounds.map((r) => r.listInProcess)), ms],
    ['list 1,000 pods over HTTP (p50 of 20)', (x) => median(x.rounds.map((r) => r.listHttp)), ms],
    ['CPU per write (create/update mean)', (x) => median(x.rounds.map((r) => r.writeCpu)), ms],
    ['CPU per in-process list of 1,000', (x) => median(x.rounds.map((r) => r.listInProcessCpu)), ms],
    ['CPU per HTTP list of 1,000 (server + client)', (x) => median(x.rounds.map((r) => r.listHttpCpu)), ms],
  ];
  if (process.env.BENCH_SKIP_SCHEDULER !== '1') {
    rows.push(
      ['binding calls alone (5,000), wall', (x) => (POD_COUNT * 1000) / median(x.bind.map((b) => b.wall)), (v) => `${v.toFixed(0)} /s`],
      ['scheduler throughput (5,000 pods), wall', (x) => (POD_COUNT * 1000) / median(x.sched.map((b) => b.wall)), (v) => `${v.toFixed(0)} pods/s`],
      ['scheduler time / bindings-alone time, wall', (x) => median(x.sched.map((b) => b.wall)) / median(x.bind.map((b) => b.wall)), (v) => `${v.toFixed(2)}×`],
      ['bindings per CPU second', (x) => (POD_COUNT * 1000) / median(x.bind.map((b) => b.cpu)), (v) => `${v.toFixed(0)} /s`],
      ['pods scheduled per CPU second', (x) => (POD_COUNT * 1000) / median(x.sched.map((b) => b.cpu)), (v) => `${v.toFixed(0)} /s`],
    );
  }
  console.log(`\n## Apiserver hot paths (median of ${rounds} interleaved rounds per tree)\n`);
  console.log(`| measure | ${trees.map((t) => t.label).join(' | ')} |${trees.length === 2 ? ' this / baseline |' : ''}`);
  console.log(`|---|${trees.map(() => '---').join('|')}|${trees.length === 2 ? '---|' : ''}`);
  for (const [name, pick, fmt] of rows) {
    const values = trees.map((t) => pick(results.get(t.label)!));
    console.log(`| ${name} | ${values.map(fmt).join(' | ')} |${trees.length === 2 ? ` ${ratio(values[1], values[0])} |` : ''}`);
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
