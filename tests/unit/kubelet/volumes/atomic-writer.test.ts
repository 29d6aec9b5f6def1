import { mkdtemp, readdir, readFile, readlink, realpath, rm, stat, open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { validatePayloadPath, writeAtomically, type FileProjection } from '../../../../main/kubelet/volumes/atomic-writer';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bosun-aw-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const payload = (entries: Record<string, string | [string, number]>): Map<string, FileProjection> =>
  new Map(Object.entries(entries).map(([k, v]) => [k, Array.isArray(v) ? { data: Buffer.from(v[0]), mode: v[1] } : { data: Buffer.from(v), mode: 0o644 }]));

describe('atomic writer', () => {
  it('lays out ..data → timestamped dir and key symlinks → ..data/key, with modes', async () => {
    expect(await writeAtomically(dir, payload({ 'app.conf': 'a=1', 'nested/dir/x': ['x', 0o400] }), new Date(Date.UTC(2026, 0, 2, 3, 4, 5)))).toBe(true);
    const entries = (await readdir(dir)).sort();
    const ts = entries.find((e) => e.startsWith('..2026_01_02_03_04_05.'))!;
    expect(entries).toEqual(['..data', ts, 'app.conf', 'nested'].sort());
    expect(await readlink(join(dir, '..data'))).toBe(ts);
    expect(await readlink(join(dir, 'app.conf'))).toBe('..data/app.conf');
    expect(await readlink(join(dir, 'nested'))).toBe('..data/nested');
    expect(await readFile(join(dir, 'app.conf'), 'utf8')).toBe('a=1');
    expect((await stat(join(dir, 'nested/dir/x'))).mode & 0o777).toBe(0o400);
    expect((await stat(join(dir, 'app.conf'))).mode & 0o777).toBe(0o644);
  });

  it('an update swaps the content in place, drops stale keys and old dirs; unchanged payloads write nothing', async () => {
    await writeAtomically(dir, payload({ a: '1', b: '2' }));
    const firstTs = await readlink(join(dir, '..data'));
    const subPathFile = await realpath(join(dir, 'a')); // what a subPath bind mount would pin
    const held = await open(subPathFile, 'r'); // a process holding the old file keeps the old content
    expect(await writeAtomically(dir, payload({ a: '1', b: '2' }))).toBe(false);
    expect(await readlink(join(dir, '..data'))).toBe(firstTs);

    expect(await writeAtomically(dir, payload({ a: 'one', c: '3' }))).toBe(true);
    expect(await readFile(join(dir, 'a'), 'utf8')).toBe('one'); // same path, new content: directory mounts see it
    expect(await readFile(join(dir, 'c'), 'utf8')).toBe('3');
    const entries = await readdir(dir);
    expect(entries).not.toContain('b');
    expect(entries).not.toContain(firstTs);
    expect(entries.filter((e) => e.startsWith('..')).length).toBe(2); // ..data + the new timestamped dir
    expect((await held.readFile()).toString()).toBe('1'); // the subPath caveat: the pinned file never updates
    await held.close();

    expect(await writeAtomically(dir, payload({}))).toBe(true);
    expect((await readdir(dir)).filter((e) => !e.startsWith('..'))).toEqual([]);
  });

  it('rejects unsafe payload paths like Kubernetes', async () => {
    expect(validatePayloadPath('../etc/passwd')).toContain("must not contain '..'");
    expect(validatePayloadPath('/abs')).toContain('must be relative path');
    expect(validatePayloadPath('..data')).toContain("must not start with '..'");
    expect(validatePayloadPath('ok/fine.txt')).toBeUndefined();
    await expect(writeAtomically(dir, payload({ '../x': 'no' }))).rejects.toThrow("must not contain '..'");
  });
});
