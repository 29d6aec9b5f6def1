// Unknown fields of a decoded JSON value, as Kubernetes' strict decoding reports them: the path of every
// field its Go type does not declare, once, without looking inside the unknown value.
import type { ObjectShape, ValueShape } from './shape';

export interface WalkOptions {
  /** Delete every unknown field found, as decoding into the Go type drops them (Warn and Ignore store the rest). */
  prune?: boolean;
  /** Print paths as structured-merge-diff does (`.spec.containers[name="web"].x`), for server-side apply. */
  listKey?: (segments: readonly string[], item: unknown) => string | undefined;
  /**
   * Visit keys in sorted order. Kubernetes reports in the order of the JSON it decodes: a JSON body in
   * the client's order, but YAML bodies and patched objects pass through a Go map first (sorted keys).
   */
  sorted?: boolean;
}

export const unknownFieldText = (path: string): string => `unknown field "${path}"`;

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export const joinPath = (base: string, key: string): string => (base ? `${base}.${key}` : key);

// `segments` are the field names so far (no indexes), for listKey.
function walkValue(value: unknown, shape: ValueShape, path: string, segments: string[], out: string[], opts: WalkOptions): void {
  switch (shape.t) {
    case 'object':
      if (isPlainObject(value)) walkObject(value, shape.shape, path, segments, out, opts);
      return;
    case 'list':
      if (Array.isArray(value)) {
        value.forEach((item, i) => walkValue(item, shape.item, `${path}[${opts.listKey?.(segments, item) ?? i}]`, segments, out, opts));
      }
      return;
    case 'map':
      if (isPlainObject(value) && shape.value.t !== 'scalar') {
        for (const key of keysOf(value, opts)) walkValue(value[key], shape.value, joinPath(path, key), [...segments, key], out, opts);
      }
      return;
    default:
      // Scalars (a wrong type is a decoding error of its own, not an unknown field) and free-form JSON.
      return;
  }
}

function keysOf(value: Record<string, unknown>, opts: WalkOptions): string[] {
  const keys = Object.keys(value);
  return opts.sorted ? keys.sort() : keys;
}

function walkObject(value: Record<string, unknown>, shape: ObjectShape, path: string, segments: string[], out: string[], opts: WalkOptions): void {
  for (const key of keysOf(value, opts)) {
    const field = shape.fields.get(key);
    const at = joinPath(path, key);
    if (field) {
      walkValue(value[key], field, at, [...segments, key], out, opts);
      continue;
    }
    out.push(at);
    if (opts.prune) delete value[key];
  }
}

/** Paths of the unknown fields of an object of the given kind shape, in Kubernetes' order. */
export function unknownFieldPaths(object: unknown, shape: ObjectShape, opts: WalkOptions = {}): string[] {
  const out: string[] = [];
  if (isPlainObject(object)) walkObject(object, shape, '', [], out, opts);
  return out;
}

/** `unknown field "…"` texts for an object of the given kind shape, in Kubernetes' order. */
export function unknownFields(object: unknown, shape: ObjectShape, opts: WalkOptions = {}): string[] {
  return unknownFieldPaths(object, shape, opts).map(unknownFieldText);
}

/** Drops the unknown fields of an object in place. */
export function pruneUnknownFields(object: unknown, shape: ObjectShape): void {
  unknownFieldPaths(object, shape, { prune: true });
}
