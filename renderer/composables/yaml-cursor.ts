// Where the cursor is in YAML, read from indentation alone (the text under edit is often not valid
// YAML yet): the key path of the map being typed in, whether a key or a value is being typed, and
// the apiVersion/kind of the surrounding document.

export interface CursorContext {
  /** Keys from the document root to the map the cursor is in (sequence items stepped through). */
  path: string[];
  /** The word typed so far and where it starts. */
  prefix: string;
  from: number;
  /** Typing the value of `key` (after `key: `) rather than a key. */
  valueKey?: string;
  apiVersion?: string;
  kind?: string;
}

interface LineShape {
  dashCol?: number;
  keyCol: number;
  key?: string;
  /** `key:` with nothing after it (a nested map or sequence follows). */
  opens: boolean;
}

const LINE = /^(\s*)((?:-\s+)*)(.*)$/;

function shape(line: string): LineShape | undefined {
  if (!line.trim() || line.trim().startsWith('#')) return undefined;
  const m = LINE.exec(line)!;
  const keyCol = m[1].length + m[2].length;
  const dashCol = m[2] ? m[1].length + m[2].lastIndexOf('-') : undefined;
  const kv = /^("[^"]*"|'[^']*'|[^\s:#][^:#]*?)\s*:(\s+(.*))?$/.exec(m[3]);
  if (!kv) return { dashCol, keyCol, opens: false };
  const value = (kv[3] ?? '').replace(/\s+#.*$/, '').trim();
  return { dashCol, keyCol, key: kv[1].replace(/^["']|["']$/g, ''), opens: value === '' };
}

export function cursorContext(text: string, pos: number): CursorContext {
  const lineStart = text.lastIndexOf('\n', pos - 1) + 1;
  const before = text.slice(lineStart, pos);
  const docStart = Math.max(0, ...[...text.slice(0, lineStart).matchAll(/^---.*$/gm)].map((m) => (m.index ?? 0) + m[0].length + 1));
  const docEndMatch = /^---/m.exec(text.slice(pos));
  const docText = text.slice(docStart, docEndMatch ? pos + docEndMatch.index : text.length);
  const apiVersion = /^apiVersion:\s*["']?([^\s"'#]+)/m.exec(docText)?.[1];
  const kind = /^kind:\s*["']?([^\s"'#]+)/m.exec(docText)?.[1];

  const value = /^(\s*)((?:-\s+)*)([^\s:#][^:#]*?):\s+(\S*)$/.exec(before);
  const keyTyping = /^(\s*)((?:-\s+)*)([\w./-]*)$/.exec(before);
  let col: number;
  let prefix: string;
  let valueKey: string | undefined;
  if (value) {
    col = value[1].length + value[2].length;
    prefix = value[4];
    valueKey = value[3];
  } else if (keyTyping) {
    col = keyTyping[1].length + keyTyping[2].length;
    prefix = keyTyping[3];
  } else {
    return { path: [], prefix: '', from: pos, apiVersion, kind };
  }
  // A value is typed on the key's own line: its map is the same as a key typed there.
  const path: string[] = [];
  const lines = text.slice(docStart, lineStart).split('\n');
  for (let i = lines.length - 1; i >= 0 && col > 0; i--) {
    if (/^---/.test(lines[i])) break;
    const s = shape(lines[i]);
    if (!s) continue;
    if (s.keyCol < col && s.key && s.opens) {
      path.unshift(s.key);
      col = s.dashCol ?? s.keyCol;
    } else if (s.dashCol !== undefined && s.dashCol < col && s.keyCol <= col) {
      col = s.dashCol;
    }
  }
  return { path, prefix, from: pos - prefix.length, valueKey, apiVersion, kind };
}
