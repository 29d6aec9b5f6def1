// recordUpdate (managedFields of an Update) on two source trees in one process, interleaved:
//   node --import tsx tests/bench/managed-fields.ts <baseline root> [<other root, default this tree>]
// CPU time per call for a label update and a status update of a typical pod (clone included, as both pay it).
import { resolve } from 'node:path';

async function main() {
  const trees = [resolve(process.argv[2]), resolve(process.argv[3] ?? resolve(__dirname, '../..'))];
  const mods = await Promise.all(trees.map((t) => import(resolve(t, 'main/apiserver/patch/managed-fields.ts'))));
  const pod: any = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-1', namespace: 'bench', uid: 'u', resourceVersion: '5', creationTimestamp: '2026-01-01T00:00:00Z', labels: { app: 'web', shard: '1' }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'rs', controller: true }] },
    spec: { containers: [{ name: 'web', image: 'nginx:1.27', ports: [{ containerPort: 80, protocol: 'TCP' }], env: Array.from({ length: 6 }, (_, e) => ({ name: `ENV_${e}`, value: `v${e}` })), resources: { requests: { cpu: '100m', memory: '64Mi' } }, readinessProbe: { httpGet: { path: '/healthz', port: 80 }, periodSeconds: 5 } }], tolerations: [{ key: 'a', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }], restartPolicy: 'Always', dnsPolicy: 'ClusterFirst' },
    status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'True' }] } };
  mods[0].recordUpdate(pod, undefined, 'Pod', { manager: 'creator', apiVersion: 'v1', now: 'T' });
  const who = { manager: 'bench', apiVersion: 'v1', now: 'T2' };
  const statusWho = { manager: 'kubelet', apiVersion: 'v1', now: 'T3', subresource: 'status' };
  const results: Record<string, number[]> = {};
  for (let round = 0; round < 6; round++) {
    for (let m = 0; m < 2; m++) {
      const i = round % 2 ? 1 - m : m;
      const rec = mods[i].recordUpdate;
      const c0 = process.cpuUsage();
      for (let n = 0; n < 5000; n++) {
        const next = JSON.parse(JSON.stringify(pod)); next.metadata.labels.updated = 'yes';
        rec(next, pod, 'Pod', who);
        const st = JSON.parse(JSON.stringify(pod)); st.status.phase = 'Running'; st.status.podIP = '10.0.0.1';
        rec(st, pod, 'Pod', statusWho);
      }
      const c = process.cpuUsage(c0);
      (results[trees[i]] ??= []).push((c.user + c.system) / 1000 / 10000);
    }
  }
  for (const [t, v] of Object.entries(results)) console.log(t, 'CPU ms per recordUpdate (median of 6):', v.sort((a, b) => a - b)[3].toFixed(4));
}
void main();
