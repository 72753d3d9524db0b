import crypto from 'node:crypto';
import type Database from 'better-sqlite3';
import { InvalidArgumentError, NotFoundError, StoreCorruptError, parseAt } from '@retain/core';
import type { VersionStore } from './promotion-store.js';
import { assertStoreId } from './store-ids.js';
import {
  jsonValueSchema,
  modelArtifactSchema,
  promotionSourceSchema,
  type CurrentHistoryEntry,
  type CurrentVersion,
  type ModelArtifact,
  type PromotionSource,
  type VersionRecord,
  type VersionWithWeights,
} from './version-record.js';

interface VersionRow {
  seq: number;
  id: string;
  created_at: string;
  byte_length: number;
  sha256: string;
  spec: string;
  checkpoint_id: string | null;
  promotion: string;
  weights?: Buffer;
}

interface HistoryRow {
  seq: number;
  version_id: string;
  previous_version_id: string | null;
  reason: CurrentHistoryEntry['reason'];
  at: string;
  report_id: string | null;
  rollback_from: string | null;
}

const RECORD_COLUMNS = 'seq, id, created_at, byte_length, sha256, spec, checkpoint_id, promotion';

/** sha256 of bytes, hex. */
export function sha256Hex(bytes: Uint8Array): string {
  return crypto.createHash('sha256').update(bytes).digest('hex');
}

/** The SQLite {@link VersionStore}: rows of `promotion_versions`, `promotion_current`, `promotion_current_history`. */
export class SqliteVersionStore implements VersionStore {
  constructor(private readonly db: Database.Database) {}

  getVersion(id: string): VersionWithWeights {
    assertStoreId(id, 'versionId');
    const row = this.db.prepare(`SELECT ${RECORD_COLUMNS}, weights FROM promotion_versions WHERE id = ?`).get(id) as
      | VersionRow
      | undefined;
    if (!row) throw new NotFoundError('version', id);
    return withWeights(row);
  }

  listVersions(): VersionRecord[] {
    const rows = this.db.prepare(`SELECT ${RECORD_COLUMNS} FROM promotion_versions ORDER BY seq`).all() as VersionRow[];
    return rows.map(toRecord);
  }

  countVersions(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM promotion_versions').get() as { n: number }).n;
  }

  currentVersionId(): string | null {
    const row = this.db.prepare('SELECT version_id FROM promotion_current WHERE slot = 1').get() as
      | { version_id: string }
      | undefined;
    return row?.version_id ?? null;
  }

  getCurrent(): CurrentVersion | null {
    // One read transaction: the pointer and the version it names come from the same snapshot.
    return this.db.transaction(() => readCurrent(this.db))();
  }

  publishVersion(artifact: ModelArtifact, options: { makeCurrent?: boolean } = {}): VersionRecord {
    const makeCurrent = options.makeCurrent ?? true;
    return this.db
      .transaction(() => {
        const prior = this.currentVersionId();
        const record = this.insertVersion(artifact, { source: 'manual', reportId: null, priorVersionId: prior, benchmark: null });
        if (makeCurrent) this.moveCurrent(record.id, 'manual', null, null);
        return record;
      })
      .immediate();
  }

  rollback(id: string): CurrentHistoryEntry {
    assertStoreId(id, 'versionId');
    return this.db
      .transaction(() => {
        const exists = this.db.prepare('SELECT 1 FROM promotion_versions WHERE id = ?').get(id);
        if (!exists) throw new NotFoundError('version', id);
        const from = this.currentVersionId();
        if (from === id) throw new InvalidArgumentError('versionId', `${id} is already the current version`);
        return this.moveCurrent(id, 'rollback', null, from);
      })
      .immediate();
  }

  listHistory(): CurrentHistoryEntry[] {
    const rows = this.db.prepare('SELECT * FROM promotion_current_history ORDER BY seq').all() as HistoryRow[];
    return rows.map(toHistory);
  }

  /** Insert an immutable version row; call inside a transaction. */
  insertVersion(artifact: ModelArtifact, promotion: PromotionSource): VersionRecord {
    const a = parseAt(modelArtifactSchema, artifact, 'artifact');
    const next = (this.db.prepare('SELECT COALESCE(MAX(seq), 0) + 1 AS n FROM promotion_versions').get() as { n: number }).n;
    const id = `v${next}`;
    const createdAt = new Date().toISOString();
    const weights = Buffer.from(a.weights.buffer, a.weights.byteOffset, a.weights.byteLength);
    const sha = sha256Hex(weights);
    this.db
      .prepare(
        `INSERT INTO promotion_versions (seq, id, created_at, weights, byte_length, sha256, spec, checkpoint_id, promotion)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(next, id, createdAt, weights, weights.byteLength, sha, JSON.stringify(a.spec), a.checkpointId, JSON.stringify(promotion));
    return {
      id,
      seq: next,
      createdAt,
      byteLength: weights.byteLength,
      sha256: sha,
      spec: a.spec,
      checkpointId: a.checkpointId,
      promotion,
    };
  }

  /** Point `current` at `versionId` and append the history entry; call inside a transaction. */
  moveCurrent(
    versionId: string,
    reason: CurrentHistoryEntry['reason'],
    reportId: string | null,
    rollbackFrom: string | null,
  ): CurrentHistoryEntry {
    const previous = this.currentVersionId();
    const at = new Date().toISOString();
    const seq = (this.db.prepare('SELECT COALESCE(MAX(seq), 0) + 1 AS n FROM promotion_current_history').get() as { n: number }).n;
    this.db
      .prepare(
        `INSERT INTO promotion_current_history (seq, version_id, previous_version_id, reason, at, report_id, rollback_from)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(seq, versionId, previous, reason, at, reportId, rollbackFrom);
    this.db
      .prepare(
        `INSERT INTO promotion_current (slot, version_id, history_seq) VALUES (1, ?, ?)
         ON CONFLICT (slot) DO UPDATE SET version_id = excluded.version_id, history_seq = excluded.history_seq`,
      )
      .run(versionId, seq);
    return toHistory({ seq, version_id: versionId, previous_version_id: previous, reason, at, report_id: reportId, rollback_from: rollbackFrom });
  }
}

/** Read the current pointer, its history entry and its version; call inside a read transaction. */
export function readCurrent(db: Database.Database): CurrentVersion | null {
  const ptr = db.prepare('SELECT version_id, history_seq FROM promotion_current WHERE slot = 1').get() as
    | { version_id: string; history_seq: number }
    | undefined;
  if (!ptr) return null;
  const row = db.prepare(`SELECT ${RECORD_COLUMNS}, weights FROM promotion_versions WHERE id = ?`).get(ptr.version_id) as
    | VersionRow
    | undefined;
  if (!row) throw new StoreCorruptError('promotion_current', `points at missing version ${ptr.version_id}`);
  const hist = db.prepare('SELECT * FROM promotion_current_history WHERE seq = ?').get(ptr.history_seq) as HistoryRow | undefined;
  if (!hist) throw new StoreCorruptError('promotion_current', `points at missing history entry ${ptr.history_seq}`);
  return { version: withWeights(row), since: toHistory(hist) };
}

function toRecord(row: VersionRow): VersionRecord {
  let spec: unknown;
  let promotion: unknown;
  try {
    spec = JSON.parse(row.spec);
    promotion = JSON.parse(row.promotion);
  } catch (err) {
    throw new StoreCorruptError(`promotion_versions[${row.id}]`, 'metadata is not JSON', err);
  }
  return {
    id: row.id,
    seq: row.seq,
    createdAt: row.created_at,
    byteLength: row.byte_length,
    sha256: row.sha256,
    spec: parseAt(jsonValueSchema, spec, `promotion_versions[${row.id}].spec`, 'store'),
    checkpointId: row.checkpoint_id,
    promotion: parseAt(promotionSourceSchema, promotion, `promotion_versions[${row.id}].promotion`, 'store'),
  };
}

function withWeights(row: VersionRow): VersionWithWeights {
  const weights = row.weights;
  if (!(weights instanceof Uint8Array) || weights.byteLength !== row.byte_length || sha256Hex(weights) !== row.sha256) {
    throw new StoreCorruptError(`promotion_versions[${row.id}].weights`, 'weights do not match their recorded length and sha256');
  }
  return { ...toRecord(row), weights: new Uint8Array(weights.buffer, weights.byteOffset, weights.byteLength) };
}

function toHistory(r: HistoryRow): CurrentHistoryEntry {
  const rollback = r.reason === 'rollback';
  return {
    seq: r.seq,
    versionId: r.version_id,
    previousVersionId: r.previous_version_id,
    reason: r.reason,
    at: r.at,
    reportId: r.report_id,
    rollbackFrom: rollback ? r.rollback_from : null,
    rolledBackAt: rollback ? r.at : null,
  };
}
