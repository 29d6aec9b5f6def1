// What the YAML editor needs from the text: its documents as objects with their place in the text,
// YAML syntax errors, and where a field named by the API (`spec.template.spec.containers[0].image`,
// `.spec.containers[name="c"].portz`) sits, so the server's answer lands on the line it is about.
import { isMap, isScalar, isSeq, parseAllDocuments, stringify, type Document, type Node as YamlNode } from 'yaml';
import type { KubeObject } from '../../shared/api/meta';

export interface TextRange {
  from: number;
  to: number;
}

export interface ParsedDocument {
  /** Index among the non-empty documents. */
  index: number;
  object: KubeObject | undefined;
  range: TextRange;
  doc: Document.Parsed;
}

export interface Diagnostic extends TextRange {
  severity: 'error' | 'warning' | 'info';
  message: string;
  /** 1-based line of `from`, for lists and tests. */
  line: number;
}

export interface ParsedText {
  documents: ParsedDocument[];
  syntaxErrors: Diagnostic[];
}

export function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

export function parseYamlText(text: string): ParsedText {
  const documents: ParsedDocument[] = [];
  const syntaxErrors: Diagnostic[] = [];
  for (const doc of parseAllDocuments(text)) {
    for (const e of doc.errors) {
      const from = Math.min(e.pos[0], text.length);
      const to = Math.max(from, Math.min(e.pos[1], text.length));
      syntaxErrors.push({ from, to, severity: 'error', message: e.message.split('\n')[0], line: lineOf(text, from) });
    }
    const contents = doc.contents as YamlNode | null;
    // A document of comments only (or nothing) is no object: kubectl skips it too.
    if (contents === null || (isScalar(contents) && contents.value === null && !doc.errors.length)) continue;
    // The contents' range, not the document's: that would start at the `---` marker line.
    const range = { from: contents.range?.[0] ?? doc.range[0], to: doc.range[1] };
    let object: KubeObject | undefined;
    if (!doc.errors.length) {
      const value: unknown = doc.toJS();
      object = typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as KubeObject) : undefined;
    }
    documents.push({ index: documents.length, object, range, doc });
  }
  return { documents, syntaxErrors };
}

export type PathSegment = { key: string } | { index: number } | { match: { key: string; value: string } };

/**
 * Splits a field path as the API writes it: `spec.containers[0].image`, `.spec.x[name="c"].y`,
 * `metadata.labels[app.kubernetes.io/name]` (a map key in brackets).
 */
export function parseFieldPath(path: string): PathSegment[] {
  const segments: PathSegment[] = [];
  let i = path.startsWith('.') ? 1 : 0;
  let key = '';
  const flush = () => {
    if (key) segments.push({ key });
    key = '';
  };
  while (i < path.length) {
    const c = path[i];
    if (c === '.') {
      flush();
      i++;
    } else if (c === '[') {
      flush();
      const end = path.indexOf(']', i);
      const inner = path.slice(i + 1, end < 0 ? undefined : end);
      i = end < 0 ? path.length : end + 1;
      const eq = /^([^=]+)=(.*)$/.exec(inner);
      if (/^\d+$/.test(inner)) segments.push({ index: Number(inner) });
      else if (eq) segments.push({ match: { key: eq[1], value: eq[2].replace(/^"(.*)"$/, '$1') } });
      else segments.push({ key: inner });
    } else {
      key += c;
      i++;
    }
  }
  flush();
  return segments;
}

function rangeOf(node: { range?: [number, number, number] | null } | null | undefined): TextRange | undefined {
  return node?.range ? { from: node.range[0], to: node.range[1] } : undefined;
}

/**
 * Where `path` is in a document: the key of the deepest existing field (so "Required value" for a
 * missing field points at its parent) and whether the whole path was found.
 */
export function locateField(doc: Document.Parsed, path: string): { range: TextRange; exact: boolean } | undefined {
  let node: unknown = doc.contents;
  let best: TextRange | undefined = rangeOf(doc.contents as YamlNode);
  for (const segment of parseFieldPath(path)) {
    if ('key' in segment && isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === segment.key);
      if (!pair) return best && { range: best, exact: false };
      best = rangeOf(pair.key as YamlNode) ?? best;
      node = pair.value;
    } else if ('index' in segment && isSeq(node)) {
      const item = node.items[segment.index];
      if (!item) return best && { range: best, exact: false };
      best = rangeOf(item as YamlNode) ?? best;
      node = item;
    } else if ('match' in segment && isSeq(node)) {
      const { key, value } = segment.match;
      const item = node.items.find((it) => isMap(it) && it.items.some((p) => isScalar(p.key) && String(p.key.value) === key && isScalar(p.value) && String(p.value.value) === value));
      if (!item) return best && { range: best, exact: false };
      best = rangeOf(item as YamlNode) ?? best;
      node = item;
    } else {
      return best && { range: best, exact: false };
    }
  }
  return best && { range: best, exact: true };
}

/** The first line of a node's range only: a diagnostic on a whole map would underline a block. */
export function firstLine(text: string, range: TextRange): TextRange {
  const newline = text.indexOf('\n', range.from);
  return { from: range.from, to: newline < 0 || newline > range.to ? range.to : newline };
}

/** An object as `kubectl get -o yaml` prints it by default: managedFields left out. */
export function objectYaml(object: KubeObject, apiVersion: string, kind: string): string {
  const { managedFields: _managed, ...metadata } = object.metadata;
  return stringify({ apiVersion: object.apiVersion ?? apiVersion, kind: object.kind ?? kind, ...object, metadata });
}
