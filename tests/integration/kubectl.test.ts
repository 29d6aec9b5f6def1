// Real kubectl (1.32 at /usr/bin/kubectl) against a real `bosun serve`: what a learner types must work.
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { kubectl, kubectlOk } from '../support/serve';
import { useServe } from '../support/use-serve';

const DEPLOYMENT = (image: string) => `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: lab
  labels: {app: web}
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: httpd
        image: ${image}
        ports:
        - containerPort: 80
`;

const POD = `
apiVersion: v1
kind: Pod
metadata:
  name: solo
  namespace: lab
spec:
  containers:
  - name: main
    image: busybox:1.36
    command: ["sleep", "3600"]
`;

const lab = useServe();

describe('kubectl against bosun serve', () => {
  it('lists api-resources like a real cluster', async () => {
    const out = await kubectlOk(lab(), ['api-resources']);
    const rows = out.split('\n').map((l) => l.trim().split(/\s+/));
    const find = (name: string) => rows.find((r) => r[0] === name);
    expect(find('pods')).toEqual(['pods', 'po', 'v1', 'true', 'Pod']);
    expect(find('deployments')).toEqual(['deployments', 'deploy', 'apps/v1', 'true', 'Deployment']);
    expect(find('namespaces')).toEqual(['namespaces', 'ns', 'v1', 'false', 'Namespace']);
    expect(find('leases')?.slice(-3)).toEqual(['coordination.k8s.io/v1', 'true', 'Lease']);
    for (const r of ['configmaps', 'secrets', 'services', 'endpoints', 'events', 'nodes', 'serviceaccounts', 'resourcequotas',
      'limitranges', 'persistentvolumes', 'persistentvolumeclaims', 'replicasets', 'statefulsets', 'daemonsets', 'jobs',
      'cronjobs', 'horizontalpodautoscalers', 'poddisruptionbudgets']) {
      expect(find(r), r).toBeDefined();
    }
  });

  it('shows the system namespaces and creates one', async () => {
    const ns = await kubectlOk(lab(), ['get', 'namespaces', '-o', 'name']);
    expect(ns.split('\n')).toEqual(expect.arrayContaining(['namespace/default', 'namespace/kube-system', 'namespace/kube-public', 'namespace/kube-node-lease']));
    expect(await kubectlOk(lab(), ['create', 'namespace', 'lab'])).toBe('namespace/lab created\n');
    const again = await kubectl(lab(), ['create', 'namespace', 'lab']);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain('Error from server (AlreadyExists): namespaces "lab" already exists');
  });

  it('creates a configmap from literals', async () => {
    expect(await kubectlOk(lab(), ['-n', 'lab', 'create', 'configmap', 'app-config', '--from-literal=mode=dev', '--from-literal=level=3']))
      .toBe('configmap/app-config created\n');
    const cm = JSON.parse(await kubectlOk(lab(), ['-n', 'lab', 'get', 'configmap', 'app-config', '-o', 'json']));
    expect(cm.data).toEqual({ mode: 'dev', level: '3' });
  });

  it('applies: created, configured, unchanged', async () => {
    expect(await kubectlOk(lab(), ['apply', '-f', '-'], DEPLOYMENT('busybox:1.36'))).toBe('deployment.apps/web created\n');
    expect(await kubectlOk(lab(), ['apply', '-f', '-'], DEPLOYMENT('busybox:1.37'))).toBe('deployment.apps/web configured\n');
    expect(await kubectlOk(lab(), ['apply', '-f', '-'], DEPLOYMENT('busybox:1.37'))).toBe('deployment.apps/web unchanged\n');
  });

  it('gets -o yaml with Kubernetes defaults and metadata', async () => {
    const d = parse(await kubectlOk(lab(), ['-n', 'lab', 'get', 'deployment', 'web', '-o', 'yaml']));
    expect(d.apiVersion).toBe('apps/v1');
    expect(d.kind).toBe('Deployment');
    expect(d.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(Number(d.metadata.resourceVersion)).toBeGreaterThan(0);
    expect(d.metadata.generation).toBe(2);
    expect(Date.parse(d.metadata.creationTimestamp)).not.toBeNaN();
    expect(d.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']).toContain('busybox:1.37');
    expect(d.spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } });
    expect(d.spec.revisionHistoryLimit).toBe(10);
    expect(d.spec.progressDeadlineSeconds).toBe(600);
    const c = d.spec.template.spec.containers[0];
    expect(c.image).toBe('busybox:1.37');
    expect(c.imagePullPolicy).toBe('IfNotPresent');
    expect(c.terminationMessagePath).toBe('/dev/termination-log');
    expect(c.ports[0].protocol).toBe('TCP');
    expect(d.spec.template.spec.restartPolicy).toBe('Always');
    expect(d.spec.template.spec.terminationGracePeriodSeconds).toBe(30);
  });

  it('lists the lab nodes as Ready', async () => {
    const out = await kubectlOk(lab(), ['get', 'nodes']);
    const [header, ...rows] = out.trim().split('\n');
    expect(header.split(/\s{2,}/)).toEqual(['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION']);
    expect(rows.map((r) => r.split(/\s+/).slice(0, 2))).toEqual([['node-1', 'Ready'], ['node-2', 'Ready'], ['node-3', 'Ready']]);
  });

  it('gets pods -o wide with kubectl columns', async () => {
    await kubectlOk(lab(), ['apply', '-f', '-'], POD);
    await kubectlOk(lab(), ['-n', 'lab', 'wait', '--for=condition=Ready', 'pod/solo', '--timeout=30s']);
    const out = await kubectlOk(lab(), ['-n', 'lab', 'get', 'pods', '-o', 'wide']);
    const [header, row] = out.trim().split('\n');
    expect(header.split(/\s{2,}/)).toEqual(['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', 'IP', 'NODE', 'NOMINATED NODE', 'READINESS GATES']);
    // Per-node pod ranges: node-N hands out 10.244.N.x, so the IP tells the node.
    const m = /^solo\s+1\/1\s+Running\s+0\s+\S+\s+10\.244\.(\d+)\.\d+\s+node-(\d+)\s+<none>\s+<none>$/.exec(row);
    expect(m, row).not.toBeNull();
    expect(m![1]).toBe(m![2]);
    const pod = JSON.parse(await kubectlOk(lab(), ['-n', 'lab', 'get', 'pod', 'solo', '-o', 'json']));
    expect(pod.spec.containers[0].imagePullPolicy).toBe('IfNotPresent');
    expect(pod.spec.dnsPolicy).toBe('ClusterFirst');
    expect(pod.spec.schedulerName).toBe('default-scheduler');
    // Added by the DefaultTolerationSeconds admission plugin, as in Kubernetes: 300 s divided by the lab's
    // default time scale (20), the value the taint eviction controller really applies (docs/NODES.md).
    expect(pod.spec.tolerations).toEqual([
      { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 15 },
      { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 15 },
    ]);
  });

  it('labels, annotates and selects', async () => {
    expect(await kubectlOk(lab(), ['-n', 'lab', 'label', 'configmap', 'app-config', 'tier=backend'])).toBe('configmap/app-config labeled\n');
    expect(await kubectlOk(lab(), ['-n', 'lab', 'annotate', 'configmap', 'app-config', 'owner=team-a'])).toBe('configmap/app-config annotated\n');
    expect(await kubectlOk(lab(), ['-n', 'lab', 'get', 'configmaps', '-l', 'tier=backend', '-o', 'name'])).toBe('configmap/app-config\n');
    expect(await kubectlOk(lab(), ['-n', 'lab', 'get', 'configmaps', '-l', 'tier in (frontend)', '-o', 'name'])).toBe('');
    const cm = JSON.parse(await kubectlOk(lab(), ['-n', 'lab', 'get', 'configmap', 'app-config', '-o', 'json']));
    expect(cm.metadata.labels).toEqual({ tier: 'backend' });
    expect(cm.metadata.annotations).toEqual({ owner: 'team-a' });
    const bad = await kubectl(lab(), ['-n', 'lab', 'label', 'configmap', 'app-config', 'bad key=x']);
    expect(bad.code).not.toBe(0);
  });

  it('scales through the scale subresource', async () => {
    expect(await kubectlOk(lab(), ['-n', 'lab', 'scale', 'deployment', 'web', '--replicas=3'])).toBe('deployment.apps/web scaled\n');
    expect(await kubectlOk(lab(), ['-n', 'lab', 'get', 'deployment', 'web', '-o', 'jsonpath={.spec.replicas}'])).toBe('3');
  });

  it('describes objects with their events', async () => {
    const event = `
apiVersion: v1
kind: Event
metadata: {name: solo.test1, namespace: lab}
involvedObject: {kind: Pod, namespace: lab, name: solo, apiVersion: v1}
reason: DrillStarted
message: the instructor started a drill
type: Normal
source: {component: bosun-test}
count: 1
`;
    await kubectlOk(lab(), ['create', '-f', '-'], event);
    const uid = await kubectlOk(lab(), ['-n', 'lab', 'get', 'pod', 'solo', '-o', 'jsonpath={.metadata.uid}']);
    await kubectlOk(lab(), ['-n', 'lab', 'patch', 'event', 'solo.test1', '--type=merge', '-p', JSON.stringify({ involvedObject: { uid } })]);
    const describe = await kubectlOk(lab(), ['-n', 'lab', 'describe', 'pod', 'solo']);
    expect(describe).toMatch(/^Name:\s+solo$/m);
    expect(describe).toMatch(/^Namespace:\s+lab$/m);
    expect(describe).toMatch(/Events:[\s\S]*DrillStarted[\s\S]*the instructor started a drill/);
    const deploy = await kubectlOk(lab(), ['-n', 'lab', 'describe', 'deployment', 'web']);
    expect(deploy).toMatch(/^StrategyType:\s+RollingUpdate$/m);
    expect(deploy).toMatch(/^Replicas:\s+3 desired/m);
    const events = await kubectlOk(lab(), ['-n', 'lab', 'get', 'events']);
    expect(events.split('\n')[0].split(/\s{2,}/)).toEqual(['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE']);
    expect(events).toMatch(/Normal\s+DrillStarted\s+pod\/solo\s+the instructor started a drill/);
  });

  it('reports invalid objects with field causes', async () => {
    const bad = DEPLOYMENT('busybox:1').replace('name: web\n  namespace', 'name: Bad_Name\n  namespace').replace('containerPort: 80', 'containerPort: 70000');
    const r = await kubectl(lab(), ['apply', '-f', '-'], bad);
    expect(r.code).not.toBe(0);
    // kubectl rebuilds the message from the Status causes, one line per field, as against a real cluster.
    expect(r.stderr).toContain('The Deployment "Bad_Name" is invalid: \n');
    expect(r.stderr).toContain('* metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain');
    expect(r.stderr).toContain('* spec.template.spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive');
  });

  it('deletes', async () => {
    expect(await kubectlOk(lab(), ['-n', 'lab', 'delete', 'configmap', 'app-config'])).toBe('configmap "app-config" deleted\n');
    const r = await kubectl(lab(), ['-n', 'lab', 'get', 'configmap', 'app-config']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('Error from server (NotFound): configmaps "app-config" not found');
    expect(await kubectlOk(lab(), ['-n', 'lab', 'delete', 'deployment', 'web'])).toBe('deployment.apps "web" deleted\n');
  });

  it('deletes a namespace with everything in it (kubectl waits for it to go)', async () => {
    await kubectlOk(lab(), ['-n', 'lab', 'create', 'configmap', 'leftover', '--from-literal=a=b']);
    expect(await kubectlOk(lab(), ['delete', 'namespace', 'lab', '--timeout=60s'])).toBe('namespace "lab" deleted\n');
    const r = await kubectl(lab(), ['get', 'namespace', 'lab']);
    expect(r.stderr).toContain('Error from server (NotFound): namespaces "lab" not found');
    expect(await kubectlOk(lab(), ['get', 'configmaps', '--all-namespaces', '--field-selector', 'metadata.namespace=lab', '-o', 'name'])).toBe('');
  });
});
