import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { InvalidArgumentError, NotFoundError, StoreCorruptError } from '@retain/core';

/** The learner's schema version; forward migrations take an older store up to it. */
export const LEARNER_SCHEMA_VERSION = 1;

const MIGRATIONS: Record<number, string> = {
  1: `
    CREATE TABLE learner_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE learner_checkpoints (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      created_at TEXT NOT NULL,
      examples_seen INTEGER NOT NULL,
      state BLOB NOT NULL,
      input_path TEXT,
      input_offset INTEGER,
      pinned INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE learner_rows (
      kind TEXT NOT NULL,
      key TEXT NOT NULL,
      example_id TEXT NOT NULL,
      added_in INTEGER NOT NULL,
      removed_in INTEGER,
      data BLOB NOT NULL,
      PRIMARY KEY (kind, key, added_in)
    );
    CREATE INDEX learner_rows_live ON learner_rows (kind, removed_in);
    CREATE INDEX learner_rows_example ON learner_rows (example_id);
  `,
};

/** A row of replay or memory content: written once, tagged with the checkpoints that added and removed it. */
export interface StoredRow {
  key: string;
  exampleId: string;
  data: Buffer;
}

/** What one checkpoint changes in the row tables. */
export interface RowChanges {
  kind: string;
  /** Mark every live row of this kind removed first (a full rewrite). */
  removeAll?: boolean;
  added: StoredRow[];
  removed: string[];
}

/** A checkpoint's header (no payload). */
export interface CheckpointInfo {
  id: number;
  createdAt: string;
  examplesSeen: number;
  inputPath: string | null;
  inputOffset: number | null;
  pinned: boolean;
}

/** A checkpoint with everything needed to rebuild the learner. */
export interface LoadedCheckpoint extends CheckpointInfo {
  state: Buffer;
  rows: Map<string, StoredRow[]>;
}

/** The file every retain store directory holds; the promotion package keeps its tables beside these. */
export const STORE_FILE = 'retain.db';

/**
 * The learner's durable state in `<dir>/retain.db` (SQLite, WAL). Checkpoints are incremental: replay and
 * memory rows are written once and tagged with the checkpoint that added them and the one that removed them,
 * so any retained checkpoint can be rebuilt without rewriting the buffer.
 */
export class LearnerStore {
  readonly db: Database.Database;
  readonly dir: string;

  private constructor(dir: string, db: Database.Database) {
    this.dir = dir;
    this.db = db;
  }

  /** Open (creating when needed) the store in `dir` and migrate it forward. */
  static open(dir: string): LearnerStore {
    if (typeof dir !== 'string' || dir.length === 0) throw new InvalidArgumentError('store', 'must be a directory path');
    fs.mkdirSync(dir, { recursive: true });
    let db: Database.Database;
    try {
      db = new Database(path.join(dir, STORE_FILE));
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.pragma('busy_timeout = 5000');
      db.exec('CREATE TABLE IF NOT EXISTS schema_versions (component TEXT PRIMARY KEY, version INTEGER NOT NULL)');
    } catch (err) {
      throw new StoreCorruptError(path.join(dir, STORE_FILE), 'cannot be opened as a SQLite database', err);
    }
    const store = new LearnerStore(dir, db);
    store.migrate();
    return store;
  }

  private migrate(): void {
    const row = this.db.prepare("SELECT version FROM schema_versions WHERE component = 'learner'").get() as
      | { version: number }
      | undefined;
    const current = row?.version ?? 0;
    if (current > LEARNER_SCHEMA_VERSION) {
      throw new StoreCorruptError('store', `learner schema ${current} is newer than this retain (${LEARNER_SCHEMA_VERSION})`);
    }
    const run = this.db.transaction(() => {
      for (let v = current + 1; v <= LEARNER_SCHEMA_VERSION; v++) this.db.exec(MIGRATIONS[v]!);
      this.db
        .prepare('INSERT INTO schema_versions (component, version) VALUES (?, ?) ON CONFLICT(component) DO UPDATE SET version = excluded.version')
        .run('learner', LEARNER_SCHEMA_VERSION);
    });
    if (current < LEARNER_SCHEMA_VERSION) run.immediate();
  }

  /** A metadata value (JSON), or undefined. */
  getMeta<T>(key: string): T | undefined {
    const row = this.db.prepare('SELECT value FROM learner_meta WHERE key = ?').get(key) as { value: string } | undefined;
    return row === undefined ? undefined : (JSON.parse(row.value) as T);
  }

  /** Set a metadata value (JSON). */
  setMeta(key: string, value: unknown): void {
    this.db
      .prepare('INSERT INTO learner_meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value')
      .run(key, JSON.stringify(value));
  }

  /** Commit a checkpoint and its row changes in one transaction; returns its id. */
  commitCheckpoint(args: {
    state: Buffer;
    examplesSeen: number;
    inputPath?: string | null;
    inputOffset?: number | null;
    rows: readonly RowChanges[];
    meta?: Record<string, unknown>;
  }): number {
    const insertCheckpoint = this.db.prepare(
      'INSERT INTO learner_checkpoints (created_at, examples_seen, state, input_path, input_offset) VALUES (?, ?, ?, ?, ?)',
    );
    const insertRow = this.db.prepare(
      'INSERT INTO learner_rows (kind, key, example_id, added_in, removed_in, data) VALUES (?, ?, ?, ?, NULL, ?)',
    );
    const removeRow = this.db.prepare(
      'UPDATE learner_rows SET removed_in = ? WHERE kind = ? AND key = ? AND removed_in IS NULL',
    );
    const removeAll = this.db.prepare('UPDATE learner_rows SET removed_in = ? WHERE kind = ? AND removed_in IS NULL');
    const tx = this.db.transaction(() => {
      const id = Number(
        insertCheckpoint.run(
          new Date().toISOString(),
          args.examplesSeen,
          args.state,
          args.inputPath ?? null,
          args.inputOffset ?? null,
        ).lastInsertRowid,
      );
      for (const change of args.rows) {
        if (change.removeAll) removeAll.run(id, change.kind);
        for (const key of change.removed) removeRow.run(id, change.kind, key);
        for (const row of change.added) {
          removeRow.run(id, change.kind, row.key);
          insertRow.run(change.kind, row.key, row.exampleId, id, row.data);
        }
      }
      for (const [k, v] of Object.entries(args.meta ?? {})) this.setMeta(k, v);
      return id;
    });
    return tx.immediate();
  }

  /** Checkpoint headers, oldest first. */
  listCheckpoints(): CheckpointInfo[] {
    const rows = this.db
      .prepare('SELECT id, created_at, examples_seen, input_path, input_offset, pinned FROM learner_checkpoints ORDER BY id')
      .all() as { id: number; created_at: string; examples_seen: number; input_path: string | null; input_offset: number | null; pinned: number }[];
    return rows.map((r) => ({
      id: r.id,
      createdAt: r.created_at,
      examplesSeen: r.examples_seen,
      inputPath: r.input_path,
      inputOffset: r.input_offset,
      pinned: r.pinned === 1,
    }));
  }

  /** The latest checkpoint, or the one with `id`; undefined when the store has none. */
  loadCheckpoint(id?: number): LoadedCheckpoint | undefined {
    const header = (
      id === undefined
        ? this.db.prepare('SELECT * FROM learner_checkpoints ORDER BY id DESC LIMIT 1').get()
        : this.db.prepare('SELECT * FROM learner_checkpoints WHERE id = ?').get(id)
    ) as
      | { id: number; created_at: string; examples_seen: number; state: Buffer; input_path: string | null; input_offset: number | null; pinned: number }
      | undefined;
    if (header === undefined) {
      if (id !== undefined) throw new NotFoundError('checkpoint', String(id));
      return undefined;
    }
    const rows = this.db
      .prepare(
        'SELECT kind, key, example_id, data FROM learner_rows WHERE added_in <= ? AND (removed_in IS NULL OR removed_in > ?) ORDER BY kind, added_in, key',
      )
      .all(header.id, header.id) as { kind: string; key: string; example_id: string; data: Buffer }[];
    const byKind = new Map<string, StoredRow[]>();
    for (const r of rows) {
      let list = byKind.get(r.kind);
      if (list === undefined) byKind.set(r.kind, (list = []));
      list.push({ key: r.key, exampleId: r.example_id, data: r.data });
    }
    return {
      id: header.id,
      createdAt: header.created_at,
      examplesSeen: header.examples_seen,
      inputPath: header.input_path,
      inputOffset: header.input_offset,
      pinned: header.pinned === 1,
      state: header.state,
      rows: byKind,
    };
  }

  /**
   * Undo the latest checkpoint entirely (rows it added are deleted, rows it removed come back), as if it was
   * never committed: a rejected challenger's training leaves no trace in the learner's history.
   */
  discardLatest(id: number): void {
    const tx = this.db.transaction(() => {
      const latest = this.db.prepare('SELECT MAX(id) AS id FROM learner_checkpoints').get() as { id: number | null };
      if (latest.id !== id) throw new NotFoundError('latest checkpoint', String(id));
      this.db.prepare('DELETE FROM learner_rows WHERE added_in = ?').run(id);
      this.db.prepare('UPDATE learner_rows SET removed_in = NULL WHERE removed_in = ?').run(id);
      this.db.prepare('DELETE FROM learner_checkpoints WHERE id = ?').run(id);
    });
    tx.immediate();
  }

  /** Keep checkpoints referenced by a model version or pinned. */
  pin(id: number, pinned = true): void {
    const res = this.db.prepare('UPDATE learner_checkpoints SET pinned = ? WHERE id = ?').run(pinned ? 1 : 0, id);
    if (res.changes === 0) throw new NotFoundError('checkpoint', String(id));
  }

  /**
   * Garbage-collect: keep the last `keep` checkpoints and every pinned one; delete rows no retained checkpoint
   * can see. Returns how many checkpoints were removed.
   */
  gc(keep: number): number {
    const tx = this.db.transaction(() => {
      const ids = (this.db.prepare('SELECT id, pinned FROM learner_checkpoints ORDER BY id DESC').all() as { id: number; pinned: number }[]);
      const doomed = ids.filter((r, i) => i >= keep && r.pinned === 0).map((r) => r.id);
      const del = this.db.prepare('DELETE FROM learner_checkpoints WHERE id = ?');
      for (const id of doomed) del.run(id);
      // A row is visible to checkpoint c when added_in <= c < removed_in; drop rows visible to no retained one.
      this.db.exec(`
        DELETE FROM learner_rows WHERE removed_in IS NOT NULL AND NOT EXISTS (
          SELECT 1 FROM learner_checkpoints c WHERE c.id >= learner_rows.added_in AND c.id < learner_rows.removed_in
        )`);
      return doomed.length;
    });
    return tx.immediate();
  }

  /**
   * Privacy: delete every stored row of an example, and every unpinned checkpoint that could see one of them
   * (it could no longer be rebuilt). Returns the number of rows deleted.
   */
  forgetExample(exampleId: string, keepCheckpoint?: number): number {
    const tx = this.db.transaction(() => {
      const rows = this.db.prepare('SELECT added_in, removed_in FROM learner_rows WHERE example_id = ?').all(exampleId) as {
        added_in: number;
        removed_in: number | null;
      }[];
      const delCheckpoints = this.db.prepare(
        'DELETE FROM learner_checkpoints WHERE pinned = 0 AND id >= ? AND id < ? AND id IS NOT ?',
      );
      for (const r of rows) delCheckpoints.run(r.added_in, r.removed_in ?? Number.MAX_SAFE_INTEGER, keepCheckpoint ?? null);
      return this.db.prepare('DELETE FROM learner_rows WHERE example_id = ?').run(exampleId).changes;
    });
    return tx.immediate();
  }

  close(): void {
    this.db.close();
  }
}
