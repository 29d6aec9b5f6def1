// Kubernetes' AtomicWriter (pkg/volume/util/atomic_writer.go) for configMap/secret/downwardAPI/projected
// volumes. Layout of a volume directory:
//   ..2026_01_01_10_00_00.123456789/   the current payload (files with their modes, nested paths)
//   ..data -> ..2026_01_01_10_00_00.123456789
//   key    -> ..data/key                one symlink per top-level path of the payload
// An update writes a new timestamped dir, points `..data_tmp` at it and renames that over `..data`
// (rename(2) is atomic), so a container that mounted the directory sees either the old or the new
// payload, never a mix, and without a restart. A subPath mount binds one resolved file instead, which
// therefore never updates — the same caveat as Kubernetes.
import { randomBytes } from 'node:crypto';
import { lstat, mkdir, readdir, readFile, readlink, rename, rm, stat, symlink, writeFile, chmod } from 'node:fs/promises';
import { dirname, join } from 'node:path';

export interface FileProjection {
  data: Buffer;
  /** File mode, e.g. 0o644. */
  mode: number;
}

export const DATA_DIR_NAME = '..data';
const NEW_DATA_DIR_NAME = '..data_tmp';

/** A payload path must be relative, without `..` elements, and not start with `..` (validatePath). */
export function validatePayloadPath(path: string): string | undefined {
  if (!path) return 'invalid path: must not be empty';
  if (path.startsWith('/')) return `invalid path: must be relative path: ${path}`;
  if (path.length > 4096) return `invalid path: must be less than or equal to 4096 characters`;
  const parts = path.split('/');
  if (parts.some((p) => p === '..')) return `invalid path: must not contain '..': ${path}`;
  if (parts[0].startsWith('..')) return `invalid path: must not start with '..': ${path}`;
  return undefined;
}

function timestampDirName(now: Date): string {
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  const stamp = `${now.getUTCFullYear()}_${p(now.getUTCMonth() + 1)}_${p(now.getUTCDate())}_${p(now.getUTCHours())}_${p(now.getUTCMinutes())}_${p(now.getUTCSeconds())}`;
  return `..${stamp}.${randomBytes(5).readUInt32BE(0)}`;
}

const exists = (path: string): Promise<boolean> => lstat(path).then(() => true, () => false);

async function currentDataDir(target: string): Promise<string | undefined> {
  try {
    return await readlink(join(target, DATA_DIR_NAME));
  } catch {
    return undefined;
  }
}

async function payloadUnchanged(dir: string, payload: Map<string, FileProjection>): Promise<boolean> {
  const existing = await listFiles(dir);
  if (existing.length !== payload.size) return false;
  for (const path of existing) {
    const want = payload.get(path);
    if (!want) return false;
    const [data, st] = await Promise.all([readFile(join(dir, path)), stat(join(dir, path))]);
    if (!data.equals(want.data) || (st.mode & 0o7777) !== want.mode) return false;
  }
  return true;
}

async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...(await listFiles(dir, rel)));
    else out.push(rel);
  }
  return out;
}

/**
 * Writes `payload` (relative path → contents and mode) into `target` with the atomic layout.
 * Returns false (and touches nothing) when the payload equals what is already there.
 */
export async function writeAtomically(target: string, payload: Map<string, FileProjection>, now = new Date()): Promise<boolean> {
  for (const path of payload.keys()) {
    const problem = validatePayloadPath(path);
    if (problem) throw new Error(problem);
  }
  await mkdir(target, { recursive: true, mode: 0o755 });
  const old = await currentDataDir(target);
  if (old && (await exists(join(target, old))) && (await payloadUnchanged(join(target, old), payload))) return false;

  const tsDir = timestampDirName(now);
  const tsPath = join(target, tsDir);
  await mkdir(tsPath, { mode: 0o755 });
  for (const [path, file] of payload) {
    const full = join(tsPath, path);
    await mkdir(dirname(full), { recursive: true, mode: 0o755 });
    await writeFile(full, file.data, { mode: file.mode });
    await chmod(full, file.mode); // writeFile's mode is masked by the umask
  }
  // The directory itself must be traversable by any container user, like the kubelet's 0755.
  await chmod(tsPath, 0o755);

  const tmpLink = join(target, NEW_DATA_DIR_NAME);
  await rm(tmpLink, { force: true });
  await symlink(tsDir, tmpLink);
  await rename(tmpLink, join(target, DATA_DIR_NAME));

  // User-visible names: one symlink per top-level path; stale ones go.
  const top = new Set([...payload.keys()].map((p) => p.split('/')[0]));
  for (const name of top) {
    const link = join(target, name);
    if (!(await exists(link))) await symlink(join(DATA_DIR_NAME, name), link);
  }
  for (const entry of await readdir(target)) {
    if (entry.startsWith('..')) {
      if (entry !== DATA_DIR_NAME && entry !== tsDir) await rm(join(target, entry), { recursive: true, force: true });
      continue;
    }
    if (!top.has(entry)) await rm(join(target, entry), { recursive: true, force: true });
  }
  return true;
}
