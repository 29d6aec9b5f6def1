// Durability of NedbStore across process death: SIGKILL mid-stream loses no acknowledged write, a torn
// last line is recovered and reported, the data-dir lock keeps a second process out, and the cluster
// resourceVersion never goes backwards across restarts. No Docker needed.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { DataDirLockedError, LOCK_FILE } from '../../main/store/data-dir-lock';
import type { StoreLogger } from '../../main/store/logger';
import { DATA_FILE, openNedbStore, type NedbStore } from '../../main/store/nedb-store';
import { isStoreError } from '../../main/store/store';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bosun-store-durability-'));
let dirs = 0;
const freshDir = () => path.join(root, `d${dirs++}`);
const writer = path.resolve(__dirname, '../fixtures/store-writer.ts');

const children: ChildProcess[] = [];
const stores: NedbStore[] = [];

afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await Promise.all(stores.splice(0).map((s) => s.close()));
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

function recordingLogger(): StoreLogger & { warnings: string[]; errors: string[] } {
  const warnings: string[] = [];
  const errors: string[] = [];
  return { info: () => undefined, warn: (m) => void warnings.push(m), error: (m) => void errors.push(m), warnings, errors };
}

async function open(dataDir: string, logger: StoreLogger = recordingLogger(), extra: { salvage?: boolean } = {}): Promise<NedbStore> {
  const store = await openNedbStore({ dataDir, logger, compactionIntervalMs: 0, ...extra });
  stores.push(store);
  return store;
}

/** Starts the fixture and resolves with it and a line reader once `ready(line)` says so. */
function startWriter(
  dataDir: string,
  mode: 'write' | 'hold',
  until: (line: string) => boolean,
  dieAfter?: number,
): Promise<{ child: ChildProcess; lines: string[] }> {
  const args = ['--import', 'tsx', writer, dataDir, mode, ...(dieAfter ? [String(dieAfter)] : [])];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const lines: string[] = [];
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  return new Promise((resolve, reject) => {
    const rl = readline.createInterface({ input: child.stdout! });
    const drained = new Promise<void>((r) => rl.once('close', () => r()));
    let done = false;
    rl.on('line', (line) => {
      lines.push(line);
      if (line.startsWith('FAILED') || line.startsWith('ERROR')) reject(new Error(`writer: ${line}`));
      if (!done && until(line)) {
        done = true;
        resolve({ child, lines });
      }
    });
    child.on('exit', (code, signal) => {
      // A self-kill is expected; wait for the rest of its output before resolving.
      if (!done && signal === 'SIGKILL' && dieAfter) void drained.then(() => resolve({ child, lines }));
      else if (!done) reject(new Error(`writer exited early (${code ?? signal}): ${stderr}`));
    });
  });
}

const exited = (child: ChildProcess) =>
  new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.on('exit', () => resolve())));

describe('NedbStore durability', () => {
  /** Checks a reopened store against the writer's output: every acknowledged write, in its last acknowledged state. */
  async function expectAcknowledgedWrites(dataDir: string, child: ChildProcess, lines: string[]): Promise<void> {
    // The last acknowledged operation per key; the in-flight one (BEGIN without ACK) may or may not have landed.
    const last = new Map<string, { verb: string; rv: number }>();
    let maxAcked = 0;
    let inFlight: string | undefined;
    for (const line of lines) {
      const [kind, verb, key, rv] = line.split(' ');
      if (kind === 'BEGIN') inFlight = key;
      if (kind === 'ACK') {
        last.set(key, { verb, rv: Number(rv) });
        maxAcked = Math.max(maxAcked, Number(rv));
        inFlight = undefined;
      }
    }
    expect(last.size).toBeGreaterThan(300);

    const store = await open(dataDir);
    expect(store.openReport.tookOverStaleLockFrom).toBe(child.pid);
    expect(store.resourceVersion).toBeGreaterThanOrEqual(maxAcked);
    let checked = 0;
    for (const [key, op] of last) {
      if (key === inFlight) continue;
      const stored = await store.get(key);
      if (op.verb === 'delete') expect(stored, key).toBeUndefined();
      else expect(stored?.metadata.resourceVersion, key).toBe(String(op.rv));
      checked++;
    }
    expect(checked).toBeGreaterThan(300);
    const next = await store.create('/core/configmaps/default/after-restart', { metadata: { name: 'after-restart' } });
    expect(Number(next.metadata.resourceVersion)).toBeGreaterThan(maxAcked);
  }

  it('loses no acknowledged write when the process is SIGKILLed mid-stream', async () => {
    const dataDir = freshDir();
    let acks = 0;
    const { child, lines } = await startWriter(dataDir, 'write', (line) => line.startsWith('ACK') && ++acks >= 600);
    child.kill('SIGKILL');
    await exited(child);
    expect(child.signalCode).toBe('SIGKILL');
    await expectAcknowledgedWrites(dataDir, child, lines);
  });

  it('loses no acknowledged write when SIGKILLed the instant after an acknowledgement', async () => {
    const dataDir = freshDir();
    const { child, lines } = await startWriter(dataDir, 'write', () => false, 500);
    await exited(child);
    expect(child.signalCode).toBe('SIGKILL');
    expect(lines.filter((l) => l.startsWith('ACK'))).toHaveLength(500);
    await expectAcknowledgedWrites(dataDir, child, lines);
  });

  it('recovers a torn last line, reports it, and leaves a clean file behind', async () => {
    const dataDir = freshDir();
    const first = await open(dataDir);
    for (let i = 0; i < 5; i++) await first.create(`/core/pods/default/p${i}`, { metadata: { name: `p${i}` } });
    const rv = first.resourceVersion;
    await first.close();
    // What a kill in the middle of an append leaves: half a record and no newline.
    fs.appendFileSync(path.join(dataDir, DATA_FILE), '{"_id":"/core/pods/default/torn","rv":999,"json":"{\\"metadata\\":{\\"na');

    const logger = recordingLogger();
    const store = await open(dataDir, logger);
    expect(store.openReport.droppedLines).toBe(1);
    expect(logger.warnings.join('\n')).toMatch(/dropped 1 damaged line/);
    expect(store.resourceVersion).toBe(rv);
    expect(await store.count('/core/pods/')).toBe(5);
    expect(await store.get('/core/pods/default/torn')).toBeUndefined();
    await store.close();
    stores.pop();

    const again = await open(dataDir);
    expect(again.openReport.droppedLines).toBe(0);
    expect(await again.count('/core/pods/')).toBe(5);
  });

  it('refuses damage in the middle of the file with a clear message, and salvages it when asked', async () => {
    const dataDir = freshDir();
    const first = await open(dataDir);
    for (let i = 0; i < 5; i++) await first.create(`/core/pods/default/p${i}`, { metadata: { name: `p${i}` } });
    await first.close();
    const file = path.join(dataDir, DATA_FILE);
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    const damaged = lines.findIndex((l) => l.includes('/core/pods/default/p2'));
    lines[damaged] = lines[damaged].slice(0, 20);
    fs.writeFileSync(file, lines.join('\n'));

    await expect(open(dataDir)).rejects.toThrow(new RegExp(`${DATA_FILE} is damaged: line\\(s\\) ${damaged + 1} .*salvage`));
    // Refusing released the lock and left the file as it was.
    expect(fs.existsSync(path.join(dataDir, LOCK_FILE))).toBe(false);
    expect(fs.readFileSync(file, 'utf8')).toBe(lines.join('\n'));

    const salvaged = await open(dataDir, recordingLogger(), { salvage: true });
    expect(salvaged.openReport.droppedLines).toBe(1);
    expect((await salvaged.list('/core/pods/')).items.map((o) => o.metadata.name)).toEqual(['p0', 'p1', 'p3', 'p4']);
  });

  it('keeps a second process out of a data dir in use, naming the dir and the pid, and takes over a stale lock', async () => {
    const dataDir = freshDir();
    const { child } = await startWriter(dataDir, 'hold', (line) => line.startsWith('READY'));
    const err = await open(dataDir).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DataDirLockedError);
    expect((err as Error).message).toBe(`data dir ${dataDir} is in use by process ${child.pid}; stop it or use --data-dir`);

    child.kill('SIGKILL');
    await exited(child);
    expect(fs.readFileSync(path.join(dataDir, LOCK_FILE), 'utf8').trim()).toBe(String(child.pid));
    const store = await open(dataDir);
    expect(store.openReport.tookOverStaleLockFrom).toBe(child.pid);
    expect(fs.readFileSync(path.join(dataDir, LOCK_FILE), 'utf8').trim()).toBe(String(process.pid));

    // The same process opening twice is refused too: both would append to one file.
    await expect(open(dataDir)).rejects.toThrow(`in use by process ${process.pid}`);
    await store.close();
    expect(fs.existsSync(path.join(dataDir, LOCK_FILE))).toBe(false);
  });

  it('keeps the resourceVersion monotonic across restarts, deletes included, and starts the watch window empty', async () => {
    const dataDir = freshDir();
    const first = await open(dataDir);
    await first.create('/core/pods/default/a', { metadata: { name: 'a' } });
    await first.create('/core/pods/default/b', { metadata: { name: 'b' } });
    // The newest RV is a deletion: no stored object carries it, only the counter does.
    const deleted = await first.delete('/core/pods/default/b');
    const rv = first.resourceVersion;
    expect(Number(deleted.metadata.resourceVersion)).toBe(rv);
    await first.close();

    const second = await open(dataDir);
    expect(second.resourceVersion).toBe(rv);
    let thrown: unknown;
    try {
      second.watch('/core/pods/', rv - 1, () => undefined);
    } catch (e) {
      thrown = e;
    }
    expect(isStoreError(thrown, 'Expired')).toBe(true);
    const events: string[] = [];
    second.watch('/core/pods/', rv, (e) => events.push(`${e.type} ${e.resourceVersion}`));
    const c = await second.create('/core/pods/default/c', { metadata: { name: 'c' } });
    expect(Number(c.metadata.resourceVersion)).toBe(rv + 1);
    expect(events).toEqual([`ADDED ${rv + 1}`]);
    await second.delete('/core/pods/default/c');
    await second.close();

    const third = await open(dataDir);
    expect(third.resourceVersion).toBe(rv + 2);
    expect((await third.list('/core/pods/')).items.map((o) => o.metadata.name)).toEqual(['a']);
  });
});
