import type Database from 'better-sqlite3';
import { StateVersionError, StoreCorruptError } from '@retain/core';

/** One forward schema step of the promotion component. */
export interface Migration {
  version: number;
  up: (db: Database.Database) => void;
}

/** The component name this package records in the shared `schema_versions` table. */
export const PROMOTION_COMPONENT = 'promotion';

/** Forward migrations, in order; a newer retain appends, never edits, so older stores upgrade. */
export const PROMOTION_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    up: (db) => {
      db.exec(`
        CREATE TABLE promotion_trajectories (
          seq INTEGER PRIMARY KEY AUTOINCREMENT,
          id TEXT NOT NULL UNIQUE,
          origin TEXT NOT NULL CHECK (origin IN ('live', 'benchmark')),
          benchmark_run_id TEXT,
          domain TEXT,
          created_at TEXT NOT NULL,
          ingested_at TEXT NOT NULL,
          body TEXT NOT NULL
        );
        CREATE INDEX promotion_trajectories_origin ON promotion_trajectories (origin, seq);
        CREATE TABLE promotion_seen_trajectories (
          trajectory_id TEXT PRIMARY KEY,
          report_id TEXT NOT NULL,
          seen_at TEXT NOT NULL
        );
        CREATE TABLE promotion_versions (
          seq INTEGER PRIMARY KEY,
          id TEXT NOT NULL UNIQUE,
          created_at TEXT NOT NULL,
          weights BLOB NOT NULL,
          byte_length INTEGER NOT NULL,
          sha256 TEXT NOT NULL,
          spec TEXT NOT NULL,
          checkpoint_id TEXT,
          promotion TEXT NOT NULL
        );
        CREATE TRIGGER promotion_versions_no_update BEFORE UPDATE ON promotion_versions
          BEGIN SELECT RAISE(ABORT, 'promotion_versions rows are immutable'); END;
        CREATE TRIGGER promotion_versions_no_delete BEFORE DELETE ON promotion_versions
          BEGIN SELECT RAISE(ABORT, 'promotion_versions rows are immutable'); END;
        CREATE TABLE promotion_current_history (
          seq INTEGER PRIMARY KEY,
          version_id TEXT NOT NULL REFERENCES promotion_versions (id),
          previous_version_id TEXT,
          reason TEXT NOT NULL CHECK (reason IN ('promotion', 'rollback', 'manual')),
          at TEXT NOT NULL,
          report_id TEXT,
          rollback_from TEXT
        );
        CREATE TABLE promotion_current (
          slot INTEGER PRIMARY KEY CHECK (slot = 1),
          version_id TEXT NOT NULL REFERENCES promotion_versions (id),
          history_seq INTEGER NOT NULL REFERENCES promotion_current_history (seq)
        );
        CREATE TABLE promotion_reports (
          seq INTEGER PRIMARY KEY,
          id TEXT NOT NULL UNIQUE,
          created_at TEXT NOT NULL,
          outcome TEXT NOT NULL,
          dry_run INTEGER NOT NULL,
          body TEXT NOT NULL
        );
        CREATE TABLE promotion_locks (
          name TEXT PRIMARY KEY,
          owner TEXT NOT NULL,
          pid INTEGER NOT NULL,
          host TEXT NOT NULL,
          acquired_at INTEGER NOT NULL,
          heartbeat_at INTEGER NOT NULL,
          expires_at INTEGER NOT NULL
        );
      `);
    },
  },
];

/** The schema version this code writes. */
export const PROMOTION_SCHEMA_VERSION = PROMOTION_MIGRATIONS[PROMOTION_MIGRATIONS.length - 1]!.version;

/**
 * Bring the promotion tables up to the newest version, each step in its own transaction with the
 * `schema_versions` bump, so a crash mid-upgrade leaves the store at the previous version. A store
 * newer than this code is a `StateVersionError`.
 */
export function migratePromotionSchema(db: Database.Database, migrations: readonly Migration[] = PROMOTION_MIGRATIONS): number {
  const latest = migrations[migrations.length - 1]!.version;
  const step = db.transaction((m: Migration) => {
    const now = readVersion(db);
    if (now >= m.version) return; // another process migrated first
    m.up(db);
    db.prepare(
      `INSERT INTO schema_versions (component, version) VALUES (?, ?)
       ON CONFLICT (component) DO UPDATE SET version = excluded.version`,
    ).run(PROMOTION_COMPONENT, m.version);
  });
  db.exec('CREATE TABLE IF NOT EXISTS schema_versions (component TEXT PRIMARY KEY, version INTEGER NOT NULL)');
  const found = readVersion(db);
  if (found > latest) throw new StateVersionError('schema_versions.promotion', found, migrations.map((m) => m.version));
  for (const m of migrations) if (m.version > found) step.immediate(m);
  return readVersion(db);
}

function readVersion(db: Database.Database): number {
  let row: unknown;
  try {
    row = db.prepare('SELECT version FROM schema_versions WHERE component = ?').get(PROMOTION_COMPONENT);
  } catch (err) {
    throw new StoreCorruptError('schema_versions', `unreadable: ${(err as Error).message}`, err);
  }
  if (row === undefined) return 0;
  const v = (row as { version: unknown }).version;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
    throw new StoreCorruptError('schema_versions.promotion', `version is not a non-negative integer: ${String(v)}`);
  }
  return v;
}
