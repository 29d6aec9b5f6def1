// Persistence of the store in one nedb data file. Each object is one nedb document
// `{ _id: <key>, rv: <resourceVersion>, json: <object as JSON> }`: nedb forbids field names with dots
// (every label like app.kubernetes.io/name has one) and would deep-copy and validate a whole object
// tree on every write, so the object travels as one opaque string. The counter document carries the
// resourceVersion of the last delete, which no object carries afterwards.
//
// Group commit: the core hands over batches of writes. nedb applies each write to its in-memory
// documents and indexes as usual, but its per-write append (open, append, close: three trips through
// libuv's thread pool, one write at a time) is replaced, for this datastore instance, by collecting the
// lines; the batch is then appended in one write(2) on a file descriptor kept open between batches
// (reopened after a compaction, which renames a new file over the old one). The lines are the ones
// nedb would have written (nedb's serialization is JSON.stringify for documents of strings and
// numbers), so nedb loads and compacts the file as its own.
//
// Durability: a batch is acknowledged after write(2) has returned, so an acknowledged write is in the
// kernel's page cache and survives a kill of the process (SIGKILL included). Appends are not fsynced,
// so a power loss or kernel crash may lose the last writes; compaction rewrites the file crash-safely
// (temp file, fsync, rename, fsync of the dir).
import * as fsp from 'node:fs/promises';
import type Datastore from '@seald-io/nedb';
import type { Clock, TimerHandle } from '../client/clock';
import type { StoreLogger } from './logger';
import type { BackendWrite, StoreBackend } from './store-core';

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
  /** Appends to the data file (one per committed batch) since the store was opened. */
  appends: number;
}

/** nedb's per-instance persistence hook that appends a write's new documents (see the header). */
interface NedbPersistence {
  persistNewStateAsync(docs: object[]): Promise<void>;
}

export class NedbBackend implements StoreBackend {
  private appended = 0;
  private appends = 0;
  private compactions = 0;
  private compactionFailures = 0;
  private lastCompactionError?: string;
  private compacting?: Promise<void>;
  private readonly timer?: TimerHandle;
  /** The lines nedb produced for the batch being committed. */
  private lines: string[] = [];
  private file?: fsp.FileHandle;
  /** Batches and compactions run one at a time, in order. */
  private serial: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly db: Datastore<ObjectDocument>,
    private readonly dataFile: string,
    private liveObjects: number,
    private readonly policy: CompactionPolicy,
    private readonly logger: StoreLogger,
    clock: Clock,
    private readonly onReleased: () => void,
  ) {
    const persistence = (db as unknown as { persistence: NedbPersistence }).persistence;
    persistence.persistNewStateAsync = async (docs) => {
      for (const doc of docs) this.lines.push(JSON.stringify(doc) + '\n');
    };
    if (policy.intervalMs > 0) {
      this.timer = clock.setInterval(() => {
        if (this.appended > 0) void this.compact().catch(() => undefined);
      }, policy.intervalMs);
    }
  }

  commit(writes: readonly BackendWrite[]): Promise<void> {
    return this.inOrder(async () => {
      this.lines = [];
      // nedb's executor runs these in order; each only updates nedb's memory and collects its lines.
      await Promise.all(writes.map((write) => this.apply(write)));
      const text = this.lines.join('');
      this.lines = [];
      this.file ??= await fsp.open(this.dataFile, 'a', 0o600);
      await appendText(this.file, text);
      this.appends++;
      for (const write of writes) {
        if (write.type === 'put') {
          if (write.created) this.liveObjects++;
          this.noteAppended(1);
        } else {
          this.liveObjects--;
          this.noteAppended(2);
        }
      }
    });
  }

  /** Rewrites the data file with only live documents. Failures are logged, counted and rethrown. */
  compact(): Promise<void> {
    this.compacting ??= this.inOrder(async () => {
      // Lines appended while the rewrite runs queue behind it and count towards the next one.
      this.appended = 0;
      try {
        // The rewrite renames a new file over the data file: the held descriptor would append to the old one.
        await this.closeFile();
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
    });
    return this.compacting;
  }

  stats(): CompactionStats {
    return {
      compactions: this.compactions,
      compactionFailures: this.compactionFailures,
      lastCompactionError: this.lastCompactionError,
      appendedSinceCompaction: this.appended,
      appends: this.appends,
    };
  }

  async close(): Promise<void> {
    this.timer?.cancel();
    // Every batch was appended before it was acknowledged, so there is nothing left to flush; only an
    // in-flight compaction must finish before the lock is released (its failure is already reported).
    await this.serial.catch(() => undefined);
    await this.closeFile().catch(() => undefined);
    this.onReleased();
  }

  private async apply(write: BackendWrite): Promise<void> {
    const { key } = write;
    if (!key.startsWith('/')) throw new Error(`store keys must start with "/": ${JSON.stringify(key)}`);
    if (write.type === 'remove') {
      // Counter first: killed in between, the object survives a restart but its deletion's RV is not reused.
      await this.db.updateAsync({ _id: COUNTER_ID }, { _id: COUNTER_ID, rv: write.resourceVersion }, { upsert: true });
      await this.db.removeAsync({ _id: key }, {});
      return;
    }
    const doc: ObjectDocument = { _id: key, rv: write.resourceVersion, json: write.json };
    if (write.created) {
      await this.db.insertAsync(doc);
    } else {
      const { numAffected } = await this.db.updateAsync({ _id: key }, doc, {});
      if (numAffected !== 1) throw new Error(`store data file is out of step with memory: ${key} was not found to update`);
    }
  }

  private inOrder<T>(task: () => Promise<T>): Promise<T> {
    const run = this.serial.then(task);
    this.serial = run.catch(() => undefined);
    return run;
  }

  private async closeFile(): Promise<void> {
    const file = this.file;
    this.file = undefined;
    await file?.close();
  }

  private noteAppended(lines: number): void {
    this.appended += lines;
    if (this.appended >= Math.max(this.policy.minAppendedLines, this.liveObjects)) {
      void this.compact().catch(() => undefined);
    }
  }
}

/**
 * Appends a string without first copying it into a JS Buffer (FileHandle.appendFile does): a batch can
 * be hundreds of kilobytes, and each such Buffer is external memory held until the next collection. A
 * string is written from native memory freed once written; a short write (a full disk, say) goes on with
 * the bytes that are left.
 */
async function appendText(file: fsp.FileHandle, text: string): Promise<void> {
  const { bytesWritten } = await file.write(text, null, 'utf8');
  const total = Buffer.byteLength(text, 'utf8');
  if (bytesWritten < total) await file.appendFile(Buffer.from(text, 'utf8').subarray(bytesWritten));
}
