// Merging the lab into the user's own kubeconfig (~/.kube/config) as cluster, user and context `bosun`.
// The file belongs to the user and holds credentials for other clusters, so the merge edits the text in
// place: only the `bosun` entries (and current-context, when asked) change, every other byte — comments,
// quoting, key order, indentation — stays as it was. Anything the merge cannot read is refused, not
// "repaired". kubectl's own `config set-*` would rewrite the whole file in its canonical form.
import { copyFile, chmod, readFile, rename, stat, writeFile, mkdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { isMap, isScalar, isSeq, parseDocument, stringify, type Node as YamlNode, type Pair, type YAMLMap, type YAMLSeq } from 'yaml';
import { KUBECONFIG_CONTEXT, type KubeconfigTarget } from './kubeconfig';

/** Cluster, user and context all carry this name in the merged file. */
export const MERGED_ENTRY_NAME = KUBECONFIG_CONTEXT;

/** A kubeconfig the merge refuses to touch; the message names the file and what to do. Nothing was written. */
export class KubeconfigMergeError extends Error {}

export interface KubeconfigMergeOptions {
  /** Make `bosun` the current context. Off by default: switching someone's kubectl is their call. */
  setCurrentContext?: boolean;
  /** Shown in messages; default "the kubeconfig". */
  fileLabel?: string;
}

export interface KubeconfigMergePlan {
  /** The file's new text. */
  text: string;
  /** One line per change, for the confirmation dialog ("cluster \"bosun\": added" …). */
  changes: string[];
  /** Whether anything differs from the input. */
  changed: boolean;
}

type Section = 'clusters' | 'users' | 'contexts';
const SECTIONS: readonly Section[] = ['clusters', 'users', 'contexts'];
const SINGULAR: Record<Section, string> = { clusters: 'cluster', users: 'user', contexts: 'context' };

/** The entries as kubectl writes them (value first, then name). */
function desiredEntries(target: KubeconfigTarget): Record<Section, Record<string, unknown>> {
  return {
    clusters: { cluster: { 'certificate-authority-data': Buffer.from(target.caCertificate).toString('base64'), server: target.server }, name: MERGED_ENTRY_NAME },
    users: { name: MERGED_ENTRY_NAME, user: { token: target.token } },
    contexts: { context: { cluster: MERGED_ENTRY_NAME, namespace: 'default', user: MERGED_ENTRY_NAME }, name: MERGED_ENTRY_NAME },
  };
}

interface Edit {
  start: number;
  end: number;
  text: string;
}

function columnOf(text: string, offset: number): number {
  return offset - (text.lastIndexOf('\n', offset - 1) + 1);
}

/** A mapping rendered as block YAML whose first line continues at `column` and the rest are indented to it. */
function renderMapping(value: Record<string, unknown>, column: number): string {
  const lines = stringify(value, { indentSeq: false, lineWidth: 0 }).replace(/\n$/, '').split('\n');
  return lines.map((l, i) => (i === 0 ? l : `${' '.repeat(column)}${l}`)).join('\n');
}

function entryName(item: unknown): string | undefined {
  if (!isMap(item)) return undefined;
  const name = item.get('name');
  return typeof name === 'string' ? name : undefined;
}

function describe(section: Section, before: unknown, after: Record<string, unknown>): string | undefined {
  const kind = SINGULAR[section];
  if (before === undefined) return `${kind} "${MERGED_ENTRY_NAME}": added`;
  if (JSON.stringify(before) === JSON.stringify(after)) return undefined;
  if (section === 'clusters') {
    const oldServer = (before as { cluster?: { server?: string } }).cluster?.server;
    const newServer = (after as { cluster: { server: string } }).cluster.server;
    return `${kind} "${MERGED_ENTRY_NAME}": replaced (server ${oldServer ?? '(none)'} → ${newServer}${oldServer === newServer ? ', new certificate' : ''})`;
  }
  if (section === 'users') return `${kind} "${MERGED_ENTRY_NAME}": replaced (new token)`;
  return `${kind} "${MERGED_ENTRY_NAME}": replaced`;
}

function freshFile(entries: Record<Section, Record<string, unknown>>, setCurrentContext: boolean): string {
  return stringify(
    {
      apiVersion: 'v1',
      clusters: [entries.clusters],
      contexts: [entries.contexts],
      'current-context': setCurrentContext ? MERGED_ENTRY_NAME : '',
      kind: 'Config',
      preferences: {},
      users: [entries.users],
    },
    { indentSeq: false, lineWidth: 0 },
  );
}

/**
 * The merged text of `existing` (undefined or blank = no file yet). Throws KubeconfigMergeError for YAML
 * that does not parse or is not a kubeconfig shape (top-level mapping; clusters/users/contexts lists).
 */
export function planKubeconfigMerge(existing: string | undefined, target: KubeconfigTarget, options: KubeconfigMergeOptions = {}): KubeconfigMergePlan {
  const label = options.fileLabel ?? 'the kubeconfig';
  const entries = desiredEntries(target);
  const setCurrent = options.setCurrentContext === true;
  if (existing === undefined || existing.trim() === '') {
    const changes = SECTIONS.map((s) => `${SINGULAR[s]} "${MERGED_ENTRY_NAME}": added`);
    changes.push(setCurrent ? `current-context: set to "${MERGED_ENTRY_NAME}"` : 'current-context: left empty (use kubectl --context bosun)');
    return { text: freshFile(entries, setCurrent), changes: [`${label} does not exist yet: it will be created`, ...changes], changed: true };
  }
  const doc = parseDocument(existing, { keepSourceTokens: false, prettyErrors: true, uniqueKeys: false });
  if (doc.errors.length > 0) {
    const first = doc.errors[0];
    throw new KubeconfigMergeError(`${label} is not valid YAML (${first.message.split('\n')[0]}). Nothing was changed; fix or move the file, then try again.`);
  }
  const root = doc.contents;
  if (!isMap(root)) {
    throw new KubeconfigMergeError(`${label} is not a kubeconfig (its top level is not a mapping of apiVersion, clusters, users, contexts…). Nothing was changed.`);
  }
  const edits: Edit[] = [];
  const changes: string[] = [];
  let appended = '';
  for (const section of SECTIONS) {
    const desired = entries[section];
    const pair = root.items.find((p) => isScalar(p.key) && p.key.value === section) as Pair<YamlNode, YamlNode | null> | undefined;
    const value = pair?.value;
    const emptyValue = !value || (isScalar(value) && (value.value === null || value.value === '')) || (isSeq(value) && value.items.length === 0);
    if (!pair || emptyValue) {
      // kubectl writes `clusters: null` for an empty list; replace that value, or add the key at the end.
      changes.push(`${SINGULAR[section]} "${MERGED_ENTRY_NAME}": added`);
      const block = `\n- ${renderMapping(desired, 2)}`;
      if (pair && value?.range) edits.push({ start: pair.key && isScalar(pair.key) && pair.key.range ? pair.key.range[1] : value.range[0], end: value.range[1], text: `:${block}` });
      else if (pair) throw new KubeconfigMergeError(`${label}: could not locate the "${section}" entry in the text. Nothing was changed.`);
      else appended += `${section}:${block}\n`;
      continue;
    }
    if (!isSeq(value)) throw new KubeconfigMergeError(`${label}: "${section}" is not a list. Nothing was changed; fix the file, then try again.`);
    const seq = value as YAMLSeq<unknown>;
    if (seq.flow) throw new KubeconfigMergeError(`${label}: "${section}" is written as a flow list ([…]); the merge only edits block lists. Nothing was changed.`);
    const index = seq.items.findIndex((item) => entryName(item) === MERGED_ENTRY_NAME);
    if (index >= 0) {
      const item = seq.items[index] as YAMLMap;
      if (item.flow || !item.range) throw new KubeconfigMergeError(`${label}: the ${SINGULAR[section]} "${MERGED_ENTRY_NAME}" is written in flow style ({…}); edit it by hand. Nothing was changed.`);
      const change = describe(section, item.toJSON(), desired);
      if (!change) continue;
      changes.push(change);
      const [start, , end] = item.range;
      const original = existing.slice(start, end);
      // Keep whatever trailed the entry (newline, blank line) so the next entry stays where it was.
      const trailing = /\s*$/.exec(original)?.[0] ?? '';
      edits.push({ start, end, text: renderMapping(desired, columnOf(existing, start)) + trailing });
    } else {
      const last = seq.items[seq.items.length - 1] as YamlNode;
      if (!last.range) throw new KubeconfigMergeError(`${label}: could not locate the "${section}" list in the text. Nothing was changed.`);
      changes.push(`${SINGULAR[section]} "${MERGED_ENTRY_NAME}": added`);
      const contentColumn = columnOf(existing, last.range[0]);
      const lineStart = existing.lastIndexOf('\n', last.range[0] - 1) + 1;
      const dashColumn = existing.lastIndexOf('-', last.range[0]) - lineStart;
      const end = last.range[2];
      const needsNewline = !existing.slice(0, end).endsWith('\n');
      const gap = ' '.repeat(Math.max(1, contentColumn - dashColumn - 1));
      edits.push({ start: end, end, text: `${needsNewline ? '\n' : ''}${' '.repeat(Math.max(0, dashColumn))}-${gap}${renderMapping(desired, contentColumn)}\n` });
    }
  }
  const currentPair = root.items.find((p) => isScalar(p.key) && p.key.value === 'current-context') as Pair<YamlNode, YamlNode | null> | undefined;
  const current = currentPair?.value && isScalar(currentPair.value) ? String(currentPair.value.value ?? '') : '';
  if (setCurrent && current !== MERGED_ENTRY_NAME) {
    changes.push(`current-context: "${current || '(none)'}" → "${MERGED_ENTRY_NAME}"`);
    if (currentPair?.value?.range && isScalar(currentPair.value) && currentPair.value.value !== null) {
      edits.push({ start: currentPair.value.range[0], end: currentPair.value.range[1], text: MERGED_ENTRY_NAME });
    } else if (currentPair && isScalar(currentPair.key) && currentPair.key.range) {
      const end = currentPair.value?.range ? currentPair.value.range[1] : currentPair.key.range[1] + 1;
      edits.push({ start: currentPair.key.range[1], end, text: `: ${MERGED_ENTRY_NAME}` });
    } else appended += `current-context: ${MERGED_ENTRY_NAME}\n`;
  } else if (changes.length > 0) {
    changes.push(`current-context: unchanged (${current ? `"${current}"` : 'none'}); use kubectl --context ${MERGED_ENTRY_NAME}`);
  }
  let text = existing;
  for (const edit of edits.sort((a, b) => b.start - a.start)) text = text.slice(0, edit.start) + edit.text + text.slice(edit.end);
  if (appended) text = `${text}${text.endsWith('\n') ? '' : '\n'}${appended}`;
  // The merge must never produce something it could not read back.
  const check = parseDocument(text);
  if (check.errors.length > 0) throw new KubeconfigMergeError(`${label}: the merge would produce invalid YAML (${check.errors[0].message.split('\n')[0]}); nothing was changed. Please report this.`);
  return { text, changes, changed: text !== existing };
}

/** ~/.kube/config (kubectl's default when KUBECONFIG is unset). */
export function defaultUserKubeconfigPath(home = homedir()): string {
  return join(home, '.kube', 'config');
}

/** config.bak-20261123T003833Z: sortable, no characters that file systems dislike. */
export function backupPathFor(path: string, now: Date): string {
  return `${path}.bak-${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}`;
}

export interface KubeconfigMergeResult extends KubeconfigMergePlan {
  /** Where the previous file was copied, when there was one and something changed. */
  backupPath?: string;
}

/** Reads the file (missing = empty), plans the merge; does not write. */
export async function readKubeconfigMergePlan(path: string, target: KubeconfigTarget, options: KubeconfigMergeOptions = {}): Promise<KubeconfigMergePlan> {
  let existing: string | undefined;
  try {
    existing = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new KubeconfigMergeError(`could not read ${path}: ${(e as Error).message}. Nothing was changed.`);
  }
  return planKubeconfigMerge(existing, target, { fileLabel: path, ...options });
}

/**
 * Backs the old file up as <path>.bak-<time> (same mode), then replaces it atomically with mode 0600.
 * Re-plans from the file as it is now, so a change made since the user confirmed is not overwritten blindly.
 */
export async function mergeKubeconfigFile(path: string, target: KubeconfigTarget, options: KubeconfigMergeOptions & { now?: Date } = {}): Promise<KubeconfigMergeResult> {
  const plan = await readKubeconfigMergePlan(path, target, options);
  if (!plan.changed) return plan;
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  let backupPath: string | undefined;
  const existed = await stat(path).then(() => true, () => false);
  if (existed) {
    backupPath = backupPathFor(path, options.now ?? new Date());
    await copyFile(path, backupPath);
    await chmod(backupPath, 0o600);
  }
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, plan.text, { mode: 0o600 });
  await chmod(tmp, 0o600);
  await rename(tmp, path);
  return { ...plan, backupPath };
}
