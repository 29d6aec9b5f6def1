// kubectl 1.32 against `bosun serve`: it sees fieldValidation in our OpenAPI and leaves schema checks to the
// server (`--validate=strict` by default, `warn`, `false`). Typos must fail, warn or pass exactly as on a
// real cluster, and a correct manifest using every common pod field must pass without a single warning.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { kubectl, kubectlOk } from '../support/serve';
import { useServe } from '../support/use-serve';
import { FULL_POD } from '../unit/apiserver/field-validation-fixtures';

const serve = useServe();

function manifest(name: string, object: unknown): string {
  const file = join(serve().dataDir, name);
  writeFileSync(file, stringify(object));
  return file;
}

const typoDeployment = (name: string): unknown => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name },
  spec: {
    replica: 3,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27', imagePullPolcy: 'Always' }] } },
  },
});

const STRICT_ERROR = 'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.replica", unknown field "spec.template.spec.containers[0].imagePullPolcy"';
const WARNINGS = 'Warning: unknown field "spec.replica"\nWarning: unknown field "spec.template.spec.containers[0].imagePullPolcy"\n';

async function exists(kind: string, name: string): Promise<boolean> {
  const r = await kubectl(serve(), ['get', kind, name, '-o', 'name']);
  return r.code === 0;
}

describe('kubectl --validate against bosun serve', () => {
  it('apply -f with a typo: the exact strict decoding error, and nothing stored', async () => {
    const file = manifest('typo-strict.yaml', typoDeployment('typo-strict'));
    const r = await kubectl(serve(), ['apply', '-f', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`Error from server (BadRequest): error when creating "${file}": ${STRICT_ERROR}\n`);
    expect(await exists('deployment', 'typo-strict')).toBe(false);
  });

  it('create -f with a typo fails the same way', async () => {
    const file = manifest('typo-create.yaml', typoDeployment('typo-create'));
    const r = await kubectl(serve(), ['create', '-f', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`Error from server (BadRequest): error when creating "${file}": ${STRICT_ERROR}\n`);
    expect(await exists('deployment', 'typo-create')).toBe(false);
  });

  it('--validate=warn stores the object (without the unknown fields) and prints the warnings', async () => {
    const file = manifest('typo-warn.yaml', typoDeployment('typo-warn'));
    const r = await kubectl(serve(), ['apply', '--validate=warn', '-f', file]);
    expect([r.code, r.stdout, r.stderr]).toEqual([0, 'deployment.apps/typo-warn created\n', WARNINGS]);
    const stored = JSON.parse(await kubectlOk(serve(), ['get', 'deployment', 'typo-warn', '-o', 'json']));
    expect(stored.spec.replica).toBeUndefined();
    expect(stored.spec.template.spec.containers[0].imagePullPolcy).toBeUndefined();
  });

  it('--validate=false stores silently; create -f --validate=warn warns too', async () => {
    const quiet = await kubectl(serve(), ['apply', '--validate=false', '-f', manifest('typo-ignore.yaml', typoDeployment('typo-ignore'))]);
    expect([quiet.code, quiet.stdout, quiet.stderr]).toEqual([0, 'deployment.apps/typo-ignore created\n', '']);
    const warn = await kubectl(serve(), ['create', '--validate=warn', '-f', manifest('typo-create-warn.yaml', typoDeployment('typo-create-warn'))]);
    expect([warn.code, warn.stdout, warn.stderr]).toEqual([0, 'deployment.apps/typo-create-warn created\n', WARNINGS]);
  });

  it('apply of a typo onto an existing object fails as the strategic merge patch Kubernetes sends', async () => {
    const name = 'typo-existing';
    const good = typoDeployment(name) as { spec: Record<string, unknown> };
    delete good.spec.replica;
    const template = good.spec.template as { spec: { containers: Record<string, unknown>[] } };
    delete template.spec.containers[0].imagePullPolcy;
    const file = manifest('existing.yaml', good);
    await kubectlOk(serve(), ['apply', '-f', file]);
    (good.spec as Record<string, unknown>).replica = 2;
    writeFileSync(file, stringify(good));
    const r = await kubectl(serve(), ['apply', '-f', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^The request is invalid: patch: Invalid value: "map\[.*spec:map\[replica:2\]\]": strict decoding error: unknown field "spec.replica"\n$/s);
  });

  it('a correct pod manifest with every common field passes with no warnings', async () => {
    const pod = structuredClone(FULL_POD) as { metadata: Record<string, unknown>; spec: Record<string, unknown>; status?: unknown };
    delete pod.status;
    delete pod.metadata.finalizers;
    // Keep the pod schedulable-agnostic: the lab has no PriorityClass "high".
    delete pod.spec.priorityClassName;
    // It uses hostPath, hostPort and sysctls, which Pod Security "baseline" refuses: opt a namespace in,
    // as one must on a real cluster.
    await kubectl(serve(), ['create', 'namespace', 'privileged-lab']);
    await kubectl(serve(), ['label', 'namespace', 'privileged-lab', 'pod-security.kubernetes.io/enforce=privileged']);
    pod.metadata.namespace = 'privileged-lab';
    const r = await kubectl(serve(), ['apply', '--validate=strict', '-f', manifest('full-pod.yaml', pod)]);
    expect([r.code, r.stdout, r.stderr]).toEqual([0, 'pod/full created\n', '']);
  });
});
