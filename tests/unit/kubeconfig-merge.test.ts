import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { backupPathFor, KubeconfigMergeError, mergeKubeconfigFile, planKubeconfigMerge } from '../../main/kubeconfig-merge';

const target = { server: 'https://127.0.0.1:7443', caCertificate: '-----BEGIN CERTIFICATE-----\nabc\n-----END CERTIFICATE-----\n', token: 'tok-1' };
const caData = Buffer.from(target.caCertificate).toString('base64');

// As kubectl writes it (sequences not indented), with a comment and quoting a re-serialiser would change.
const KUBECTL_STYLE = `apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: QUJD
    server: "https://10.0.0.1:6443"
  name: prod   # the real one
contexts:
- context:
    cluster: prod
    user: admin
  name: prod
current-context: prod
kind: Config
preferences: {}
users:
- name: admin
  user:
    token: 'secret'
`;

function named(list: Array<{ name: string }>, name: string): unknown {
  return list.find((e) => e.name === name);
}

describe('planKubeconfigMerge', () => {
  it('creates a complete kubeconfig when there is no file, without choosing a current context', () => {
    const plan = planKubeconfigMerge(undefined, target);
    const config = parse(plan.text);
    expect(config.kind).toBe('Config');
    expect(named(config.clusters, 'bosun')).toEqual({ name: 'bosun', cluster: { server: target.server, 'certificate-authority-data': caData } });
    expect(named(config.users, 'bosun')).toEqual({ name: 'bosun', user: { token: 'tok-1' } });
    expect(named(config.contexts, 'bosun')).toEqual({ name: 'bosun', context: { cluster: 'bosun', user: 'bosun', namespace: 'default' } });
    expect(config['current-context']).toBe('');
    expect(plan.changes[0]).toMatch(/does not exist yet/);
    expect(planKubeconfigMerge('', target, { setCurrentContext: true }).text).toMatch(/^current-context: bosun$/m);
  });

  it('adds bosun entries and keeps every other line of a kubectl-written file byte-for-byte', () => {
    const plan = planKubeconfigMerge(KUBECTL_STYLE, target);
    expect(plan.changed).toBe(true);
    // Removing the added entries gives back the original text exactly.
    const withoutBosun = plan.text
      .split('\n')
      .filter((l, i, all) => !isInBosunEntry(all, i))
      .join('\n');
    expect(withoutBosun).toBe(KUBECTL_STYLE);
    const config = parse(plan.text);
    expect(config.clusters.map((c: { name: string }) => c.name)).toEqual(['prod', 'bosun']);
    expect(config.users.map((c: { name: string }) => c.name)).toEqual(['admin', 'bosun']);
    expect(config['current-context']).toBe('prod');
    expect(plan.changes).toContain('cluster "bosun": added');
    expect(plan.changes.at(-1)).toMatch(/current-context: unchanged \("prod"\)/);
    // The new items follow the file's own sequence indentation (no indent before "-").
    expect(plan.text).toMatch(/\n- cluster:\n {4}certificate-authority-data: [^\n]+\n {4}server: https:\/\/127\.0\.0\.1:7443\n {2}name: bosun\n/);
  });

  it('replaces an existing bosun entry in place and touches nothing else', () => {
    const first = planKubeconfigMerge(KUBECTL_STYLE, target).text;
    const second = planKubeconfigMerge(first, { ...target, server: 'https://127.0.0.1:9443', token: 'tok-2' });
    const before = first.split('\n');
    const after = second.text.split('\n');
    expect(after).toHaveLength(before.length);
    const differing = after.filter((l, i) => l !== before[i]);
    expect(differing).toEqual(['    server: https://127.0.0.1:9443', '    token: tok-2']);
    expect(second.changes).toContain('cluster "bosun": replaced (server https://127.0.0.1:7443 → https://127.0.0.1:9443)');
    expect(second.changes).toContain('user "bosun": replaced (new token)');
    expect(second.changes.some((c) => c.startsWith('context'))).toBe(false);
    // Same lab again: nothing to do.
    expect(planKubeconfigMerge(first, target).changed).toBe(false);
  });

  it('replaces a hand-written bosun entry with indented sequences and comments around it', () => {
    const text = `# my config\napiVersion: v1\nkind: Config\nclusters:\n  - name: bosun\n    cluster:\n      server: https://old:1\n  - name: other # keep me\n    cluster: {server: "https://o:2"}\nusers:\n  - name: u\n    user: {}\ncontexts: []\ncurrent-context: other\n`;
    const plan = planKubeconfigMerge(text, target, { setCurrentContext: true });
    const config = parse(plan.text);
    expect(config.clusters).toEqual([
      { name: 'bosun', cluster: { 'certificate-authority-data': caData, server: target.server } },
      { name: 'other', cluster: { server: 'https://o:2' } },
    ]);
    expect(config.contexts).toEqual([{ name: 'bosun', context: { cluster: 'bosun', user: 'bosun', namespace: 'default' } }]);
    expect(config.users.map((u: { name: string }) => u.name)).toEqual(['u', 'bosun']);
    expect(config['current-context']).toBe('bosun');
    expect(plan.text).toContain('# my config\n');
    expect(plan.text).toContain('  - name: other # keep me\n    cluster: {server: "https://o:2"}\n');
    expect(plan.changes).toContain('current-context: "other" → "bosun"');
  });

  it('fills sections kubectl wrote as null and adds missing ones', () => {
    const plan = planKubeconfigMerge('apiVersion: v1\nclusters: null\nkind: Config\n', target);
    const config = parse(plan.text);
    expect(config.clusters).toHaveLength(1);
    expect(config.users).toHaveLength(1);
    expect(config.contexts).toHaveLength(1);
    expect(plan.text.startsWith('apiVersion: v1\nclusters:\n- cluster:')).toBe(true);
  });

  it('refuses malformed YAML and non-kubeconfig shapes with a clear message', () => {
    expect(() => planKubeconfigMerge('clusters:\n- name: a\n  cluster: [unclosed\n', target, { fileLabel: '/home/me/.kube/config' })).toThrowError(
      /\/home\/me\/\.kube\/config is not valid YAML .*Nothing was changed/,
    );
    expect(() => planKubeconfigMerge('- just\n- a list\n', target)).toThrowError(KubeconfigMergeError);
    expect(() => planKubeconfigMerge('clusters: {a: 1}\n', target)).toThrowError(/"clusters" is not a list/);
  });
});

/** Lines belonging to a `bosun` list item (from its "- " line to the line before the next item/key). */
function isInBosunEntry(lines: string[], index: number): boolean {
  let start = index;
  while (start >= 0 && !/^-\s/.test(lines[start]) && /^\s/.test(lines[start])) start--;
  if (start < 0 || !/^-\s/.test(lines[start])) return false;
  let end = start + 1;
  while (end < lines.length && /^\s/.test(lines[end])) end++;
  return lines.slice(start, end).some((l) => /^\s*-?\s*name: bosun$/.test(l));
}

describe('mergeKubeconfigFile', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
  const tempDir = (): string => {
    const d = mkdtempSync(join(tmpdir(), 'bosun-kcm-'));
    dirs.push(d);
    return d;
  };

  it('backs up the old file, writes 0600, and creates the file when missing', async () => {
    const dir = tempDir();
    const path = join(dir, '.kube', 'config');
    const created = await mergeKubeconfigFile(path, target);
    expect(created.backupPath).toBeUndefined();
    expect(statSync(path).mode & 0o777).toBe(0o600);
    writeFileSync(path, KUBECTL_STYLE, { mode: 0o644 });
    const now = new Date('2026-11-23T00:38:33.123Z');
    const merged = await mergeKubeconfigFile(path, target, { now });
    expect(merged.backupPath).toBe(`${path}.bak-20261123T003833Z`);
    expect(backupPathFor(path, now)).toBe(merged.backupPath);
    expect(readFileSync(merged.backupPath!, 'utf8')).toBe(KUBECTL_STYLE);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(parse(readFileSync(path, 'utf8')).clusters).toHaveLength(2);
  });

  it('leaves a malformed file untouched and writes no backup', async () => {
    const dir = tempDir();
    const path = join(dir, 'config');
    writeFileSync(path, 'a: [\n');
    await expect(mergeKubeconfigFile(path, target)).rejects.toThrowError(KubeconfigMergeError);
    expect(readFileSync(path, 'utf8')).toBe('a: [\n');
    expect(readdirSync(dir)).toEqual(['config']);
  });
});
