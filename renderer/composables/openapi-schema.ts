// Schema knowledge for the YAML editor, read from the server's OpenAPI v3 (`/openapi/v3` lists one
// document per group-version). Field names, descriptions and enums of the kind under the cursor, and
// unknown-field warnings where the schema is closed. The lab publishes full schemas for every built-in
// kind (generated from its protobuf definitions, without field descriptions) and the declared ones of
// its chaos kinds (docs/API.md "OpenAPI"); the same code reads a real cluster's documents.
import { isMap, isScalar, isSeq, type Document } from 'yaml';
import type { ApiClient } from '../api/client';
import type { Diagnostic } from './yaml-documents';
import { firstLine, lineOf } from './yaml-documents';

export interface Schema {
  $ref?: string;
  allOf?: Schema[];
  type?: string;
  description?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  additionalProperties?: Schema | boolean;
  enum?: unknown[];
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-group-version-kind'?: Array<{ group: string; version: string; kind: string }>;
}

export interface OpenApiDocument {
  components?: { schemas?: Record<string, Schema> };
}

export class SchemaIndex {
  constructor(private readonly docs: Map<string, OpenApiDocument>) {}

  /** Follows $ref and the single-element allOf Kubernetes uses to attach a description to a $ref. */
  resolve(schema: Schema | undefined, gvKey: string): Schema | undefined {
    let s = schema;
    for (let depth = 0; s && depth < 20; depth++) {
      if (s.$ref) {
        const name = s.$ref.replace('#/components/schemas/', '');
        const target = this.docs.get(gvKey)?.components?.schemas?.[name];
        s = target ? { ...target, description: s.description ?? target.description } : undefined;
      } else if (s.allOf?.length === 1 && !s.properties) {
        s = { ...s.allOf[0], description: s.description ?? s.allOf[0].description };
      } else return s;
    }
    return s;
  }

  kindSchema(apiVersion: string, kind: string): { schema: Schema; gvKey: string } | undefined {
    const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
    const gvKey = group ? `apis/${group}/${version}` : `api/${version}`;
    const schemas = this.docs.get(gvKey)?.components?.schemas ?? {};
    for (const schema of Object.values(schemas)) {
      if ((schema['x-kubernetes-group-version-kind'] ?? []).some((g) => g.group === group && g.version === version && g.kind === kind)) return { schema, gvKey };
    }
    return undefined;
  }

  /** The schema at a key path below a kind (arrays are stepped through to their items). */
  at(apiVersion: string, kind: string, path: string[]): Schema | undefined {
    const root = this.kindSchema(apiVersion, kind);
    if (!root) return undefined;
    let s = this.resolve(root.schema, root.gvKey);
    for (const key of path) {
      if (s?.type === 'array' || s?.items) s = this.resolve(s.items, root.gvKey);
      const next = s?.properties?.[key] ?? (typeof s?.additionalProperties === 'object' ? s.additionalProperties : undefined);
      s = this.resolve(next, root.gvKey);
      if (!s) return undefined;
    }
    if (s?.type === 'array' || s?.items) return { ...this.resolve(s.items, root.gvKey), description: s.description };
    return s;
  }

  /** Child fields (name, description, type) at a path. */
  fields(apiVersion: string, kind: string, path: string[]): Array<{ name: string; description?: string; type?: string; enum?: string[] }> {
    const s = this.at(apiVersion, kind, path);
    const root = this.kindSchema(apiVersion, kind);
    return Object.entries(s?.properties ?? {}).map(([name, child]) => {
      const r = root && this.resolve(child, root.gvKey);
      return { name, description: r?.description, type: r?.type, enum: enumOf(r) };
    });
  }

  /** Keys the schema does not declare, where the schema is closed (no preserve-unknown / additionalProperties). */
  unknownFields(doc: Document.Parsed, text: string, apiVersion: string, kind: string): Diagnostic[] {
    const root = this.kindSchema(apiVersion, kind);
    if (!root) return [];
    const out: Diagnostic[] = [];
    const walk = (node: unknown, schema: Schema | undefined, path: string): void => {
      const s = this.resolve(schema, root.gvKey);
      if (!s) return;
      if (isSeq(node)) {
        node.items.forEach((item, i) => walk(item, s.items, `${path}[${i}]`));
        return;
      }
      if (!isMap(node)) return;
      const open = s['x-kubernetes-preserve-unknown-fields'] || s.additionalProperties !== undefined || !s.properties;
      for (const pair of node.items) {
        if (!isScalar(pair.key)) continue;
        const key = String(pair.key.value);
        const child = s.properties?.[key];
        const field = path ? `${path}.${key}` : key;
        if (child) walk(pair.value, child, field);
        else if (typeof s.additionalProperties === 'object') walk(pair.value, s.additionalProperties, field);
        else if (!open && pair.key.range) {
          const range = firstLine(text, { from: pair.key.range[0], to: pair.key.range[1] });
          out.push({ ...range, severity: 'warning', message: `unknown field "${field}"`, line: lineOf(text, range.from) });
        }
      }
    };
    walk(doc.contents, root.schema, '');
    return out;
  }
}

/** Enum values from `enum` or, in older documents, the "Possible enum values" list of the description. */
export function enumOf(schema: Schema | undefined): string[] | undefined {
  if (schema?.enum?.length) return schema.enum.map(String);
  const listed = [...(schema?.description ?? '').matchAll(/^ - `"([^"]+)"`/gm)].map((m) => m[1]);
  return listed.length ? listed : undefined;
}

/** Loads `/openapi/v3` and the documents of the group-versions asked for, once each. */
export class OpenApiLoader {
  private index: Promise<Record<string, { serverRelativeURL: string }>> | undefined;
  private readonly docs = new Map<string, OpenApiDocument>();
  private readonly pending = new Map<string, Promise<void>>();
  readonly schemas = new SchemaIndex(this.docs);

  constructor(private readonly client: ApiClient) {}

  async load(apiVersion: string): Promise<void> {
    const key = apiVersion.includes('/') ? `apis/${apiVersion}` : `api/${apiVersion}`;
    if (this.docs.has(key)) return;
    let p = this.pending.get(key);
    if (!p) {
      p = (async () => {
        this.index ??= this.client.get<{ paths: Record<string, { serverRelativeURL: string }> }>('/openapi/v3').then((r) => r.paths);
        const entry = (await this.index)[key];
        if (entry) this.docs.set(key, await this.client.get<OpenApiDocument>(entry.serverRelativeURL));
      })().catch(() => {
        // No schema hints for this group-version; the server still validates on dry-run.
        this.pending.delete(key);
      });
      this.pending.set(key, p);
    }
    await p;
  }

  loaded(apiVersion: string): boolean {
    return this.docs.has(apiVersion.includes('/') ? `apis/${apiVersion}` : `api/${apiVersion}`);
  }
}
