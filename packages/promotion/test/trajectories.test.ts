import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { InvalidArgumentError, InvalidConfigError, NotFoundError } from '@retain/core';
import {
  ArtifactIndex,
  DatasetBuilder,
  TrajectorySummarizer,
  ingestTrajectoriesJsonl,
  ingestTrajectoryFile,
  openPromotionStore,
  parseTrajectory,
  type SqlitePromotionStore,
} from '../src/index.js';
import { trajectory } from './toy-model.js';

const open: SqlitePromotionStore[] = [];
function tmpStore(dir = fs.mkdtempSync(path.join(os.tmpdir(), 'retain-traj-'))): SqlitePromotionStore {
  const s = openPromotionStore(dir);
  open.push(s);
  return s;
}
afterEach(() => {
  for (const s of open.splice(0)) s.close();
});

describe('trajectory ingestion', () => {
  it('counts good and bad JSONL lines and reports bad ones by line number', () => {
    const store = tmpStore();
    const lines = [
      JSON.stringify(trajectory({ id: 'a' })),
      '',
      '{not json',
      JSON.stringify({ ...trajectory({ id: 'b' }), reward: 'high' }),
      JSON.stringify(trajectory({ id: 'c', createdAt: 1735689600000 })),
      JSON.stringify(trajectory({ id: 'a' })),
    ].join('\n');
    const r = ingestTrajectoriesJsonl(store, lines);
    expect(r).toMatchObject({ lines: 5, good: 2, bad: 3, inserted: 2, duplicates: 0 });
    expect(r.badLines.map((b) => b.line)).toEqual([3, 4, 6]);
    expect(r.badLines[1]!.message).toMatch(/^reward: /);
    expect(store.trajectories.getTrajectory('c').createdAt).toBe('2025-01-01T00:00:00.000Z');
    // ingesting the same file again changes nothing
    expect(ingestTrajectoriesJsonl(store, lines)).toMatchObject({ good: 2, inserted: 0, duplicates: 2 });
    expect(store.trajectories.countTrajectories()).toBe(2);
  });

  it('reads a JSONL file and reports a missing one as NotFoundError', () => {
    const store = tmpStore();
    const file = path.join(store.dir, 'in.jsonl');
    fs.writeFileSync(file, `${JSON.stringify(trajectory({ id: 'f1' }))}\n${JSON.stringify(trajectory({ id: 'f2' }))}\n`);
    expect(ingestTrajectoryFile(store, file)).toMatchObject({ good: 2, bad: 0, inserted: 2 });
    expect(() => ingestTrajectoryFile(store, path.join(store.dir, 'nope.jsonl'))).toThrow(NotFoundError);
  });

  it('rejects a bad batch from the API naming the field, writing nothing', () => {
    const store = tmpStore();
    const batch = [trajectory({ id: 'ok' }), { ...trajectory({ id: 'bad' }), latencyMs: -1 }];
    expect(() => store.trajectories.addTrajectories(batch)).toThrow(
      expect.objectContaining({ code: 'E_INVALID_ARGUMENT', field: 'trajectories[1].latencyMs' }),
    );
    expect(store.trajectories.countTrajectories()).toBe(0);
  });

  it('keeps Float32Array inputs as plain numbers', () => {
    const t = parseTrajectory(trajectory({ input: new Float32Array([0.5, 2]) }));
    expect(t.input).toEqual([0.5, 2]);
  });
});

describe('DatasetBuilder', () => {
  it('turns rewarded trajectories into examples with string labels kept and reward weights', () => {
    const store = tmpStore();
    store.trajectories.addTrajectories([
      trajectory({ id: 'hi', action: 'tool:search', reward: 0.8, domain: 'web' }),
      trajectory({ id: 'lo', action: 'tool:email', reward: 0.2 }),
      trajectory({ id: 'err', action: 'tool:email', reward: 1, error: 'timeout' }),
      trajectory({ id: 'num', action: 3, reward: 0.5 }),
      trajectory({ id: 'bench', action: 'x', reward: 1, origin: 'benchmark' }),
    ]);
    const ds = new DatasetBuilder(new ArtifactIndex(store), { rewardThreshold: 0.5, weighting: 'reward' }).build();
    expect(ds.examples.map((e) => [e.id, e.target, e.weight])).toEqual([
      ['hi', 'tool:search', 0.8],
      ['num', 3, 0.5],
    ]);
    expect(ds.examples[0]!.domain).toBe('web');
    expect(ds.counts).toEqual({ eligible: 4, examples: 2, belowThreshold: 1, failed: 1, invalid: 0 });
    expect(ds.trajectories.map((t) => t.id)).toEqual(['hi', 'lo', 'err', 'num']);
  });

  it('skips trajectories already seen, also after the store is reopened', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'retain-seen-'));
    const a = tmpStore(dir);
    a.trajectories.addTrajectories([trajectory({ id: 's1' }), trajectory({ id: 's2' }), trajectory({ id: 's3' })]);
    a.seen.markSeen(['s1', 's3'], 'report-1');
    a.close();
    const b = tmpStore(dir);
    expect(b.seen.hasSeen('s1')).toBe(true);
    expect(b.seen.countSeen()).toBe(2);
    expect(new ArtifactIndex(b).eligible().trajectories.map((t) => t.id)).toEqual(['s2']);
  });

  it('skips a stored row that no longer validates and reports it', () => {
    const store = tmpStore();
    store.trajectories.addTrajectories([trajectory({ id: 'good' }), trajectory({ id: 'tampered' })]);
    store.db.prepare("UPDATE promotion_trajectories SET body = json_set(body, '$.reward', 'x') WHERE id = 'tampered'").run();
    const found = new ArtifactIndex(store).eligible();
    expect(found.trajectories.map((t) => t.id)).toEqual(['good']);
    expect(found.invalid).toEqual([{ id: 'tampered', message: 'reward: Invalid input: expected number, received string' }]);
  });

  it('rejects reward weighting with a non-positive threshold', () => {
    const store = tmpStore();
    expect(() => new DatasetBuilder(new ArtifactIndex(store), { weighting: 'reward', rewardThreshold: 0 })).toThrow(InvalidConfigError);
  });
});

describe('TrajectorySummarizer', () => {
  const t = parseTrajectory(
    trajectory({ id: 't-9', task: 'reset   my\npassword please', domain: 'support', action: 'tool:reset', reward: 0.75, latencyMs: 12.4 }),
  );

  it('writes one line with task, action, reward, status and latency', () => {
    expect(new TrajectorySummarizer().summarize(t)).toBe('t-9 [support] "reset my password please" → tool:reset reward 0.75 ok 12ms');
  });

  it('adds the best past trajectory from a lookup and cuts long text', () => {
    const s = new TrajectorySummarizer({ lookup: { bestFor: (task) => (task.startsWith('reset') ? 't-3' : null) }, maxTaskChars: 10 });
    expect(s.summarize(t)).toBe('t-9 [support] "reset my …" → tool:reset reward 0.75 ok 12ms · best past: t-3');
    const failing = parseTrajectory(trajectory({ id: 'e', input: [1, 2, 3], error: 'boom', action: 2, reward: 0 }));
    expect(s.summarize(failing)).toBe('e input[3] → 2 reward 0 error: boom 5ms');
  });

  it('rejects a non-string trajectory id lookup argument', () => {
    const store = tmpStore();
    expect(() => store.trajectories.getTrajectory('')).toThrow(InvalidArgumentError);
  });
});
