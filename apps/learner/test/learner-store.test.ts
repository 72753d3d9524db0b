import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { NotFoundError, StoreCorruptError } from '@retain/core';
import { LEARNER_SCHEMA_VERSION, LearnerStore } from '../src/index.js';

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'retain-store-'));
}
const row = (key: string, id = key) => ({ key, exampleId: id, data: Buffer.from(`data-${key}`) });

describe('LearnerStore', () => {
  it('rebuilds every retained checkpoint from incremental row changes', () => {
    const store = LearnerStore.open(tmp());
    const c1 = store.commitCheckpoint({ state: Buffer.from('s1'), examplesSeen: 10, rows: [{ kind: 'replay', added: [row('a'), row('b')], removed: [] }] });
    const c2 = store.commitCheckpoint({ state: Buffer.from('s2'), examplesSeen: 20, rows: [{ kind: 'replay', added: [row('c')], removed: ['a'] }] });
    const c3 = store.commitCheckpoint({ state: Buffer.from('s3'), examplesSeen: 30, rows: [{ kind: 'replay', added: [], removed: ['b'] }] });
    const keys = (id?: number) => store.loadCheckpoint(id)!.rows.get('replay')?.map((r) => r.key) ?? [];
    expect(keys(c1)).toEqual(['a', 'b']);
    expect(keys(c2)).toEqual(['b', 'c']);
    expect(keys(c3)).toEqual(['c']);
    expect(keys()).toEqual(['c']);
    expect(store.loadCheckpoint(c2)!.state.toString()).toBe('s2');
    expect(store.listCheckpoints().map((c) => c.examplesSeen)).toEqual([10, 20, 30]);
    expect(() => store.loadCheckpoint(99)).toThrow(NotFoundError);
    store.close();
  });

  it('garbage-collects old checkpoints and the rows only they could see, keeping pinned ones', () => {
    const store = LearnerStore.open(tmp());
    const c1 = store.commitCheckpoint({ state: Buffer.from('1'), examplesSeen: 1, rows: [{ kind: 'replay', added: [row('a')], removed: [] }] });
    store.commitCheckpoint({ state: Buffer.from('2'), examplesSeen: 2, rows: [{ kind: 'replay', added: [row('b')], removed: ['a'] }] });
    store.commitCheckpoint({ state: Buffer.from('3'), examplesSeen: 3, rows: [{ kind: 'replay', added: [row('c')], removed: ['b'] }] });
    const c4 = store.commitCheckpoint({ state: Buffer.from('4'), examplesSeen: 4, rows: [{ kind: 'replay', added: [row('d')], removed: [] }] });
    store.pin(c1);
    expect(store.gc(1)).toBe(2);
    expect(store.listCheckpoints().map((c) => c.id)).toEqual([c1, c4]);
    expect(store.loadCheckpoint(c1)!.rows.get('replay')!.map((r) => r.key)).toEqual(['a']);
    expect(store.loadCheckpoint(c4)!.rows.get('replay')!.map((r) => r.key)).toEqual(['c', 'd']);
    const count = store.db.prepare('SELECT COUNT(*) AS n FROM learner_rows').get() as { n: number };
    expect(count.n).toBe(3); // a (pinned c1), c, d; b was visible only to the deleted c2
    store.close();
  });

  it('forgets an example from every checkpoint and drops the unpinned checkpoints that held it', () => {
    const store = LearnerStore.open(tmp());
    const c1 = store.commitCheckpoint({ state: Buffer.from('1'), examplesSeen: 1, rows: [{ kind: 'replay', added: [row('k1', 'user-7'), row('k2', 'user-8')], removed: [] }, { kind: 'memory', added: [row('m1', 'user-7')], removed: [] }] });
    const c2 = store.commitCheckpoint({ state: Buffer.from('2'), examplesSeen: 2, rows: [{ kind: 'replay', added: [], removed: ['k1'] }, { kind: 'memory', added: [], removed: ['m1'] }] });
    expect(store.forgetExample('user-7', c2)).toBe(2);
    expect(store.listCheckpoints().map((c) => c.id)).toEqual([c2]);
    expect(store.loadCheckpoint(c2)!.rows.get('replay')!.map((r) => r.exampleId)).toEqual(['user-8']);
    const left = store.db.prepare("SELECT COUNT(*) AS n FROM learner_rows WHERE example_id = 'user-7'").get() as { n: number };
    expect(left.n).toBe(0);
    expect(c1).toBeLessThan(c2);
    store.close();
  });

  it('records its schema version, reopens, and refuses a store from a newer retain', () => {
    const dir = tmp();
    LearnerStore.open(dir).close();
    const again = LearnerStore.open(dir);
    expect((again.db.prepare("SELECT version FROM schema_versions WHERE component='learner'").get() as { version: number }).version).toBe(LEARNER_SCHEMA_VERSION);
    again.db.prepare("UPDATE schema_versions SET version = 99 WHERE component='learner'").run();
    again.close();
    expect(() => LearnerStore.open(dir)).toThrow(StoreCorruptError);
  });

  it('rejects a file that is not SQLite with StoreCorruptError', () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, 'retain.db'), 'this is not a database, just text '.repeat(100));
    expect(() => LearnerStore.open(dir)).toThrow(StoreCorruptError);
  });
});
