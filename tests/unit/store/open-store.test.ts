import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MemoryStore, NedbStore, openStore } from '../../../main/store';

describe('openStore', () => {
  it('builds a memory store or a nedb store in a data dir', async () => {
    const memory = await openStore({ kind: 'memory' });
    expect(memory).toBeInstanceOf(MemoryStore);
    await memory.close();

    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bosun-open-store-'));
    try {
      const nedb = await openStore({ kind: 'nedb', dataDir, compactionIntervalMs: 0 });
      expect(nedb).toBeInstanceOf(NedbStore);
      await nedb.create('/core/namespaces/default', { metadata: { name: 'default' } });
      await nedb.close();
      const reopened = await openStore({ kind: 'nedb', dataDir, compactionIntervalMs: 0 });
      expect((await reopened.get('/core/namespaces/default'))!.metadata.resourceVersion).toBe('1');
      await reopened.close();
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('refuses a persistent store without a data dir', async () => {
    await expect(openStore({ kind: 'nedb' })).rejects.toThrow(/needs a data dir/);
  });
});
