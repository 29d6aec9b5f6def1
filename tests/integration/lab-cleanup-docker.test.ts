// A lab stopped with its pods still running (stopping keeps them for the next start to adopt) must leave
// nothing behind once it is cleaned up — above all not its pod network: a leftover network keeps its /16
// and every later lab on the engine is pushed off 10.244. The engine may still be removing containers
// at that moment (a stopped lab's last requests, a killed `docker rm`), so both cleanups are run while
// a background `docker rm` is still at work, and must remove the network only once the containers are gone.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Pod } from '../../shared/api/pod';
import { KubeClient } from '../../main/client/client';
import { DEPLOYMENTS } from '../../main/client/gvr';
import { podNetworkName } from '../../main/kubelet/lab-nodes';
import { startLab, type Lab } from '../../main/lab';
import { createRuntime } from '../../main/runtime';
import { removeLabDockerObjects } from '../support/serve';
import { until } from '../support/until';

const PAUSE = 'bosun-test/pause:1.0';
const BUSYBOX = 'bosun-test/busybox:1.0';
const PODS = 10;

const docker = (args: string[]): string[] => execFileSync('docker', args, { encoding: 'utf8' }).split('\n').filter(Boolean);

/** Every Docker object of the lab, as "kind name" (managed and carrying the lab's id). */
function labObjects(labId: string): string[] {
  const filters = ['--filter', 'label=bosun.managed=true', '--filter', `label=bosun.lab=${labId}`];
  return [
    ...docker(['ps', '-a', ...filters, '--format', 'container {{.Names}}']),
    ...docker(['network', 'ls', ...filters, '--format', 'network {{.Name}}']),
    ...docker(['volume', 'ls', ...filters, '--format', 'volume {{.Name}}']),
  ];
}

const attachedTo = (network: string): number => Number(docker(['network', 'inspect', '--format', '{{len .Containers}}', network])[0]);

/** `docker rm` of the lab's containers in the background: app containers, then the pause containers one by one. */
function removeInBackground(labId: string): { done: Promise<void>; child: ChildProcess } {
  const script = [
    `docker ps -aq --filter label=bosun.lab=${labId} --filter label=bosun.role=app | xargs -r docker rm -f >/dev/null 2>&1`,
    `for id in $(docker ps -aq --filter label=bosun.lab=${labId} --filter label=bosun.role=sandbox); do docker rm -f "$id" >/dev/null 2>&1; done`,
  ].join('; ');
  const child = spawn('sh', ['-c', script], { stdio: 'ignore' });
  return { child, done: new Promise((resolve) => child.once('exit', () => resolve())) };
}

const labs: Array<{ lab: Lab; dataDir: string }> = [];

/** A 2-node Docker lab running a 10-replica Deployment, stopped with every pod still running. */
async function stoppedLabWithPods(name: string): Promise<Lab> {
  const dataDir = mkdtempSync(join(tmpdir(), `bosun-${name}-`));
  const lab = await startLab({ dataDir, port: 0, nodes: 2, runtime: 'docker', pauseImage: PAUSE, store: 'memory' });
  labs.push({ lab, dataDir });
  const client = new KubeClient(lab.handler, 'system:admin');
  await client.resource(DEPLOYMENTS).create('default', {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'sleepers' },
    spec: {
      replicas: PODS,
      selector: { matchLabels: { app: 'sleepers' } },
      template: {
        metadata: { labels: { app: 'sleepers' } },
        spec: { terminationGracePeriodSeconds: 0, containers: [{ name: 'sleep', image: BUSYBOX, imagePullPolicy: 'Never', command: ['sleep', '3600'] }] },
      },
    },
  });
  const running = (p: Pod): boolean => p.status?.phase === 'Running';
  await until(`${PODS} running pods`, async () => (await client.pods<Pod>().list('default', { labelSelector: 'app=sleepers' })).items.filter(running).length === PODS, 120_000);
  await lab.stop();
  return lab;
}

afterAll(() => {
  for (const { lab, dataDir } of labs) {
    removeLabDockerObjects(lab.labId);
    rmSync(dataDir, { recursive: true, force: true });
  }
});

describe('cleaning up a Docker lab stopped with pods running', () => {
  it('DockerRuntime.removeNetwork waits while the engine is still removing the containers attached', async () => {
    const lab = await stoppedLabWithPods('cleanup-runtime');
    const network = podNetworkName(lab.labId);
    // Stopping kept the pods: 10 pause containers hold endpoints on the pod network.
    expect(attachedTo(network)).toBe(PODS);
    const runtime = createRuntime('docker');
    const removal = removeInBackground(lab.labId);
    try {
      expect(attachedTo(network)).toBeGreaterThan(0);
      // Before: the engine's immediate 403 "has active endpoints" (swallowed by every cleanup) left the network.
      await runtime.removeNetwork(network);
      expect(docker(['network', 'ls', '--filter', `name=^${network}$`, '--format', '{{.Name}}'])).toEqual([]);
    } finally {
      await removal.done;
      await runtime.close();
    }
    removeLabDockerObjects(lab.labId);
    expect(labObjects(lab.labId)).toEqual([]);
  }, 240_000);

  it('removeLabDockerObjects leaves no container, network or volume of the lab, even while a removal is under way', async () => {
    const lab = await stoppedLabWithPods('cleanup-support');
    expect(labObjects(lab.labId)).toContain(`network ${podNetworkName(lab.labId)}`);
    expect(labObjects(lab.labId).filter((o) => o.startsWith('container ')).length).toBe(2 * PODS);
    const removal = removeInBackground(lab.labId);
    try {
      removeLabDockerObjects(lab.labId);
    } finally {
      await removal.done;
    }
    expect(labObjects(lab.labId)).toEqual([]);
  }, 240_000);
});
