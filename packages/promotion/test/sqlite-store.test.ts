import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { InvalidArgumentError, NotFoundError, StateVersionError, StoreCorruptError } from '@retain/core';
import {
  PROMOTION_MIGRATIONS,
  PROMOTION_SCHEMA_VERSION,
  migratePromotionSchema,
  openPromotionStore,
  type SqlitePromotionStore,
} from '../src/index.js';

const open: SqlitePromotionStore[] = [];
const tmpDir = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'retain-store-'));
function store(dir = tmpDir()): SqlitePromotionStore {
  const s = openPromotionStore(dir);
  open.push(s);
  return s;
}
afterEach(() => {
  for (const s of open.splice(0)) s.close();
});
const bytes = (...b: number[]): Uint8Array => new Uint8Array(b);

describe('VersionStore', () => {
  it('publishes versions with weights and metadata and lists them in order', () => {
    const s = store();
    const v1 = s.versions.publishVersion({ weights: bytes(1, 2, 3), spec: { sizes: [2, 1] }, checkpointId: 'ckpt-1' });
    const v2 = s.versions.publishVersion({ weights: bytes(9), spec: { sizes: [2, 1] } });
    expect([v1.id, v2.id]).toEqual(['v1', 'v2']);
    expect(v2.promotion).toEqual({ source: 'manual', reportId: null, priorVersionId: 'v1', benchmark: null });
    const got = s.versions.getVersion('v1');
    expect(Array.from(got.weights)).toEqual([1, 2, 3]);
    expect(got.checkpointId).toBe('ckpt-1');
    expect(got.sha256).toBe('039058c6f2c0cb492c533b0a4d14ef77cc0f78abccced5287d84a1a2011cfb81');
    expect(s.versions.listVersions().map((v) => v.id)).toEqual(['v1', 'v2']);
    expect(s.versions.currentVersionId()).toBe('v2');
  });

  it('rolls back to an older version, recording rollbackFrom, rolledBackAt and the full history', () => {
    const s = store();
    s.versions.publishVersion({ weights: bytes(1), spec: null });
    s.versions.publishVersion({ weights: bytes(2), spec: null });
    const entry = s.versions.rollback('v1');
    expect(entry).toMatchObject({ versionId: 'v1', previousVersionId: 'v2', reason: 'rollback', rollbackFrom: 'v2' });
    expect(entry.rolledBackAt).toBe(entry.at);
    const cur = s.versions.getCurrent()!;
    expect(cur.version.id).toBe('v1');
    expect(cur.since.rollbackFrom).toBe('v2');
    expect(s.versions.listHistory().map((h) => [h.versionId, h.reason])).toEqual([
      ['v1', 'manual'],
      ['v2', 'manual'],
      ['v1', 'rollback'],
    ]);
  });

  it('reports an unknown version as NotFoundError and refuses rolling back to the current one', () => {
    const s = store();
    s.versions.publishVersion({ weights: bytes(1), spec: null });
    expect(() => s.versions.rollback('v7')).toThrow(NotFoundError);
    expect(() => s.versions.rollback('v1')).toThrow(InvalidArgumentError);
    expect(s.versions.listHistory()).toHaveLength(1);
  });

  it.each(['../v1', '/etc/passwd', 'v1/../../x', 'C:\\x', '..', '', 'a\0b'])('rejects the escaping id %j', (id) => {
    const s = store();
    expect(() => s.versions.rollback(id)).toThrow(expect.objectContaining({ code: 'E_INVALID_ARGUMENT', field: 'versionId' }));
    expect(() => s.versions.getVersion(id)).toThrow(InvalidArgumentError);
    expect(() => s.reports.getReport(id)).toThrow(InvalidArgumentError);
  });

  it('keeps versions immutable at the database level', () => {
    const s = store();
    s.versions.publishVersion({ weights: bytes(1), spec: null });
    expect(() => s.db.prepare("UPDATE promotion_versions SET weights = x'00' WHERE id = 'v1'").run()).toThrow(/immutable/);
    expect(() => s.db.prepare("DELETE FROM promotion_versions WHERE id = 'v1'").run()).toThrow(/immutable/);
  });

  it('detects weights that no longer match their checksum', () => {
    const s = store();
    s.versions.publishVersion({ weights: bytes(1, 2), spec: null });
    s.db.exec("DROP TRIGGER promotion_versions_no_update; UPDATE promotion_versions SET weights = x'0103' WHERE id = 'v1'");
    expect(() => s.versions.getVersion('v1')).toThrow(StoreCorruptError);
  });
});

describe('store files and paths', () => {
  it('resolves paths inside the store and rejects escapes', () => {
    const s = store();
    expect(s.resolvePath('bench/suite.json')).toBe(path.join(s.dir, 'bench', 'suite.json'));
    for (const bad of ['../x.json', '/tmp/x.json', 'a/../../x', '.', 'C:/x']) {
      expect(() => s.resolvePath(bad)).toThrow(expect.objectContaining({ code: 'E_INVALID_ARGUMENT', field: 'path' }));
    }
  });

  it('opens a file that is not SQLite as StoreCorruptError', () => {
    const dir = tmpDir();
    fs.writeFileSync(path.join(dir, 'retain.db'), 'this is not a database, just some text '.repeat(40));
    expect(() => openPromotionStore(dir)).toThrow(StoreCorruptError);
  });

  it('uses WAL and records the schema version in the shared schema_versions table', () => {
    const s = store();
    expect(s.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(s.db.prepare("SELECT version FROM schema_versions WHERE component = 'promotion'").get()).toEqual({
      version: PROMOTION_SCHEMA_VERSION,
    });
    const tables = (s.db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
    expect(tables.filter((t) => !t.startsWith('promotion_') && t !== 'sqlite_sequence')).toEqual(['schema_versions']);
  });

  it('leaves other components alone and refuses a store newer than this code', () => {
    const dir = tmpDir();
    const s = store(dir);
    s.db.prepare("INSERT INTO schema_versions (component, version) VALUES ('learner', 4)").run();
    s.db.prepare("UPDATE schema_versions SET version = 99 WHERE component = 'promotion'").run();
    s.close();
    expect(() => openPromotionStore(dir)).toThrow(StateVersionError);
  });

  it('runs forward migrations on an older store, once', () => {
    const db = new Database(':memory:');
    migratePromotionSchema(db, PROMOTION_MIGRATIONS);
    const next = [
      ...PROMOTION_MIGRATIONS,
      { version: PROMOTION_SCHEMA_VERSION + 1, up: (d: Database.Database) => d.exec('ALTER TABLE promotion_reports ADD COLUMN note TEXT') },
    ];
    expect(migratePromotionSchema(db, next)).toBe(PROMOTION_SCHEMA_VERSION + 1);
    expect(migratePromotionSchema(db, next)).toBe(PROMOTION_SCHEMA_VERSION + 1);
    const cols = (db.prepare('PRAGMA table_info(promotion_reports)').all() as { name: string }[]).map((c) => c.name);
    expect(cols).toContain('note');
    db.close();
  });
});
