// Every message key the renderer uses exists in both languages, so no screen ever shows a raw key
// ("diagnosis.findings.x.title") or falls back to English in zh-CN.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createBosunI18n } from '../../../renderer/i18n';

const ROOT = join(__dirname, '../../../renderer');
// The messages exactly as the app loads them (en.ts/zh-CN.ts plus what i18n/index.ts merges in).
const i18n = createBosunI18n({ getItem: () => 'en' }, []);
const en = i18n.global.getLocaleMessage('en') as object;
const zhCN = i18n.global.getLocaleMessage('zh-CN') as object;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'i18n' ? [] : files(path);
    return /\.(vue|ts)$/.test(name) ? [path] : [];
  });
}

function lookup(messages: object, key: string): unknown {
  return key.split('.').reduce<unknown>((o, part) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[part] : undefined), messages);
}

function leafKeys(o: object, prefix = ''): string[] {
  return Object.entries(o).flatMap(([k, v]) => (v && typeof v === 'object' ? leafKeys(v, `${prefix}${k}.`) : [`${prefix}${k}`]));
}

interface Use {
  file: string;
  key: string;
  /** A template literal: only the static prefix is known, it must name a group of messages. */
  prefix: boolean;
}

/** t('a.b'), $t('a.b'), t(`a.b.${x}`), and descriptor labels/titles ('columns.ready', 'nav.pods'). */
export function keyUses(file: string, source: string): Use[] {
  const uses: Use[] = [];
  const rel = relative(ROOT, file);
  for (const m of source.matchAll(/(?<![\w.])\$?t\(\s*(['"])([\w.-]+)\1/g)) uses.push({ file: rel, key: m[2], prefix: false });
  // t(cond ? 'a.b' : 'c.d')
  for (const m of source.matchAll(/(?<![\w.])\$?t\(\s*[\w.!?=<>&|\s]+\?\s*'([\w.-]+)'\s*:\s*'([\w.-]+)'/g)) {
    uses.push({ file: rel, key: m[1], prefix: false }, { file: rel, key: m[2], prefix: false });
  }
  for (const m of source.matchAll(/(?<![\w.])\$?t\(\s*`([\w.-]*)\$\{/g)) uses.push({ file: rel, key: m[1].replace(/\.$/, ''), prefix: true });
  if (rel.startsWith('resources')) {
    for (const m of source.matchAll(/\b(?:label|title):\s*'([a-z][\w]*\.[\w.]+)'/g)) uses.push({ file: rel, key: m[1], prefix: false });
  }
  return uses;
}

const uses = files(ROOT).flatMap((f) => keyUses(f, readFileSync(f, 'utf8')));

describe('i18n key audit', () => {
  it('finds the keys the renderer uses (the scan itself works)', () => {
    expect(uses.length).toBeGreaterThan(300);
    expect(uses).toContainEqual({ file: join('components', 'detail', 'PodDiagnosisSection.vue'), key: 'diagnosis.findings', prefix: true });
    expect(keyUses(join(ROOT, 'x.vue'), `{{ t('a.b', { n }) }} $t("c.d") format(x) it('no') t(\`e.f.\${g}\`) t(ok ? 'g.h' : 'i.j')`)).toEqual([
      { file: 'x.vue', key: 'a.b', prefix: false },
      { file: 'x.vue', key: 'c.d', prefix: false },
      { file: 'x.vue', key: 'g.h', prefix: false },
      { file: 'x.vue', key: 'i.j', prefix: false },
      { file: 'x.vue', key: 'e.f', prefix: true },
    ]);
  });

  it('has every used key in en and zh-CN', () => {
    const missing = (messages: object) =>
      uses
        .filter((u) => {
          const v = lookup(messages, u.key);
          return u.prefix ? !(v && typeof v === 'object') : typeof v !== 'string';
        })
        .map((u) => `${u.file}: ${u.key}`);
    expect(missing(en)).toEqual([]);
    expect(missing(zhCN)).toEqual([]);
  });

  it('has no key in only one language', () => {
    const enKeys = new Set(leafKeys(en));
    const zhKeys = new Set(leafKeys(zhCN));
    expect([...enKeys].filter((k) => !zhKeys.has(k))).toEqual([]);
    expect([...zhKeys].filter((k) => !enKeys.has(k))).toEqual([]);
  });

  it('keeps the same placeholders in both languages', () => {
    const placeholders = (s: unknown) => [...String(s).matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    const differing = leafKeys(en).filter((k) => placeholders(lookup(en, k)).join() !== placeholders(lookup(zhCN, k)).join());
    expect(differing).toEqual([]);
  });
});
