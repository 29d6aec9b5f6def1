// kubectl 1.32 sends typed creates as protobuf; kubectl 1.31 sends the same commands as JSON. Against a real
// `bosun serve`, both must leave identical objects behind: the strongest proof that decoding loses nothing.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KUBECTL, type ServeHandle, startServe } from '../support/serve';

const KUBECTL_131 = '/usr/lib/google-cloud-sdk/bin/kubectl.1.31';

function run(serve: ServeHandle, binary: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const full = ['--kubeconfig', serve.kubeconfig, '--cache-dir', join(serve.dataDir, `cache-${binary.replace(/\W/g, '')}`), ...args];
  return new Promise((res) => {
    execFile(binary, full, { timeout: 30_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      res({ code: err ? Number((err as { code?: unknown }).code) || 1 : 0, stdout, stderr });
    });
  });
}

async function ok(serve: ServeHandle, binary: string, args: string[]): Promise<string> {
  const r = await run(serve, binary, args);
  if (r.code !== 0) throw new Error(`${binary} ${args.join(' ')} failed (${r.code}): ${r.stderr}${r.stdout}`);
  return r.stdout;
}

const UID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

/** What may differ between two creations of the same object: identity, time, allocated addresses, status. */
function normalize(json: string, names: Record<string, string>): Record<string, any> {
  let text = json.replace(UID, '<uid>');
  for (const [from, to] of Object.entries(names)) text = text.split(from).join(to);
  const obj = JSON.parse(text);
  const meta = obj.metadata;
  for (const k of ['uid', 'resourceVersion', 'creationTimestamp', 'namespace']) delete meta[k];
  for (const entry of meta.managedFields ?? []) delete entry.time;
  delete obj.status;
  if (obj.kind === 'Service') {
    delete obj.spec.clusterIP;
    delete obj.spec.clusterIPs;
    for (const port of obj.spec.ports ?? []) delete port.nodePort;
  }
  return obj;
}

interface Case {
  title: string;
  /** Arguments after `-n <namespace>`; the namespace decides which kubectl made the object. */
  create: string[];
  get: string[];
}

const CASES: Case[] = [
  { title: 'create configmap --from-literal --from-file', create: ['create', 'configmap', 'cm', '--from-literal=a=b', '--from-literal=empty=', '--from-file=settings.txt=FILE'], get: ['configmap', 'cm'] },
  { title: 'create secret generic --from-literal', create: ['create', 'secret', 'generic', 'creds', '--from-literal=user=admin', '--from-literal=pw=p@ss w0rd!'], get: ['secret', 'creds'] },
  { title: 'create serviceaccount', create: ['create', 'serviceaccount', 'robot'], get: ['serviceaccount', 'robot'] },
  { title: 'create deployment --image --replicas --port -- command', create: ['create', 'deployment', 'web', '--image=busybox:1.36', '--replicas=2', '--port=80', '--', 'sleep', '3600'], get: ['deployment', 'web'] },
  { title: 'create service nodeport --tcp', create: ['create', 'service', 'nodeport', 'web', '--tcp=80:8080'], get: ['service', 'web'] },
  { title: 'create service clusterip --clusterip=None', create: ['create', 'service', 'clusterip', 'headless', '--tcp=5678:8080', '--clusterip=None'], get: ['service', 'headless'] },
  { title: 'create service externalname', create: ['create', 'service', 'externalname', 'db', '--external-name=db.example.com'], get: ['service', 'db'] },
  { title: 'create job --image -- command', create: ['create', 'job', 'once', '--image=busybox:1.36', '--', 'echo', 'hi'], get: ['job', 'once'] },
  { title: 'create cronjob --schedule', create: ['create', 'cronjob', 'tick', '--image=busybox:1.36', '--schedule=*/1 * * * *', '--', 'echo', 'tick'], get: ['cronjob', 'tick'] },
  { title: 'create job --from=cronjob (a full JobSpec and PodTemplateSpec)', create: ['create', 'job', 'manual', '--from=cronjob/tick'], get: ['job', 'manual'] },
  { title: 'create quota --hard', create: ['create', 'quota', 'limits', '--hard=cpu=1,memory=1G,pods=2,requests.cpu=500m'], get: ['resourcequota', 'limits'] },
  { title: 'create pdb --selector --min-available', create: ['create', 'pdb', 'web', '--selector=app=web', '--min-available=1'], get: ['pdb', 'web'] },
  { title: 'create pdb --max-unavailable=50%', create: ['create', 'pdb', 'half', '--selector=app=web', '--max-unavailable=50%'], get: ['pdb', 'half'] },
];

describe.skipIf(!existsSync(KUBECTL_131))('kubectl 1.32 protobuf creates equal kubectl 1.31 JSON creates', () => {
  let serve: ServeHandle;
  const file = (): string => join(serve.dataDir, 'settings.txt');

  beforeAll(async () => {
    serve = await startServe();
    const { writeFileSync } = await import('node:fs');
    writeFileSync(file(), 'mode=lab\nlevel=3\n');
    // create namespace is itself a protobuf create (1.32) and a JSON one (1.31).
    await ok(serve, KUBECTL, ['create', 'namespace', 'via-protobuf']);
    await ok(serve, KUBECTL_131, ['create', 'namespace', 'via-json']);
  });
  afterAll(async () => {
    await serve?.stop();
    serve?.cleanup();
  });

  it('kubectl 1.32 really sends protobuf', async () => {
    const r = await run(serve, KUBECTL, ['create', 'namespace', 'probe-content-type', '-v=8']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/Content-Type: application\/vnd\.kubernetes\.protobuf/);
  });

  it('create namespace', async () => {
    const names = { 'via-protobuf': '<ns>', 'via-json': '<ns>' };
    const pb = normalize(await ok(serve, KUBECTL, ['get', 'namespace', 'via-protobuf', '-o', 'json']), names);
    const js = normalize(await ok(serve, KUBECTL, ['get', 'namespace', 'via-json', '-o', 'json']), names);
    expect(pb).toEqual(js);
    expect(pb.metadata.labels).toEqual({ 'kubernetes.io/metadata.name': '<ns>' });
  });

  it.each(CASES)('$title', async ({ create, get }) => {
    const args = create.map((a) => a.replace('FILE', file()));
    await ok(serve, KUBECTL, ['-n', 'via-protobuf', ...args]);
    await ok(serve, KUBECTL_131, ['-n', 'via-json', ...args]);
    const names = { 'via-protobuf': '<ns>', 'via-json': '<ns>' };
    const pb = normalize(await ok(serve, KUBECTL, ['-n', 'via-protobuf', 'get', ...get, '-o', 'json']), names);
    const js = normalize(await ok(serve, KUBECTL, ['-n', 'via-json', 'get', ...get, '-o', 'json']), names);
    expect(pb).toEqual(js);
  });

  it('secret data and configmap files round-trip byte for byte', async () => {
    const secret = JSON.parse(await ok(serve, KUBECTL, ['-n', 'via-protobuf', 'get', 'secret', 'creds', '-o', 'json']));
    expect(Buffer.from(secret.data.pw, 'base64').toString('utf8')).toBe('p@ss w0rd!');
    const cm = JSON.parse(await ok(serve, KUBECTL, ['-n', 'via-protobuf', 'get', 'configmap', 'cm', '-o', 'json']));
    expect(cm.data).toEqual({ a: 'b', empty: '', 'settings.txt': 'mode=lab\nlevel=3\n' });
    const deploy = JSON.parse(await ok(serve, KUBECTL, ['-n', 'via-protobuf', 'get', 'deployment', 'web', '-o', 'json']));
    expect(deploy.spec.replicas).toBe(2);
    expect(deploy.spec.template.spec.containers[0]).toMatchObject({ image: 'busybox:1.36', command: ['sleep', '3600'], ports: [{ containerPort: 80, protocol: 'TCP' }] });
  });
});
