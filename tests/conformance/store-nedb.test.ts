import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll } from 'vitest';
import { openNedbStore } from '../../main/store/nedb-store';
import { describeStoreConformance } from './store.case';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bosun-store-nedb-'));
let n = 0;

afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describeStoreConformance('NedbStore', async (options) =>
  openNedbStore({ dataDir: path.join(root, `store-${n++}`), compactionIntervalMs: 0, ...options }),
);
