// kubectl 1.32 (and 1.27, which reads the v2 protobuf document) against `bosun serve` with the generated
// OpenAPI: explain walks every field of a built-in kind, apply/diff compute strategic merge patches from
// the published patch extensions (lists merged by their keys, fields other writers added survive), and
// replace / create --validate=strict / --dry-run=server behave as on a real cluster.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { kubectl, kubectlOk } from '../support/serve';
import { useServe } from '../support/use-serve';

const serve = useServe();
const KUBECTL_127 = '/usr/lib/google-cloud-sdk/bin/kubectl.1.27';

function manifest(name: string, object: unknown): string {
  const file = join(serve().dataDir, name);
  writeFileSync(file, stringify(object));
  return file;
}

interface Container {
  name: string;
  image: string;
  ports?: { containerPort: number; protocol?: string }[];
  env?: { name: string; value: string }[];
}

const deployment = (name: string, containers: Container[]): unknown => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers } },
  },
});

async function containersOf(name: string): Promise<Container[]> {
  return JSON.parse(await kubectlOk(serve(), ['get', 'deployment', name, '-o', 'jsonpath={.spec.template.spec.containers}']));
}

describe('kubectl with the generated OpenAPI', () => {
  it('explain (v3) walks a Deployment down to the container fields, --recursive included', async () => {
    const ports = await kubectlOk(serve(), ['explain', 'deployment.spec.template.spec.containers.ports']);
    expect(ports).toContain('FIELD: ports <[]ContainerPort>');
    expect(ports).toMatch(/containerPort\s+<integer>/);
    expect(ports).toMatch(/protocol\s+<string>/);
    const recursive = await kubectlOk(serve(), ['explain', 'deployment.spec.template.spec.containers', '--recursive']);
    for (const line of [/^ {2}image\s+<string>$/m, /^ {2}env\s+<\[\]EnvVar>$/m, /^ {6}configMapKeyRef\s+<ConfigMapKeySelector>$/m, /^ {4}limits\s+<map\[string\]Quantity>$/m]) {
      expect(recursive).toMatch(line);
    }
    const strategy = await kubectlOk(serve(), ['explain', 'deployment.spec.strategy.rollingUpdate']);
    expect(strategy).toMatch(/maxSurge\s+<IntOrString>/);
    const meta = await kubectlOk(serve(), ['explain', 'pod.metadata.creationTimestamp']);
    // Time is a date-time string; kubectl prints it as a real cluster's document makes it print.
    expect(meta).toContain('FIELD: creationTimestamp <string>');
  });

  it('explain --output=plaintext-openapiv2 reads the v2 document', async () => {
    const out = await kubectlOk(serve(), ['explain', 'deployment.spec.template.spec.containers', '--recursive', '--output=plaintext-openapiv2']);
    expect(out).toContain('RESOURCE: containers <[]Object>');
    expect(out).toMatch(/^ {3}image\t<string>$/m);
    expect(out).toMatch(/^ {6}containerPort\t<integer>$/m);
  });

  it('apply → re-apply with list changes merges containers/ports/env by their keys; diff shows the same', async () => {
    const first = manifest('web-1.yaml', deployment('web', [
      { name: 'web', image: 'nginx:1.27', ports: [{ containerPort: 80 }, { containerPort: 81 }], env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }] },
      { name: 'side', image: 'busybox' },
    ]));
    await kubectlOk(serve(), ['apply', '-f', first]);
    // Another writer adds an env var: apply must leave it alone (it is not in last-applied).
    await kubectlOk(serve(), ['set', 'env', 'deployment/web', '-c', 'web', 'LIVE=x']);
    const second = manifest('web-2.yaml', deployment('web', [
      { name: 'web', image: 'nginx:1.27', ports: [{ containerPort: 81 }, { containerPort: 82 }], env: [{ name: 'B', value: '3' }] },
      { name: 'side', image: 'busybox' },
    ]));
    const diff = await kubectl(serve(), ['diff', '-f', second]);
    expect(diff.code, diff.stderr).toBe(1); // 1: differences found
    expect(diff.stdout).toMatch(/^-\s+- containerPort: 80$/m);
    expect(diff.stdout).toMatch(/^\+\s+- containerPort: 82$/m);
    expect(diff.stdout).toMatch(/^-\s+value: "2"$/m);
    expect(diff.stdout).toMatch(/^\+\s+value: "3"$/m);
    expect(diff.stdout).not.toMatch(/^-\s+- name: LIVE$/m);

    const applied = await kubectl(serve(), ['apply', '-f', second, '-v=6']);
    expect(applied.code, applied.stderr).toBe(0);
    // kubectl 1.32 computes the patch from the OpenAPI v3 document of apps/v1.
    expect(applied.stderr).toMatch(/GET \S+\/openapi\/v3\/apis\/apps\/v1\?hash=/);
    const containers = await containersOf('web');
    expect(containers.map((c) => c.name)).toEqual(['web', 'side']);
    expect(containers[0].ports!.map((p) => p.containerPort)).toEqual([81, 82]);
    expect(containers[0].env).toEqual([{ name: 'B', value: '3' }, { name: 'LIVE', value: 'x' }]);
    expect((await kubectl(serve(), ['diff', '-f', second])).code).toBe(0);
  });

  it('kubectl 1.27 (OpenAPI v2 protobuf with definitions) merges the same way', async () => {
    if (!existsSync(KUBECTL_127)) return;
    const v1 = manifest('old-1.yaml', deployment('old', [{ name: 'app', image: 'busybox', env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }] }]));
    await kubectlOk(serve(), ['apply', '-f', v1]);
    await kubectlOk(serve(), ['set', 'env', 'deployment/old', 'LIVE=y']);
    const v2 = manifest('old-2.yaml', deployment('old', [{ name: 'app', image: 'busybox', env: [{ name: 'B', value: '2' }] }]));
    const { execFile } = await import('node:child_process');
    const out = await new Promise<{ code: number; stderr: string }>((res) =>
      execFile(KUBECTL_127, ['--kubeconfig', serve().kubeconfig, '--cache-dir', join(serve().dataDir, 'cache-127'), 'apply', '-f', v2], (err, _o, stderr) => res({ code: err ? 1 : 0, stderr })),
    );
    expect(out.code, out.stderr).toBe(0);
    expect(out.stderr).not.toContain('warning');
    expect((await containersOf('old'))[0].env).toEqual([{ name: 'B', value: '2' }, { name: 'LIVE', value: 'y' }]);
  });

  it('replace (what kubectl edit sends), create --validate=strict and --dry-run=server', async () => {
    const live = await kubectlOk(serve(), ['get', 'deployment', 'web', '-o', 'json']);
    const edited = JSON.parse(live);
    edited.spec.replicas = 3;
    await kubectlOk(serve(), ['replace', '-f', '-'], JSON.stringify(edited));
    expect(await kubectlOk(serve(), ['get', 'deployment', 'web', '-o', 'jsonpath={.spec.replicas}'])).toBe('3');

    const dry = manifest('dry.yaml', deployment('dry', [{ name: 'c', image: 'busybox' }]));
    expect(await kubectlOk(serve(), ['create', '-f', dry, '--dry-run=server', '--validate=strict'])).toContain('deployment.apps/dry created (server dry run)');
    expect((await kubectl(serve(), ['get', 'deployment', 'dry'])).code).toBe(1);

    const typo = deployment('typo', [{ name: 'c', image: 'busybox' }]) as { spec: Record<string, unknown> };
    typo.spec.replica = 2;
    const bad = await kubectl(serve(), ['create', '-f', manifest('typo.yaml', typo), '--validate=strict']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('strict decoding error: unknown field "spec.replica"');
  });

  it('a Service re-applied with changed ports merges them by port', async () => {
    const svc = (ports: { name: string; port: number }[]): unknown => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'svc' }, spec: { selector: { app: 'web' }, ports } });
    await kubectlOk(serve(), ['apply', '-f', manifest('svc-1.yaml', svc([{ name: 'http', port: 80 }, { name: 'alt', port: 8080 }]))]);
    await kubectlOk(serve(), ['apply', '-f', manifest('svc-2.yaml', svc([{ name: 'http', port: 80 }, { name: 'tls', port: 443 }]))]);
    const ports = JSON.parse(await kubectlOk(serve(), ['get', 'service', 'svc', '-o', 'jsonpath={.spec.ports}'])) as { name: string; port: number }[];
    expect(ports.map((p) => `${p.name}:${p.port}`)).toEqual(['http:80', 'tls:443']);
  });
});
