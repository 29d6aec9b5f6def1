// Entry point of the store package: the contract, both implementations and a factory for lab.ts.
import { MemoryStore } from './memory-store';
import { openNedbStore, type NedbStoreOptions } from './nedb-store';
import type { Store } from './store';

export * from './store';
export { MemoryStore, type MemoryStoreOptions } from './memory-store';
export { NedbStore, openNedbStore, DATA_FILE, type NedbStoreOptions, type NedbOpenReport } from './nedb-store';
export { DataDirLockedError, LOCK_FILE } from './data-dir-lock';
export { DEFAULT_WATCH_WINDOW, StoreCore } from './store-core';
export { consoleStoreLogger, type StoreLogger } from './logger';

export interface OpenStoreOptions extends Omit<NedbStoreOptions, 'dataDir'> {
  kind: 'memory' | 'nedb';
  /** Required for 'nedb'; ignored for 'memory'. */
  dataDir?: string;
}

export async function openStore(options: OpenStoreOptions): Promise<Store> {
  if (options.kind === 'memory') return new MemoryStore({ watchWindow: options.watchWindow, logger: options.logger });
  const { kind: _kind, dataDir, ...rest } = options;
  if (!dataDir) throw new Error('a persistent (nedb) store needs a data dir');
  return openNedbStore({ ...rest, dataDir });
}
