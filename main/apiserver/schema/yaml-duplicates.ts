// Duplicate keys in YAML, worded as go-yaml's strict unmarshal reports them (`line 12: key "paused"
// already set in map`, the line of the repeated key), which is what Kubernetes passes on.
import { isMap, isScalar, visit, type Document, type LineCounter } from 'yaml';

export function yamlDuplicateKeys(doc: Document, lines: LineCounter): string[] {
  const out: string[] = [];
  visit(doc, {
    Map(_, map) {
      const seen = new Set<string>();
      for (const pair of map.items) {
        const key = pair.key;
        const name = isScalar(key) ? String(key.value) : isMap(key) ? '[map]' : String(key);
        if (seen.has(name)) {
          const offset = isScalar(key) && key.range ? key.range[0] : 0;
          const printed = isScalar(key) && typeof key.value === 'string' ? JSON.stringify(name) : name;
          out.push(`line ${lines.linePos(offset).line}: key ${printed} already set in map`);
        }
        seen.add(name);
      }
    },
  });
  return out;
}

/** go-yaml's one error for all of them, as it appears in a Strict answer. */
export function yamlUnmarshalErrors(duplicates: readonly string[]): string {
  return `yaml: unmarshal errors:\n  ${duplicates.join('\n  ')}`;
}
