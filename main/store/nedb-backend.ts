// Persistence of the store in one nedb data file. Each object is one nedb document
// `{ _id: <key>, rv: <resourceVersion>, json: <object as JSON> }`: nedb forbids field names with dots
// (every label like app.kubernetes.io/name has one) and would deep-copy and validate a whole object
// tree on every write, so the object travels as one opaque string. The counter document carries the
// resourceVersion of the last delete, which no object carries afterwards.
//
// Durability: nedb appends one line per write with fs.appendFile and resolves after write(2) has
// returned, so an acknowledged write is in the kernel's page cache and survives a kill of the process
// (SIGKILL included). It does not fsync appends, so a power loss or kernel crash may lose the last
// writes; compaction rewrites the file crash-safely (temp file, fsync, rename, fsync of the dir).
import type Datastore from '@seald-io/nedb';
import type { Clock, TimerHandle } from '../client/clock';
import type { StoreLogger } from './logger';
import type { StoreBackend } from './store-core';

/** `_id` of the counter document; object keys always start with "/", so they cannot collide. */
export const COUNTER_ID = 'meta:resourceVersion';

export interface ObjectDocument {
  _id: string;
  rv: number;
  json?: string;
}

export interface CompactionPolicy {
  /** Compact once this many lines were appended, or as many as there are live objects if more. */
  minAppendedLines: number;
  /** Also compact on this period when anything was appended; 0 disables. */
  intervalMs: number;
}

export interface CompactionStats {
  compactions: number;
  compactionFailures: number;
  lastCompactionError?: string;
  appendedSinceCompaction: number;
}

export class NedbBackend implements StoreBackend {
  private appended = 0;
  private compactions = 0;
  private compactionFailures = 0;
  private lastCompactionError?: string;
  private compacting?: Promise<void>;
  private readonly timer?: TimerHandle;

  constructor(
    private readonly db: Datastore<ObjectDocument>,
    private liveObjects: number,
    private readonly policy: CompactionPolicy,
    private readonly logger: StoreLogger,
    clock: Clock,
    private readonly onReleased: () => void,
  ) {
    if (policy.intervalMs > 0) {
      this.timer = clock.setInterval(() => {
        if (this.appended > 0) void this.compact().catch(() => undefined);
      }, policy.intervalMs);
    }
  }

  async put(key: string, resourceVersion: number, json: string, created: boolean): Promise<void> {
    if (!key.startsWith('/')) throw new Error(`store keys must start with "/": ${JSON.stringify(key)}`);
    const doc: ObjectDocument = { _id: key, rv: resourceVersion, json };
    if (created) {
      await this.db.insertAsync(doc);
      this.liveObjects++;
    } else {
      const { numAffected } = await this.db.updateAsync({ _id: key }, doc, {});
      if (numAffected !== 1) throw new Error(`store data file is out of step with memory: ${key} was not found to update`);
    }
    this.noteAppended(1);
  }

  async remove(key: string, resourceVersion: number): Promise<void> {
    // Counter first: killed in between, the object survives a restart but its deletion's RV is not reused.
    await this.db.updateAsync({ _id: COUNTER_ID }, { _id: COUNTER_ID, rv: resourceVersion }, { upsert: true });
    await this.db.removeAsync({ _id: key }, {});
    this.liveObjects--;
    this.noteAppended(2);
  }

  /** Rewrites the data file with only live documents. Failures are logged, counted and rethrown. */
  compact(): Promise<void> {
    this.compacting ??= (async () => {
      // Lines appended while the rewrite runs queue behind it in nedb's executor and count towards the next one.
      this.appended = 0;
      try {
        await this.db.compactDatafileAsync();
        this.compactions++;
      } catch (err) {
        this.compactionFailures++;
        this.lastCompactionError = err instanceof Error ? err.message : String(err);
        this.logger.error(`compaction of the store data file failed (the file keeps growing until one succeeds)`, err);
        throw err;
      } finally {
        this.compacting = undefined;
      }
    })();
    return this.compacting;
  }

  stats(): CompactionStats {
    return {
      compactions: this.compactions,
      compactionFailures: this.compactionFailures,
      lastCompactionError: this.lastCompactionError,
      appendedSinceCompaction: this.appended,
    };
  }

  async close(): Promise<void> {
    this.timer?.cancel();
    // Every write was appended before it was acknowledged, so there is nothing left to flush; only an
    // in-flight compaction must finish before the lock is released (its failure is already reported).
    await this.compacting?.catch(() => undefined);
    this.onReleased();
  }

  private noteAppended(lines: number): void {
    this.appended += lines;
    if (this.appended >= Math.max(this.policy.minAppendedLines, this.liveObjects)) {
      void this.compact().catch(() => undefined);
    }
  }
}
