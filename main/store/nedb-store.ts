// The persistent Store: StoreCore (every read served from memory) over a NedbBackend. Layout of a
// data dir: `LOCK` (pid of the owning process) and `store.db` (nedb's append-only data file).
// See docs/STORE.md for the durability and compaction choices.
import * as fs from 'node:fs';
import * as path from 'node:path';
import Datastore from '@seald-io/nedb';
import { RealClock, type Clock } from '../client/clock';
import { acquireDataDirLock, type DataDirLock } from './data-dir-lock';
import { scanDataFile, type DataFileScan } from './data-file-scan';
import { consoleStoreLogger, type StoreLogger } from './logger';
import { COUNTER_ID, installStreamingCompaction, NedbBackend, type CompactionStats, type ObjectDocument } from './nedb-backend';
import { StoreCore, type StoredRecord } from './store-core';

export const DATA_FILE = 'store.db';

export interface NedbStoreOptions {
  dataDir: string;
  /** Events kept for watch resumption (default 10,000). After a restart the window starts empty. */
  watchWindow?: number;
  logger?: StoreLogger;
  clock?: Clock;
  /** Compact once this many lines were appended (or as many as live objects, if more). Default 10,000. */
  compactionMinAppendedLines?: number;
  /** Periodic compaction when anything was appended; 0 disables. Default 10 minutes. */
  compactionIntervalMs?: number;
  /**
   * Start even when lines in the middle of the data file are damaged, dropping them (a torn last line,
   * left by a kill during an append, is always recovered). Without it such damage refuses to start.
   */
  salvage?: boolean;
}

/** What opening found, for the log and for tests. */
export interface NedbOpenReport {
  dataFile: string;
  objects: number;
  resourceVersion: number;
  /** Lines of the data file that could not be parsed and were dropped (a torn last line, typically). */
  droppedLines: number;
  droppedLineNumbers: number[];
  /** Pid of a dead process whose stale lock was taken over. */
  tookOverStaleLockFrom?: number;
}

export class NedbStore extends StoreCore {
  private constructor(
    readonly dataDir: string,
    readonly openReport: NedbOpenReport,
    private readonly nedb: NedbBackend,
    records: StoredRecord[],
    resourceVersion: number,
    options: NedbStoreOptions,
  ) {
    super({ watchWindow: options.watchWindow, logger: options.logger, backend: nedb, initial: { resourceVersion, records } });
  }

  /** Compacts the data file now (it also happens by threshold and period). Rejects when it fails. */
  async compact(): Promise<void> {
    await this.drain();
    await this.nedb.compact();
  }

  compactionStats(): CompactionStats {
    return this.nedb.stats();
  }

  static async open(options: NedbStoreOptions): Promise<NedbStore> {
    const logger = options.logger ?? consoleStoreLogger;
    const dataDir = path.resolve(options.dataDir);
    // Secrets live in the store: keep the dir and file private to the user.
    fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const lock = acquireDataDirLock(dataDir);
    try {
      return await NedbStore.load(dataDir, lock, options, logger);
    } catch (err) {
      lock.release();
      throw err;
    }
  }

  private static async load(dataDir: string, lock: DataDirLock, options: NedbStoreOptions, logger: StoreLogger): Promise<NedbStore> {
    const dataFile = path.join(dataDir, DATA_FILE);
    if (lock.tookOverFromPid !== undefined) logger.warn(`took over the stale lock of ${dataDir} left by process ${lock.tookOverFromPid}`);

    // Checked before nedb loads, because loading rewrites the file and would erase the evidence.
    const scan = await scanDataFile(dataFile);
    refuseMidFileDamage(dataFile, scan, options.salvage ?? false);

    // Our own scan decides what damage is acceptable; nedb's rate-based threshold would refuse a small
    // file whose only problem is a torn last line (1 of 2 lines is 50%).
    const modes = { fileMode: 0o600, dirMode: 0o700 };
    const db = new Datastore<ObjectDocument>({ filename: dataFile, corruptAlertThreshold: 1, modes });
    installStreamingCompaction(db, dataFile, modes);
    await db.loadDatabaseAsync();

    let resourceVersion = 0;
    const records: StoredRecord[] = [];
    for (const doc of db.getAllData()) {
      if (doc.rv > resourceVersion) resourceVersion = doc.rv;
      if (doc._id !== COUNTER_ID && typeof doc.json === 'string') {
        records.push({ key: doc._id, resourceVersion: doc.rv, json: doc.json });
      }
    }
    const report: NedbOpenReport = {
      dataFile,
      objects: records.length,
      resourceVersion,
      droppedLines: scan.corruptLines.length,
      droppedLineNumbers: scan.corruptLines,
      tookOverStaleLockFrom: lock.tookOverFromPid,
    };
    if (report.droppedLines > 0) {
      logger.warn(
        `recovered ${dataFile}: dropped ${report.droppedLines} damaged line(s) (${scan.corruptLines.join(', ')} of ${scan.lines}), ` +
          `most likely a write torn by a killed process; such a write was never acknowledged`,
      );
    }
    const backend = new NedbBackend(
      db,
      dataFile,
      records.length,
      {
        minAppendedLines: options.compactionMinAppendedLines ?? 10_000,
        intervalMs: options.compactionIntervalMs ?? 10 * 60_000,
      },
      logger,
      options.clock ?? new RealClock(),
      () => lock.release(),
    );
    return new NedbStore(dataDir, report, backend, records, resourceVersion, options);
  }
}

export function openNedbStore(options: NedbStoreOptions): Promise<NedbStore> {
  return NedbStore.open(options);
}

function refuseMidFileDamage(dataFile: string, scan: DataFileScan, salvage: boolean): void {
  const midFile = scan.corruptLines.filter((n) => n < scan.lastValidLine);
  if (midFile.length === 0 || salvage) return;
  throw new Error(
    `the store data file ${dataFile} is damaged: line(s) ${midFile.join(', ')} of ${scan.lines} are not valid records ` +
      `(not a torn last write, which would be recovered). Restore the file from a backup, or start with salvage ` +
      `(--salvage) to drop the damaged lines and lose the objects they held.`,
  );
}
