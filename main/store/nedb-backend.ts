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
//
// Compaction is nedb's, streamed: nedb's own rewrite builds the line of every document first and then
// queues them all on a write stream without waiting, so a lab of 10,000 pods held its whole data file
// (about 100 MB) twice over, as strings and as Buffers, for each compaction (a 170 MB spike in RSS every
// few minutes). The same lines are written, in the same order, with the same crash-safe steps, a
// megabyte at a time (installStreamingCompaction).
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import type Datastore from '@seald-io/nedb';
import * as nedbStorage from '@seald-io/nedb/lib/storage.js';
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
  /** The whole-file rewrite behind loading and compactDatafileAsync (runs in nedb's executor). */
  persistCachedDatabaseAsync(): Promise<void>;
}

export interface DataFileModes {
  fileMode: number;
  dirMode: number;
}

/** Lines gathered before each write of a compaction. */
const COMPACTION_CHUNK_CHARS = 1 << 20;

/**
 * Replaces nedb's whole-file rewrite, for this datastore instance, by one that streams (see the header).
 * Install before loading: loading rewrites the file too. Only the `_id` index may exist (nedb would also
 * write a line per other index, and the store creates none).
 */
export function installStreamingCompaction(db: Datastore<ObjectDocument>, dataFile: string, modes: DataFileModes): void {
  const persistence = (db as unknown as { persistence: NedbPersistence }).persistence;
  persistence.persistCachedDatabaseAsync = async () => {
    const extra = Object.keys((db as unknown as { indexes: Record<string, unknown> }).indexes).filter((f) => f !== '_id');
    if (extra.length > 0) throw new Error(`store data file: cannot compact with nedb indexes other than _id (${extra.join(', ')})`);
    await writeFileCrashSafe(dataFile, db.getAllData(), modes);
    db.emit('compaction.done');
  };
}

/** storage.crashSafeWriteFileLinesAsync's steps, writing the documents' lines a chunk at a time. */
async function writeFileCrashSafe(file: string, docs: readonly object[], modes: DataFileModes): Promise<void> {
  const dir = path.dirname(file);
  const temp = `${file}~`;
  await nedbStorage.flushToStorageAsync({ filename: dir, isDir: true, mode: modes.dirMode });
  if (await nedbStorage.existsAsync(file)) await nedbStorage.flushToStorageAsync({ filename: file, mode: modes.fileMode });
  const handle = await fsp.open(temp, 'w', modes.fileMode);
  try {
    let chunk = '';
    for (const doc of docs) {
      chunk += `${JSON.stringify(doc)}\n`;
      if (chunk.length >= COMPACTION_CHUNK_CHARS) {
        await appendText(handle, chunk);
        chunk = '';
      }
    }
    if (chunk) await appendText(handle, chunk);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await nedbStorage.renameAsync(temp, file);
  await nedbStorage.flushToStorageAsync({ filename: dir, isDir: true, mode: modes.dirMode });
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
