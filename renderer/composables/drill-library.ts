// A sample drill file read for the library (its leading comment, the objects it creates, the Drill's
// hypothesis and steps) and run the way `kubectl apply --server-side -f FILE -n NS` would — except
// that a drill runs once, so an existing Drill of the same name is deleted (and waited for: its
// finalizer reverts its faults first) before the file is applied again.
import type { Drill } from '../../shared/api/chaos';
import { ApiError, isNotFound } from '../../shared/api/errors';
import type { KubeObject } from '../../shared/api/meta';
import type { ApiClient } from '../api/client';
import { resourcePath, withQuery } from '../api/paths';
import { FIELD_MANAGER, KindResolver } from './use-yaml-apply';
import { parseYamlText } from './yaml-documents';

export interface DrillSample {
  /** File name without .yaml, e.g. "node-crash". */
  file: string;
  text: string;
  /** The file's leading comment, without the `kubectl …` usage lines. */
  description: string;
  drillName?: string;
  hypothesis?: string;
  steps: string[];
  /** "Deployment/crash-web", … in file order. */
  objects: string[];
}

export function parseDrillSample(file: string, text: string): DrillSample {
  const description: string[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('#')) break;
    const body = line.replace(/^#\s?/, '');
    if (/^\s*kubectl\s/.test(body)) continue;
    description.push(body.trim());
  }
  const parsed = parseYamlText(text);
  const objects = parsed.documents.map((d) => d.object).filter((o): o is KubeObject => !!o);
  const drill = objects.find((o) => o.kind === 'Drill') as Drill | undefined;
  return {
    file,
    text,
    description: description.join(' ').replace(/\s+/g, ' ').trim(),
    drillName: drill?.metadata.name,
    hypothesis: drill?.spec?.hypothesis,
    steps: (drill?.spec?.steps ?? []).map((s) => s.name),
    objects: objects.map((o) => `${o.kind}/${o.metadata?.name}`),
  };
}

export interface RunDeps {
  sleep?: (ms: number) => Promise<void>;
  /** How long to wait for a previous run's Drill to go (its faults are reverted first). */
  deleteTimeoutMs?: number;
}

const sleepMs = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Deletes the Drill if it exists and waits until it is gone; true when there was one. */
export async function deleteDrillAndWait(client: ApiClient, namespace: string, name: string, deps: RunDeps = {}): Promise<boolean> {
  const path = resourcePath({ group: 'chaos.bosun.dev', version: 'v1alpha1', resource: 'drills', namespace, name });
  try {
    await client.delete(path, { propagationPolicy: 'Background' });
  } catch (e) {
    if (isNotFound(e)) return false;
    throw e;
  }
  const deadline = Date.now() + (deps.deleteTimeoutMs ?? 120_000);
  for (;;) {
    try {
      await client.get(path);
    } catch (e) {
      if (isNotFound(e)) return true;
      throw e;
    }
    if (Date.now() > deadline) throw new ApiError(504, 'Timeout', `drill ${namespace}/${name} is still being deleted (its faults are being reverted); try again in a moment`);
    await (deps.sleep ?? sleepMs)(1000);
  }
}

/**
 * Applies every document of `text` in `namespace` (server-side apply, field manager bosun-dashboard,
 * strict field validation), after deleting a previous run of its Drill. Returns what was applied.
 */
export async function runDrillText(client: ApiClient, text: string, namespace: string, deps: RunDeps = {}): Promise<KubeObject[]> {
  const parsed = parseYamlText(text);
  if (parsed.syntaxErrors.length) throw new ApiError(400, 'BadRequest', `YAML error on line ${parsed.syntaxErrors[0].line}: ${parsed.syntaxErrors[0].message}`);
  const objects = parsed.documents.map((d) => d.object).filter((o): o is KubeObject => !!o);
  if (!objects.some((o) => o.kind === 'Drill')) throw new ApiError(400, 'BadRequest', 'the text has no Drill (kind: Drill, apiVersion: chaos.bosun.dev/v1alpha1)');
  for (const o of objects) {
    if (o.kind === 'Drill' && o.metadata?.name) await deleteDrillAndWait(client, o.metadata.namespace || namespace, o.metadata.name, deps);
  }
  const resolver = new KindResolver(client);
  const applied: KubeObject[] = [];
  for (const o of objects) {
    if (!o.apiVersion || !o.kind || !o.metadata?.name) throw new ApiError(400, 'BadRequest', 'error validating data: every object needs apiVersion, kind and metadata.name');
    const info = await resolver.resolve(o.apiVersion, o.kind);
    const ns = info.namespaced ? o.metadata.namespace || namespace : undefined;
    const [group, version] = o.apiVersion.includes('/') ? o.apiVersion.split('/') : ['', o.apiVersion];
    const path = withQuery(resourcePath({ group, version, resource: info.resource, namespace: ns, name: o.metadata.name }), { fieldManager: FIELD_MANAGER, fieldValidation: 'Strict', force: 'true' });
    applied.push(await client.apply(path, ns ? { ...o, metadata: { ...o.metadata, namespace: ns } } : o));
  }
  return applied;
}

export function kubectlRunDrill(sample: string, namespace: string, drillName: string | undefined): string[] {
  return [
    ...(drillName ? [`kubectl delete drill ${drillName} -n ${namespace} --ignore-not-found --wait`] : []),
    `kubectl apply --server-side --field-manager=${FIELD_MANAGER} -n ${namespace} -f samples/drills/${sample}.yaml`,
  ];
}
