// The open-loop API load the control-plane benchmarks share (api.ts, api-tail.ts, api-tail-inprocess.ts):
// the pod they write, requests sent on schedule, one timed HTTP call, and a process's RSS.
import { readFileSync } from 'node:fs';
import { request, type Agent } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { KubeObject } from '../../shared/api/meta';
import type { ServeHandle } from '../support/serve';

/**
 * The benchmark pod. It is addressed to a scheduler that does not exist, so no component reacts: this
 * measures the API path alone (the control plane's reaction is measured by the pods and deployments benches).
 */
export function benchPod(i: number): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `bench-${i}`, labels: { app: 'bench', shard: String(i % 10) } },
    spec: {
      schedulerName: 'bench-no-scheduler',
      containers: [{ name: 'main', image: 'busybox:1.36', command: ['sleep', '3600'], resources: { requests: { cpu: '10m', memory: '16Mi' } } }],
    },
  };
}

/** Open-loop load: requests leave on schedule whatever the latency of earlier ones (no coordinated omission). */
export async function atRate<T>(ratePerSec: number, count: number, fn: (i: number) => Promise<T>): Promise<T[]> {
  const start = performance.now();
  const pending: Promise<T>[] = [];
  for (let i = 0; i < count; i++) {
    const wait = start + (i * 1000) / ratePerSec - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    pending.push(fn(i));
  }
  return Promise.all(pending);
}

export interface TimedResponse {
  status: number;
  body: string;
  /** Epoch milliseconds (comparable with another process's clock readings). */
  start: number;
  end: number;
  ms: number;
}

const epoch = (): number => performance.timeOrigin + performance.now();

/** One request to `bosun serve` with its bearer token, timed from send to the last byte. */
export function call(serve: ServeHandle, agent: Agent, method: string, path: string, body?: unknown): Promise<TimedResponse> {
  const start = epoch();
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: serve.port, method, path, agent, headers: { authorization: `Bearer ${serve.token}`, 'content-type': 'application/json' } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const end = epoch();
          resolve({ status: res.statusCode!, body: Buffer.concat(chunks).toString(), start, end, ms: end - start });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

export function rssMb(pid: number): number {
  const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);
  return kb / 1024;
}
