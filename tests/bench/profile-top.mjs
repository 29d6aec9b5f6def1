// Reads a .cpuprofile and prints the functions with the most self time, and the most total (inclusive)
// time, so a profile can be read in a terminal: node tests/bench/profile-top.mjs <file> [rows]
import { readFileSync } from 'node:fs';

const [file, rowsArg] = process.argv.slice(2);
const rows = Number(rowsArg ?? 30);
const profile = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const selfHits = new Map();
for (const s of profile.samples) selfHits.set(s, (selfHits.get(s) ?? 0) + 1);
const total = profile.samples.length;
const label = (n) => `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.replace(/^.*\/work\/main\//, '')}:${n.callFrame.lineNumber + 1}`;
const self = new Map();
const incl = new Map();
for (const [id, hits] of selfHits) {
  const n = byId.get(id);
  self.set(label(n), (self.get(label(n)) ?? 0) + hits);
  const seen = new Set();
  for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
    const l = label(byId.get(cur));
    if (seen.has(l)) continue;
    seen.add(l);
    incl.set(l, (incl.get(l) ?? 0) + hits);
  }
}
const print = (title, m) => {
  console.log(`\n${title} (of ${total} samples)`);
  for (const [l, h] of [...m].sort((a, b) => b[1] - a[1]).slice(0, rows)) console.log(`${((100 * h) / total).toFixed(1).padStart(5)}%  ${l}`);
};
print('self', self);
print('inclusive', incl);
