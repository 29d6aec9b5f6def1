// The HorizontalPodAutoscaler on real containers: a CPU-burning busybox Deployment (CPU measured from
// Docker stats through metrics.k8s.io) is scaled up by `kubectl autoscale`, and back down once the burn
// stops. The lab's time scale shortens the HPA's sync period; the HPA's own behavior shortens the
// scale-down window, as a user would.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubectl, kubectlOk, startServe, type ServeHandle } from '../support/serve';
import { until } from '../support/until';

const PAUSE = 'bosun-test/pause:1.0';
const BUSYBOX = 'bosun-test/busybox:1.0';
let serve: ServeHandle;


// Burns CPU while /tmp/burn exists (every new replica starts burning), idles once it is removed.
const MANIFEST = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: burn}
spec:
  replicas: 1
  selector: {matchLabels: {app: burn}}
  template:
    metadata: {labels: {app: burn}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: burn
        image: ${BUSYBOX}
        command: [sh, -c, "touch /tmp/burn; while :; do if [ -f /tmp/burn ]; then :; else sleep 1; fi; done"]
        resources:
          requests: {cpu: 100m}
          limits: {cpu: 200m}
`;

const replicas = async (): Promise<number> => Number(await kubectlOk(serve, ['get', 'deployment', 'burn', '-o', 'jsonpath={.spec.replicas}']));
const podNames = async (): Promise<string[]> => (await kubectlOk(serve, ['get', 'pods', '-l', 'app=burn', '-o', 'jsonpath={.items[*].metadata.name}'])).split(/\s+/).filter(Boolean);

describe('HorizontalPodAutoscaler on the Docker engine', () => {
  beforeAll(async () => {
    serve = await startServe({ runtime: 'docker', args: ['--nodes', '2', '--pause-image', PAUSE], timeoutMs: 60_000 });
    await kubectlOk(serve, ['apply', '-f', '-'], MANIFEST);
    await kubectlOk(serve, ['rollout', 'status', 'deployment/burn', '--timeout=90s']);
  }, 150_000);
  afterAll(async () => {
    if (!serve) return;
    await kubectl(serve, ['delete', 'deployment', 'burn', '--wait=true', '--timeout=60s']);
    await serve.stop();
    serve.cleanup();
  }, 120_000);

  it('scales a CPU-burning Deployment up, then back down when the burn stops', async () => {
    // kubectl top reads Docker's measurement of the burn (limited to 200m by the CPU quota).
    const top = await until('kubectl top to show the burn', async () => {
      const out = await kubectlOk(serve, ['top', 'pods', '-l', 'app=burn', '--no-headers']);
      // The CPU column, not the first "<digits>m" of the line: a pod name's random suffix can hold one
      // too (burn-…-x7mq2 read as 7m, and the wait ran out on a burning pod).
      const m = /^(\d+)m$/.exec(out.trim().split(/\s+/)[1] ?? '');
      return m && Number(m[1]) >= 100 ? out : undefined;
    }, 120_000);
    expect(top).toMatch(/^burn-\S+\s+\d+m\s+\d+Mi/);

    await kubectlOk(serve, ['autoscale', 'deployment', 'burn', '--cpu-percent=50', '--min=1', '--max=3']);
    await kubectlOk(serve, ['patch', 'hpa', 'burn', '--type=merge', '-p', '{"spec":{"behavior":{"scaleDown":{"stabilizationWindowSeconds":3}}}}']);
    expect(await until('scale-up', async () => ((await replicas()) >= 2 ? replicas() : undefined), 120_000)).toBeGreaterThanOrEqual(2);
    const hpa = JSON.parse(await kubectlOk(serve, ['get', 'hpa', 'burn', '-o', 'json']));
    expect(hpa.status.currentMetrics[0].resource.current.averageUtilization).toBeGreaterThan(50);

    // Stop the burn in every replica (new ones too), then the HPA scales back to the minimum.
    await until('scale-down', async () => {
      for (const pod of await podNames()) await kubectl(serve, ['exec', pod, '--', 'rm', '-f', '/tmp/burn']);
      return (await replicas()) === 1;
    }, 180_000);
    const events = await kubectlOk(serve, ['get', 'events', '--field-selector', 'involvedObject.kind=HorizontalPodAutoscaler', '-o', 'jsonpath={.items[*].message}']);
    expect(events).toMatch(/New size: [23]; reason: cpu resource utilization \(percentage of request\) above target/);
    expect(events).toMatch(/New size: 1; reason: All metrics below target/);
  }, 400_000);
});
