import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { InvalidArgumentError, LockedError, StoreCorruptError } from '@retain/core';
import { CycleLock, type CycleLockOptions } from './cycle-lock.js';
import { migratePromotionSchema } from './promotion-migrations.js';
import type { CurrentListener, CurrentWatcher, CycleCommit, PromotionStore } from './promotion-store.js';
import { SqliteReportStore } from './sqlite-report-store.js';
import { SqliteSeenTrajectoryStore, SqliteTrajectoryStore } from './sqlite-trajectory-store.js';
import { SqliteVersionStore, readCurrent } from './sqlite-version-store.js';
import { resolveInsideStore } from './store-ids.js';
import type { TrainingReport } from './training-report.js';

/** The file inside a store directory that holds every table (the learner shares it). */
export const STORE_FILE = 'retain.db';

/** Options of {@link openPromotionStore}. */
export interface OpenPromotionStoreOptions {
  /** How long a write waits for another connection's transaction before failing (SQLite busy timeout). */
  busyTimeoutMs?: number;
}

/** Open (creating if needed) the SQLite file of `<db>`, turning "not a database" into `StoreCorruptError`. */
function openDatabase(file: string, options: Database.Options): Database.Database {
  let db: Database.Database | undefined;
  try {
    db = new Database(file, options);
    if (!options.readonly) db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    db.prepare('SELECT COUNT(*) FROM sqlite_schema').get();
    return db;
  } catch (err) {
    db?.close();
    const code = (err as { code?: string }).code;
    if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
      throw new StoreCorruptError(file, `not a SQLite database (${(err as Error).message})`, err);
    }
    throw err;
  }
}

/** Open the promotion store in directory `dir` (created if missing), migrating its tables forward. */
export function openPromotionStore(dir: string, options: OpenPromotionStoreOptions = {}): SqlitePromotionStore {
  if (typeof dir !== 'string' || dir.length === 0) throw new InvalidArgumentError('dir', 'must be a directory path');
  const root = path.resolve(dir);
  fs.mkdirSync(root, { recursive: true });
  const file = path.join(root, STORE_FILE);
  const db = openDatabase(file, { timeout: options.busyTimeoutMs ?? 10_000 });
  try {
    // FULL: a committed promotion survives power loss too, not only a killed process.
    db.pragma('synchronous = FULL');
    migratePromotionSchema(db);
  } catch (err) {
    db.close();
    throw err;
  }
  return new SqlitePromotionStore(root, file, db);
}

/** The {@link PromotionStore} on SQLite (WAL): every table is prefixed `promotion_`. */
export class SqlitePromotionStore implements PromotionStore {
  readonly trajectories: SqliteTrajectoryStore;
  readonly seen: SqliteSeenTrajectoryStore;
  readonly versions: SqliteVersionStore;
  readonly reports: SqliteReportStore;
  private readonly watchers = new Set<CurrentWatcher>();

  constructor(
    readonly dir: string,
    readonly file: string,
    /** The connection; exposed for callers that share the file (e.g. the learner's own tables). */
    readonly db: Database.Database,
  ) {
    this.trajectories = new SqliteTrajectoryStore(db);
    this.seen = new SqliteSeenTrajectoryStore(db);
    this.versions = new SqliteVersionStore(db);
    this.reports = new SqliteReportStore(db);
  }

  beginBenchmarkRun(runId: string): void {
    this.trajectories.benchmarkRunId = runId;
  }

  endBenchmarkRun(): void {
    this.trajectories.benchmarkRunId = null;
  }

  acquireCycleLock(options?: CycleLockOptions): CycleLock {
    return CycleLock.acquire(this.db, 'cycle', options);
  }

  commitCycle(commit: CycleCommit): TrainingReport {
    return this.db
      .transaction(() => {
        if (commit.lock && !commit.lock.held()) {
          throw new LockedError('cycle', 'the cycle lock was taken over before commit; nothing was promoted');
        }
        let promoted: string | null = null;
        if (commit.promote) {
          const current = this.versions.currentVersionId();
          if (current !== commit.promote.expectedCurrentId) {
            throw new LockedError(
              'current',
              `moved from ${String(commit.promote.expectedCurrentId)} to ${String(current)} during the cycle; not promoting over it`,
            );
          }
          const reportId = this.reports.nextReportId();
          const record = this.versions.insertVersion(commit.promote.artifact, {
            source: 'cycle',
            reportId,
            priorVersionId: current,
            benchmark: commit.promote.benchmark,
          });
          this.versions.moveCurrent(record.id, 'promotion', reportId, null);
          promoted = record.id;
        }
        const report = this.reports.insertReport(commit.report, promoted);
        if (commit.seenTrajectoryIds.length > 0) this.seen.markSeen(commit.seenTrajectoryIds, report.id);
        return report;
      })
      .immediate();
  }

  watchCurrent(
    listener: CurrentListener,
    options: { intervalMs?: number; onError?: (err: unknown) => void } = {},
  ): CurrentWatcher {
    const intervalMs = options.intervalMs ?? 500;
    if (!Number.isFinite(intervalMs) || intervalMs < 1) throw new InvalidArgumentError('intervalMs', `must be >= 1, got ${String(intervalMs)}`);
    // Its own connection: `data_version` changes only for commits made by *other* connections, which
    // then includes this store's main connection. The read runs in one transaction, so a watcher sees
    // a pointer and the version it names from the same committed snapshot, never a half-written one.
    const ro = openDatabase(this.file, { readonly: true, fileMustExist: true, timeout: 10_000 });
    const read = ro.transaction(() => readCurrent(ro));
    let lastDataVersion = -1;
    let lastSeq: number | null | undefined;
    let closed = false;
    const poll = (): void => {
      if (closed) return;
      try {
        const dv = ro.pragma('data_version', { simple: true }) as number;
        if (dv === lastDataVersion) return;
        lastDataVersion = dv;
        const ptr = ro.prepare('SELECT history_seq FROM promotion_current WHERE slot = 1').get() as { history_seq: number } | undefined;
        const seq = ptr?.history_seq ?? null;
        if (seq === lastSeq) return;
        const current = read();
        lastSeq = current?.since.seq ?? null;
        listener(current);
      } catch (err) {
        if (options.onError) options.onError(err);
      }
    };
    const timer = setInterval(poll, intervalMs);
    timer.unref();
    const watcher: CurrentWatcher = {
      poll,
      close: () => {
        if (closed) return;
        closed = true;
        clearInterval(timer);
        ro.close();
        this.watchers.delete(watcher);
      },
    };
    this.watchers.add(watcher);
    poll();
    return watcher;
  }

  resolvePath(relative: string): string {
    return resolveInsideStore(this.dir, relative, 'path');
  }

  close(): void {
    for (const w of [...this.watchers]) w.close();
    if (this.db.open) this.db.close();
  }
}
