// The in-memory Store: StoreCore with nothing beneath it. Used by unit tests and `--ephemeral` labs;
// its resourceVersion starts at 0 and nothing survives the process.
import type { StoreLogger } from './logger';
import { StoreCore } from './store-core';

export interface MemoryStoreOptions {
  /** Events kept for watch resumption (default 10,000). */
  watchWindow?: number;
  logger?: StoreLogger;
}

export class MemoryStore extends StoreCore {
  constructor(options: MemoryStoreOptions = {}) {
    super({ watchWindow: options.watchWindow, logger: options.logger });
  }
}
