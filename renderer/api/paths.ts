// REST paths exactly as Kubernetes lays them out: core group under /api, others under /apis/<group>.

export interface ResourceAddress {
  group: string;
  version: string;
  /** Plural resource name, e.g. "namespaces", "deployments". */
  resource: string;
  namespace?: string;
  name?: string;
  subresource?: string;
}

export function resourcePath(a: ResourceAddress): string {
  const base = a.group ? `/apis/${a.group}/${a.version}` : `/api/${a.version}`;
  const ns = a.namespace ? `/namespaces/${encodeURIComponent(a.namespace)}` : '';
  const name = a.name ? `/${encodeURIComponent(a.name)}` : '';
  const sub = a.name && a.subresource ? `/${a.subresource}` : '';
  return `${base}${ns}/${a.resource}${name}${sub}`;
}

export function withQuery(path: string, query: Record<string, string | number | boolean | undefined>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') params.set(k, String(v));
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}
