// One process per data dir: two processes appending to the same nedb file would interleave lines
// and each would compact away the other's writes. The lock is a file holding the owner's pid, created
// exclusively; a lock whose pid is no longer alive was left by a killed process and is taken over.
// Limits: a pid reused by an unrelated process after a crash looks alive (the message names the pid
// to check), and two processes taking over the same stale lock at the same instant may both succeed.
import * as fs from 'node:fs';
import * as path from 'node:path';

export const LOCK_FILE = 'LOCK';

export class DataDirLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(`data dir ${dataDir} is in use by process ${pid}; stop it or use --data-dir`);
    this.name = 'DataDirLockedError';
  }
}

export interface DataDirLock {
  readonly path: string;
  /** Whether a stale lock (dead pid) was taken over, and whose it was. */
  readonly tookOverFromPid?: number;
  release(): void;
}

export function acquireDataDirLock(dataDir: string, pid = process.pid): DataDirLock {
  const lockPath = path.join(dataDir, LOCK_FILE);
  let tookOverFromPid: number | undefined;
  // Two attempts: the second follows the removal of a stale lock. If another process wins that race,
  // its pid is alive and we report it.
  for (let attempt = 0; attempt < 2; attempt++) {
    if (tryCreateLock(lockPath, pid)) return { path: lockPath, tookOverFromPid, release: () => releaseLock(lockPath, pid) };
    const owner = readLockPid(lockPath);
    if (owner !== undefined && isAlive(owner)) throw new DataDirLockedError(dataDir, owner);
    tookOverFromPid = owner;
    fs.rmSync(lockPath, { force: true });
  }
  const owner = readLockPid(lockPath);
  throw new DataDirLockedError(dataDir, owner ?? -1);
}

/**
 * Writes the pid to a private file and hard-links it into place: link() fails with EEXIST like O_EXCL
 * does, and a lock that exists always already holds its pid (no window where it is empty).
 */
function tryCreateLock(lockPath: string, pid: number): boolean {
  const temp = `${lockPath}.${pid}.${process.hrtime.bigint()}`;
  fs.writeFileSync(temp, `${pid}\n`, { mode: 0o644 });
  try {
    fs.linkSync(temp, lockPath);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    fs.rmSync(temp, { force: true });
  }
}

function releaseLock(lockPath: string, pid: number): void {
  // Only remove our own lock: if it was (wrongly) taken over, the new owner keeps theirs.
  if (readLockPid(lockPath) === pid) fs.rmSync(lockPath, { force: true });
}

/** The pid in a lock file; undefined when the file is gone, empty or garbled (a lock torn mid-write). */
function readLockPid(lockPath: string): number | undefined {
  let text: string;
  try {
    text = fs.readFileSync(lockPath, 'utf8');
  } catch {
    return undefined;
  }
  const pid = Number.parseInt(text.trim(), 10);
  return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
