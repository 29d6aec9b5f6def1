// Store benchmarks: writes, a list of 1,000 realistic pods and count(), on both implementations side by side
// (the memory store is the floor the persistent store is compared with).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { KubeObject } from '../../shared/api/meta';
import { MemoryStore } from '../../main/store/memory-store';
import { openNedbStore } from '../../main/store/nedb-store';
import type { Store } from '../../main/store/store';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** A pod about the size of a real one (~2.5 KB of JSON). */
function pod(i: number): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `web-7c9d8f-${i}`,
      namespace: 'default',
      uid: `0b1c2d3e-0000-4000-8000-${String(i).padStart(12, '0')}`,
      labels: { app: 'web', 'pod-template-hash': '7c9d8f', 'app.kubernetes.io/name': 'web' },
      annotations: { 'kubectl.kubernetes.io/restartedAt': '2026-01-01T00:00:00Z' },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-7c9d8f', uid: 'rs-uid', controller: true, blockOwnerDeletion: true }],
      creationTimestamp: '2026-01-01T00:00:00Z',
    },
    spec: {
      nodeName: `node-${i % 3}`,
      containers: [
        {
          name: 'web',
          image: 'nginx:1.27',
          ports: [{ containerPort: 80, protocol: 'TCP' }],
          env: Array.from({ length: 8 }, (_, e) => ({ name: `ENV_${e}`, value: `value-${e}-${'x'.repeat(40)}` })),
          resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '500m', memory: '128Mi' } },
          readinessProbe: { httpGet: { path: '/healthz', port: 80 }, periodSeconds: 5 },
        },
      ],
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
    },
    status: {
      phase: 'Running',
      podIP: `10.244.0.${i % 250}`,
      conditions: ['PodScheduled', 'Initialized', 'ContainersReady', 'Ready'].map((type) => ({ type, status: 'True', lastTransitionTime: '2026-01-01T00:00:00Z' })),
      containerStatuses: [{ name: 'web', ready: true, restartCount: 0, image: 'nginx:1.27', imageID: 'docker://sha256:abc', state: { running: { startedAt: '2026-01-01T00:00:00Z' } } }],
    },
  };
}

import { ms, percentile, printTable, type Row } from './stats';

interface StoreTimes {
  writeP50: number;
  writeP99: number;
  list: number;
  count: number;
}

async function measure(store: Store): Promise<StoreTimes> {
  const writes: number[] = [];
  for (let i = 0; i < 1000; i++) {
    const t = performance.now();
    await store.create(`/core/pods/default/web-7c9d8f-${i}`, pod(i));
    writes.push(performance.now() - t);
  }
  for (let i = 0; i < 300; i++) {
    const t = performance.now();
    await store.update(`/core/pods/default/web-7c9d8f-${i}`, { ...pod(i), status: { phase: 'Running', round: i } });
    writes.push(performance.now() - t);
  }
  for (let i = 0; i < 200; i++) await store.create(`/core/nodes/node-${i}`, { metadata: { name: `node-${i}` } });
  const lists: number[] = [];
  for (let round = 0; round < 5; round++) {
    const t = performance.now();
    const { items } = await store.list('/core/pods/');
    lists.push(performance.now() - t);
    if (items.length !== 1000) throw new Error(`list returned ${items.length} pods`);
  }
  const counts: number[] = [];
  for (let round = 0; round < 5; round++) {
    const t = performance.now();
    if ((await store.count('/core/pods/default/')) !== 1000) throw new Error('count is wrong');
    counts.push(performance.now() - t);
  }
  return { writeP50: percentile(writes, 50), writeP99: percentile(writes, 99), list: Math.min(...lists), count: Math.min(...counts) };
}

export async function benchStore(): Promise<void> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bosun-store-bench-'));
  try {
    const memory = new MemoryStore({ logger: quiet });
    const m = await measure(memory);
    await memory.close();
    const nedb = await openNedbStore({ dataDir: path.join(root, 'nedb'), compactionIntervalMs: 0, logger: quiet });
    const n = await measure(nedb);
    await nedb.close();
    const rows: Row[] = [
      { name: 'MemoryStore write p50 / p99 (1,300 writes)', value: `${ms(m.writeP50)} / ${ms(m.writeP99)}` },
      { name: 'NedbStore write p50 / p99 (1,300 writes, acknowledged after append)', value: `${ms(n.writeP50)} / ${ms(n.writeP99)} (${(n.writeP50 / m.writeP50).toFixed(1)}× memory)`, goal: 'p99 ≤ 10 ms', ok: n.writeP99 <= 10 },
      { name: 'NedbStore list of 1,000 pods (best of 5)', value: `${ms(n.list)} (memory: ${ms(m.list)})`, goal: '≤ 50 ms', ok: n.list <= 50 },
      { name: 'NedbStore count of 1,000 keys', value: `${ms(n.count)}` },
    ];
    printTable('Store', rows);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}
