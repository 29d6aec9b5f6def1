// Reads a sampling heap profile (tests/bench/cpu-profile.mjs, BOSUN_HEAP_PROFILE) and prints the
// allocation sites holding the most live memory, self and inclusive: node tests/bench/heap-top.mjs <file> [rows]
import { readFileSync } from 'node:fs';

const [file, rowsArg] = process.argv.slice(2);
const rows = Number(rowsArg ?? 30);
const { head } = JSON.parse(readFileSync(file, 'utf8'));
const label = (n) => `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.replace(/^.*\/work\/main\//, '')}:${n.callFrame.lineNumber + 1}`;
const self = new Map();
const incl = new Map();
let total = 0;
const walk = (n, stack) => {
  const l = label(n);
  const size = n.selfSize;
  total += size;
  self.set(l, (self.get(l) ?? 0) + size);
  const path = stack.includes(l) ? stack : [...stack, l];
  for (const s of path) incl.set(s, (incl.get(s) ?? 0) + size);
  for (const c of n.children) walk(c, path);
};
walk(head, []);
const print = (title, m) => {
  console.log(`\n${title} (of ${(total / 1048576).toFixed(0)} MB sampled live)`);
  for (const [l, b] of [...m].sort((a, b) => b[1] - a[1]).slice(0, rows)) console.log(`${(b / 1048576).toFixed(1).padStart(7)} MB  ${l}`);
};
print('self', self);
print('inclusive', incl);
