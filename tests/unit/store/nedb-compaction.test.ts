// Compaction of the nedb data file: by threshold, by period (fake clock), on demand, and failures
// reported rather than swallowed. Uses real files in a temp dir (no Docker).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Datastore from '@seald-io/nedb';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../../main/client/clock';
import { DATA_FILE, openNedbStore, type NedbStore, type NedbStoreOptions } from '../../../main/store/nedb-store';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bosun-store-compaction-'));
let n = 0;
const stores: NedbStore[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const logger = () => {
  const errors: string[] = [];
  return { info: () => undefined, warn: () => undefined, error: (m: string) => void errors.push(m), errors };
};

async function open(options: Partial<NedbStoreOptions> = {}): Promise<NedbStore> {
  const store = await openNedbStore({ dataDir: path.join(root, `d${n++}`), compactionIntervalMs: 0, logger: logger(), ...options });
  stores.push(store);
  return store;
}

const lineCount = (store: NedbStore) => fs.readFileSync(path.join(store.dataDir, DATA_FILE), 'utf8').split('\n').filter(Boolean).length;

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(check()).toBe(true);
}

describe('NedbStore compaction', () => {
  it('compacts once the appended lines pass the threshold, keeping the content', async () => {
    const store = await open({ compactionMinAppendedLines: 20 });
    await store.create('/core/configmaps/default/cm', { metadata: { name: 'cm' }, data: { v: '0' } });
    for (let i = 1; i < 25; i++) {
      const cm = (await store.get('/core/configmaps/default/cm'))!;
      await store.update('/core/configmaps/default/cm', { ...cm, data: { v: String(i) } });
    }
    await until(() => store.compactionStats().compactions >= 1);
    expect(store.compactionStats().compactionFailures).toBe(0);
    // One live object plus the appends since the compaction, not all 25 versions.
    expect(lineCount(store)).toBeLessThan(10);
    expect((await store.get('/core/configmaps/default/cm'))!.data).toEqual({ v: '24' });
  });

  it('compacts periodically when something was appended since the last time', async () => {
    const clock = new FakeClock();
    const store = await open({ clock, compactionIntervalMs: 60_000 });
    clock.step(60_000);
    await new Promise((r) => setTimeout(r, 20));
    expect(store.compactionStats().compactions).toBe(0);
    await store.create('/core/pods/default/a', { metadata: { name: 'a' } });
    await store.update('/core/pods/default/a', { metadata: { name: 'a', labels: { x: 'y' } } });
    expect(lineCount(store)).toBe(2);
    clock.step(60_000);
    await until(() => store.compactionStats().compactions === 1);
    expect(lineCount(store)).toBe(1);
    expect(store.compactionStats().appendedSinceCompaction).toBe(0);
  });

  it('reports a failed compaction (log, counter, rejection) and keeps serving writes', async () => {
    const log = logger();
    const store = await open({ logger: log });
    await store.create('/core/pods/default/a', { metadata: { name: 'a' } });
    // nedb rewrites through `<file>~`; a directory in its way makes the rewrite fail.
    const blocker = path.join(store.dataDir, `${DATA_FILE}~`);
    fs.mkdirSync(blocker);
    await expect(store.compact()).rejects.toThrow();
    expect(store.compactionStats()).toMatchObject({ compactions: 0, compactionFailures: 1 });
    expect(store.compactionStats().lastCompactionError).toBeTruthy();
    expect(log.errors.join('\n')).toMatch(/compaction of the store data file failed/);

    const b = await store.create('/core/pods/default/b', { metadata: { name: 'b' } });
    expect(b.metadata.resourceVersion).toBe('2');
    fs.rmdirSync(blocker);
    await store.compact();
    expect(store.compactionStats()).toMatchObject({ compactions: 1, compactionFailures: 1 });
    expect(lineCount(store)).toBe(2);
  });

  it('appends the writes that queue up behind an append as one batch, and reloads them all', async () => {
    const store = await open();
    const before = store.compactionStats().appends;
    const writes = Array.from({ length: 50 }, (_, i) => store.create(`/core/configmaps/default/cm-${i}`, { metadata: { name: `cm-${i}` }, data: { i: String(i) } }));
    const created = await Promise.all(writes);
    expect(created.map((o) => o.metadata.resourceVersion)).toEqual(created.map((_, i) => String(i + 1)));
    const appends = store.compactionStats().appends - before;
    expect(appends).toBeGreaterThanOrEqual(1);
    expect(appends).toBeLessThan(50);
    expect(lineCount(store)).toBe(50);
    const dataDir = store.dataDir;
    await stores.splice(stores.indexOf(store), 1)[0]!.close();
    const reopened = await openNedbStore({ dataDir, compactionIntervalMs: 0, logger: logger() });
    stores.push(reopened);
    expect(await reopened.count('/core/configmaps/')).toBe(50);
    expect((await reopened.get('/core/configmaps/default/cm-49'))!.data).toEqual({ i: '49' });
    expect(reopened.resourceVersion).toBe(50);
  });

  it('keeps appending to the data file that a compaction put in place', async () => {
    const store = await open();
    await store.create('/core/configmaps/default/a', { metadata: { name: 'a' } });
    await store.update('/core/configmaps/default/a', { metadata: { name: 'a' }, data: { v: '1' } });
    // Writes issued while the compaction runs, and after it.
    const during = store.create('/core/configmaps/default/b', { metadata: { name: 'b' } });
    await Promise.all([store.compact(), during]);
    await store.delete('/core/configmaps/default/a');
    const text = fs.readFileSync(path.join(store.dataDir, DATA_FILE), 'utf8');
    // The delete reached the file the compaction wrote (an append to the replaced file would be lost).
    expect(text).toContain('"$$deleted":true');
    const dataDir = store.dataDir;
    await stores.splice(stores.indexOf(store), 1)[0]!.close();
    const reopened = await openNedbStore({ dataDir, compactionIntervalMs: 0, logger: logger() });
    stores.push(reopened);
    expect(await reopened.get('/core/configmaps/default/a')).toBeUndefined();
    expect((await reopened.get('/core/configmaps/default/b'))!.metadata.name).toBe('b');
    expect(reopened.resourceVersion).toBe(4);
  });

  it("writes, a chunk at a time, the very file nedb's own compaction writes", async () => {
    const store = await open();
    // About 2.5 MB of live documents: more than two of the streamed compaction's 1 MB chunks.
    const filler = 'x'.repeat(10_000);
    for (let i = 0; i < 500; i++) await store.create(`/core/configmaps/default/cm-${i}`, { metadata: { name: `cm-${i}` }, data: { filler, quote: 'say "hi"\n' } });
    for (let i = 0; i < 500; i += 2) await store.delete(`/core/configmaps/default/cm-${i}`);
    await store.compact();
    const file = path.join(store.dataDir, DATA_FILE);
    const ours = fs.readFileSync(file, 'utf8');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.existsSync(`${file}~`)).toBe(false);

    // nedb, unpatched, loading the same file and compacting it in its own way.
    const copy = path.join(root, `nedb-own-${n++}.db`);
    fs.copyFileSync(file, copy);
    const plain = new Datastore({ filename: copy });
    await plain.loadDatabaseAsync();
    await plain.compactDatafileAsync();
    expect(ours.length).toBeGreaterThan(2 * 1024 * 1024);
    expect(ours).toBe(fs.readFileSync(copy, 'utf8'));

    const dataDir = store.dataDir;
    await stores.splice(stores.indexOf(store), 1)[0]!.close();
    const reopened = await openNedbStore({ dataDir, compactionIntervalMs: 0, logger: logger() });
    stores.push(reopened);
    expect(await reopened.count('/core/configmaps/')).toBe(250);
    expect((await reopened.get('/core/configmaps/default/cm-499'))!.data).toEqual({ filler, quote: 'say "hi"\n' });
  });
});
