// The budgets of the brief: a list of 1,000 pods well under 50 ms, create/update p99 in low single-digit
// milliseconds, count() without materialising objects. Timings are the best of a few rounds because
// this machine is shared; the printed numbers are the real signal.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../shared/api/meta';
import { MemoryStore } from '../../../main/store/memory-store';
import { openNedbStore } from '../../../main/store/nedb-store';
import type { Store } from '../../../main/store/store';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bosun-store-perf-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
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

const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))];

async function measure(name: string, store: Store): Promise<void> {
  const writes: number[] = [];
  for (let i = 0; i < 1000; i++) {
    const t = performance.now();
    await store.create(`/core/pods/default/web-7c9d8f-${i}`, pod(i));
    writes.push(performance.now() - t);
  }
  for (let i = 0; i < 300; i++) {
    const key = `/core/pods/default/web-7c9d8f-${i}`;
    const t = performance.now();
    await store.update(key, { ...pod(i), status: { phase: 'Running', round: i } });
    writes.push(performance.now() - t);
  }
  for (let i = 0; i < 200; i++) await store.create(`/core/nodes/node-${i}`, { metadata: { name: `node-${i}` } });

  const lists: number[] = [];
  for (let round = 0; round < 5; round++) {
    const t = performance.now();
    const { items } = await store.list('/core/pods/');
    lists.push(performance.now() - t);
    expect(items).toHaveLength(1000);
  }
  const counts: number[] = [];
  for (let round = 0; round < 5; round++) {
    const t = performance.now();
    expect(await store.count('/core/pods/default/')).toBe(1000);
    counts.push(performance.now() - t);
  }
  const p99 = percentile(writes, 0.99);
  const bestList = Math.min(...lists);
  console.info(
    `${name}: write p50 ${percentile(writes, 0.5).toFixed(2)} ms, p99 ${p99.toFixed(2)} ms; list of 1,000 pods best ${bestList.toFixed(1)} ms; count ${Math.min(...counts).toFixed(3)} ms`,
  );
  expect(bestList).toBeLessThan(50);
  expect(p99).toBeLessThan(10);
  expect(Math.min(...counts)).toBeLessThan(1);
}

describe('Store performance budgets', () => {
  it('MemoryStore', async () => {
    const store = new MemoryStore({ logger: quiet });
    await measure('MemoryStore', store);
    await store.close();
  });

  it('NedbStore', async () => {
    const store = await openNedbStore({ dataDir: path.join(root, 'nedb'), compactionIntervalMs: 0, logger: quiet });
    await measure('NedbStore', store);
    await store.close();
  });
});
