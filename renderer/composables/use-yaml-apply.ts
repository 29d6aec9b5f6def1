// Applying editor text to the API, document by document: first every document as a server dry run
// with strict field validation (`?dryRun=All&fieldValidation=Strict`), and only when all of them pass,
// for real. "create" mode POSTs (kubectl create) and falls back to server-side apply with
// fieldManager=bosun-dashboard for objects that already exist (kubectl apply --server-side);
// "replace" mode PUTs the object being edited (kubectl edit / replace: resourceVersion-checked).
import { ApiError, isApiError } from '../../shared/api/errors';
import type { KubeObject } from '../../shared/api/meta';
import type { ApiClient } from '../api/client';
import { resourcePath, withQuery } from '../api/paths';
import { diagnosticsForError } from './apply-diagnostics';
import { firstLine, lineOf, parseYamlText, type Diagnostic, type ParsedDocument } from './yaml-documents';

export const FIELD_MANAGER = 'bosun-dashboard';

export type ApplyMode = 'create' | 'replace';
export type Verb = 'create' | 'apply' | 'replace';

export interface DocumentOutcome {
  document: ParsedDocument;
  verb?: Verb;
  object?: KubeObject;
  error?: ApiError;
}

export interface ApplyOutcome {
  ok: boolean;
  dryRun: boolean;
  outcomes: DocumentOutcome[];
  diagnostics: Diagnostic[];
}

interface ResourceInfo {
  resource: string;
  namespaced: boolean;
}

/** kind → resource from discovery (`/api/v1`, `/apis/<g>/<v>`), cached per group-version. */
export class KindResolver {
  private readonly cache = new Map<string, Promise<Map<string, ResourceInfo>>>();
  constructor(private readonly client: ApiClient) {}

  async resolve(apiVersion: string, kind: string): Promise<ResourceInfo> {
    const path = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    let kinds = this.cache.get(path);
    if (!kinds) {
      kinds = this.client.get<{ resources: Array<{ name: string; kind: string; namespaced: boolean }> }>(path).then((list) => {
        const byKind = new Map<string, ResourceInfo>();
        for (const r of list.resources) if (!r.name.includes('/')) byKind.set(r.kind, { resource: r.name, namespaced: r.namespaced });
        return byKind;
      });
      kinds.catch(() => this.cache.delete(path));
      this.cache.set(path, kinds);
    }
    const info = (await kinds.catch(() => undefined))?.get(kind);
    // kubectl's words for a kind the server does not serve.
    if (!info) throw new ApiError(404, 'NotFound', `no matches for kind "${kind}" in version "${apiVersion}": ensure the API is served (kubectl api-resources)`);
    return info;
  }
}

function pathOf(apiVersion: string, info: ResourceInfo, namespace: string | undefined, name?: string): string {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  return resourcePath({ group, version, resource: info.resource, namespace: info.namespaced ? namespace : undefined, name });
}

function query(dryRun: boolean, extra: Record<string, string> = {}): Record<string, string | undefined> {
  return { dryRun: dryRun ? 'All' : undefined, fieldValidation: 'Strict', ...extra };
}

async function send(client: ApiClient, resolver: KindResolver, object: KubeObject, verb: Verb, namespace: string, dryRun: boolean): Promise<KubeObject> {
  const info = await resolver.resolve(object.apiVersion!, object.kind!);
  const ns = object.metadata?.namespace || namespace;
  const body = info.namespaced ? { ...object, metadata: { ...object.metadata, namespace: ns } } : object;
  const name = object.metadata?.name;
  if (verb === 'create') return client.create(withQuery(pathOf(object.apiVersion!, info, ns), query(dryRun)), body);
  if (verb === 'replace') return client.replace(withQuery(pathOf(object.apiVersion!, info, ns, name), query(dryRun)), body);
  return client.apply(withQuery(pathOf(object.apiVersion!, info, ns, name), query(dryRun, { fieldManager: FIELD_MANAGER, force: 'true' })), body);
}

/** What is wrong with a document before the API sees it (kubectl's client-side "error validating data"). */
function localProblem(document: ParsedDocument): string | undefined {
  const o = document.object;
  if (!o) return 'a Kubernetes object must be a YAML map';
  const missing = [!o.apiVersion && 'apiVersion not set', !o.kind && 'kind not set', !o.metadata?.name && !o.metadata?.generateName && 'metadata.name not set'].filter(Boolean);
  return missing.length ? `error validating data: [${missing.join(', ')}]` : undefined;
}

/**
 * Dry-runs (and, when `dryRun` is false and every dry run passed, applies) each document of `text`.
 * The verbs chosen during the dry run are reused for the real run.
 */
export async function applyText(client: ApiClient, resolver: KindResolver, text: string, mode: ApplyMode, namespace: string, dryRun: boolean): Promise<ApplyOutcome> {
  const parsed = parseYamlText(text);
  if (parsed.syntaxErrors.length) return { ok: false, dryRun: true, outcomes: [], diagnostics: parsed.syntaxErrors };
  if (!parsed.documents.length) {
    return { ok: false, dryRun: true, outcomes: [], diagnostics: [{ from: 0, to: 0, line: 1, severity: 'error', message: 'no objects passed to apply' }] };
  }
  const diagnostics: Diagnostic[] = [];
  for (const document of parsed.documents) {
    const problem = localProblem(document);
    if (problem) {
      const head = firstLine(text, document.range);
      diagnostics.push({ ...head, severity: 'error', message: problem, line: lineOf(text, head.from) });
    }
  }
  if (diagnostics.length) return { ok: false, dryRun: true, outcomes: [], diagnostics };

  const run = async (isDry: boolean, verbs?: Verb[]): Promise<DocumentOutcome[]> => {
    const outcomes: DocumentOutcome[] = [];
    for (const document of parsed.documents) {
      const object = document.object!;
      let verb: Verb = verbs?.[document.index] ?? (mode === 'replace' ? 'replace' : 'create');
      try {
        outcomes.push({ document, verb, object: await send(client, resolver, object, verb, namespace, isDry) });
      } catch (e) {
        if (!verbs && verb === 'create' && isApiError(e) && e.reason === 'AlreadyExists') {
          verb = 'apply';
          try {
            outcomes.push({ document, verb, object: await send(client, resolver, object, verb, namespace, isDry) });
          } catch (e2) {
            outcomes.push({ document, verb, error: toApiError(e2) });
          }
        } else outcomes.push({ document, verb, error: toApiError(e) });
      }
    }
    return outcomes;
  };

  const dry = await run(true);
  const failed = dry.filter((o) => o.error);
  if (failed.length || dryRun) {
    return { ok: !failed.length, dryRun: true, outcomes: dry, diagnostics: failed.flatMap((o) => diagnosticsForError(text, o.document, o.error!)) };
  }
  const real = await run(false, dry.map((o) => o.verb!));
  return { ok: real.every((o) => !o.error), dryRun: false, outcomes: real, diagnostics: real.filter((o) => o.error).flatMap((o) => diagnosticsForError(text, o.document, o.error!)) };
}

function toApiError(e: unknown): ApiError {
  return isApiError(e) ? e : new ApiError(500, 'InternalError', (e as Error).message ?? String(e));
}
