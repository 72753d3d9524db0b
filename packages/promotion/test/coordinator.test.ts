import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { InvalidArgumentError, LockedError, NotFoundError } from '@retain/core';
import {
  OnlineLearningCoordinator,
  defaultBenchmarkSuite,
  openPromotionStore,
  promotionStatus,
  runOnlineLearningCycle,
  saveBenchmarkSuite,
  type OnlineLearningCoordinatorOptions,
  type SqlitePromotionStore,
  type TrainingReport,
} from '../src/index.js';
import { decodeTable, encodeTable, keyOf, lookupPredictor, memorize, trajectory, type Table } from './toy-model.js';

const suite = defaultBenchmarkSuite();
const open: SqlitePromotionStore[] = [];
function store(dir = fs.mkdtempSync(path.join(os.tmpdir(), 'retain-cycle-'))): SqlitePromotionStore {
  const s = openPromotionStore(dir);
  open.push(s);
  return s;
}
afterEach(() => {
  for (const s of open.splice(0)) s.close();
});

/** Log trajectories that show the right action for suite tasks [from, to). */
function teach(s: SqlitePromotionStore, from: number, to: number, tag: string, wrong = false): void {
  s.trajectories.addTrajectories(
    suite.tasks.slice(from, to).map((task) =>
      trajectory({ id: `${tag}-${task.id}`, input: task.input, action: wrong ? 'wrong' : task.expectedAction, reward: 1 }),
    ),
  );
}

function tableFor(from: number, to: number): Table {
  const t: Table = {};
  for (const task of suite.tasks.slice(from, to)) t[keyOf(task.input)] = task.expectedAction;
  return t;
}

function coordinator(s: SqlitePromotionStore, over: Partial<OnlineLearningCoordinatorOptions> = {}): OnlineLearningCoordinator {
  return new OnlineLearningCoordinator({ store: s, train: memorize, createPredictor: (m) => lookupPredictor(m), ...over });
}

describe('OnlineLearningCoordinator', () => {
  it('skips with a report when there are too few new trajectories', async () => {
    const s = store();
    teach(s, 0, 2, 'a');
    const r = await coordinator(s).runCycle({ minNewTrajectories: 5 });
    expect(r).toMatchObject({ id: 'report-1', outcome: 'skipped', promotedVersionId: null, dryRun: false });
    expect(r.skipReason).toBe('2 new trajectories < minNewTrajectories 5');
    expect(s.versions.countVersions()).toBe(0);
    expect(s.seen.countSeen()).toBe(0);
  });

  it('promotes the first challenger on the absolute floors and records where it came from', async () => {
    const s = store();
    teach(s, 0, 12, 'a');
    const r = await coordinator(s).runCycle();
    expect(r.outcome).toBe('accepted');
    expect(r.decision!.mode).toBe('absolute');
    expect(r.challengerMetrics!.averageReward).toBe(0.75);
    expect(r.baselineMetrics).toBeNull();
    expect(r.promotedVersionId).toBe('v1');
    expect(r.sampleCount).toBe(12);
    expect(r.sourceTrajectoryIds).toHaveLength(12);
    expect(r.trajectorySummaries[0]).toBe('a-memory-1 input{op,key} → recall:name reward 1 ok 5ms');
    const cur = s.versions.getCurrent()!;
    expect(cur.version.promotion).toMatchObject({ source: 'cycle', reportId: r.id, priorVersionId: null });
    expect(cur.version.promotion.benchmark).toMatchObject({ averageReward: 0.75, taskCount: 16, suiteId: 'retain-seed' });
    expect(cur.since).toMatchObject({ reason: 'promotion', reportId: r.id });
    expect(decodeTable(cur.version.weights)).toEqual(tableFor(0, 12));
    expect(s.seen.countSeen()).toBe(12);
    // the same trajectories never train again
    const again = await coordinator(s).runCycle();
    expect(again.outcome).toBe('skipped');
    expect(again.datasetCounts.eligible).toBe(0);
  });

  it('promotes a better challenger trained from the champion over it', async () => {
    const s = store();
    s.versions.publishVersion({ weights: encodeTable(tableFor(0, 8)), spec: null });
    teach(s, 8, 16, 'b');
    const r = await coordinator(s).runCycle();
    expect(r.outcome).toBe('accepted');
    expect(r.decision!.metrics).toMatchObject({ baselineAverageReward: 0.5, challengerAverageReward: 1, rewardDelta: 0.5 });
    expect(r.decision!.metrics.rewardDeltaLowerBound).toBeGreaterThanOrEqual(0.25);
    expect(r.promotedVersionId).toBe('v2');
    expect(s.versions.getVersion('v2').promotion.priorVersionId).toBe('v1');
    expect(r.parentVersionId).toBe('v1');
  });

  it('leaves the current version and its weights byte-identical when the challenger loses', async () => {
    const s = store();
    s.versions.publishVersion({ weights: encodeTable(tableFor(0, 16)), spec: { n: 16 } });
    const before = s.versions.getCurrent()!;
    const rowBefore = s.db.prepare('SELECT * FROM promotion_versions').all();
    teach(s, 0, 4, 'bad', true);
    const r = await coordinator(s).runCycle();
    expect(r.outcome).toBe('rejected');
    expect(r.decision!.reasons[0]).toBe('minRewardDelta: reward delta -0.25 < 0.01');
    expect(r.promotedVersionId).toBeNull();
    const after = s.versions.getCurrent()!;
    expect(after.version.id).toBe('v1');
    expect(Buffer.compare(Buffer.from(after.version.weights), Buffer.from(before.version.weights))).toBe(0);
    expect(after.version.sha256).toBe(before.version.sha256);
    expect(after.since).toEqual(before.since);
    expect(s.db.prepare('SELECT * FROM promotion_versions').all()).toEqual(rowBefore);
    expect(s.versions.listHistory()).toHaveLength(1);
  });

  it('dry-run trains and evaluates, reports, and saves nothing else', async () => {
    const s = store();
    teach(s, 0, 16, 'a');
    const r = await coordinator(s).runCycle({ dryRun: true });
    expect(r).toMatchObject({ outcome: 'accepted', dryRun: true, promotedVersionId: null });
    expect(r.challengerMetrics!.averageReward).toBe(1);
    expect(s.versions.countVersions()).toBe(0);
    expect(s.seen.countSeen()).toBe(0);
    expect(s.reports.getReport(r.id)).toEqual(r);
    expect((await coordinator(s).runCycle()).promotedVersionId).toBe('v1');
  });

  it('evaluates a pinned baseline instead of the current version and records it', async () => {
    const s = store();
    s.versions.publishVersion({ weights: encodeTable(tableFor(0, 4)), spec: null });
    s.versions.publishVersion({ weights: encodeTable(tableFor(0, 8)), spec: null });
    teach(s, 8, 12, 'c');
    const r = await coordinator(s).runCycle({ baselineVersionId: 'v1' });
    expect(r).toMatchObject({ baselineVersionId: 'v1', baselinePinned: true, parentVersionId: 'v2', outcome: 'accepted' });
    expect(r.baselineMetrics!.averageReward).toBe(0.25);
    expect(r.challengerMetrics!.averageReward).toBe(0.75);
    expect(s.versions.getVersion('v3').promotion.priorVersionId).toBe('v2');
    await expect(coordinator(s).runCycle({ baselineVersionId: 'v9' })).rejects.toThrow(NotFoundError);
    await expect(coordinator(s).runCycle({ baselineVersionId: '../v1' })).rejects.toThrow(InvalidArgumentError);
    expect(s.reports.countReports()).toBe(1);
  });

  it('turns an exception in training into a failed report and keeps current and the trajectories', async () => {
    const s = store();
    s.versions.publishVersion({ weights: encodeTable(tableFor(0, 4)), spec: null });
    teach(s, 4, 16, 'd');
    const r = await coordinator(s, {
      train: () => {
        throw new RangeError('loss became NaN');
      },
    }).runCycle();
    expect(r.outcome).toBe('failed');
    expect(r.error).toMatchObject({ stage: 'train', name: 'RangeError', message: 'loss became NaN', code: null });
    expect(s.versions.currentVersionId()).toBe('v1');
    expect(s.seen.countSeen()).toBe(0);
    const bad = await coordinator(s, {
      createPredictor: (m) => {
        if (m.versionId === null) throw new Error('cannot load challenger');
        return lookupPredictor(m);
      },
    }).runCycle();
    expect(bad.error).toMatchObject({ stage: 'evaluate', message: 'cannot load challenger' });
    expect(s.versions.countVersions()).toBe(1);
    const invalid = await coordinator(s, { train: () => ({ weights: 'not bytes' }) as never }).runCycle();
    expect(invalid.error).toMatchObject({ stage: 'train', code: 'E_INVALID_ARGUMENT' });
    expect(s.reports.listReports().map((x) => x.outcome)).toEqual(['failed', 'failed', 'failed']);
  });

  it('reports a corrupt benchmark file as a failed cycle and refuses an escaping benchmark path', async () => {
    const s = store();
    teach(s, 0, 16, 'e');
    fs.writeFileSync(s.resolvePath('suite.json'), '{"format":"something-else"}');
    const r = await coordinator(s, { benchmark: { path: 'suite.json' } }).runCycle();
    expect(r.error).toMatchObject({ stage: 'evaluate', code: 'E_STORE_CORRUPT' });
    saveBenchmarkSuite(s.resolvePath('suite.json'), suite);
    expect((await coordinator(s, { benchmark: { path: 'suite.json' } }).runCycle()).outcome).toBe('accepted');
    expect(() => coordinator(s, { benchmark: { path: '../../etc/suite.json' } })).toThrow(InvalidArgumentError);
  });

  it('marks trajectories logged during benchmarking so they never train a later challenger', async () => {
    const s = store();
    teach(s, 0, 16, 'f');
    let n = 0;
    const logging = coordinator(s, {
      createPredictor: (m) => {
        const predict = lookupPredictor(m);
        return async (input, ctx) => {
          const p = await predict(input, ctx);
          s.trajectories.addTrajectories([trajectory({ id: `served-${n++}`, input, action: p.action, reward: 1 })]);
          return p;
        };
      },
    });
    expect((await logging.runCycle()).outcome).toBe('accepted');
    expect(s.db.prepare("SELECT COUNT(*) AS n FROM promotion_trajectories WHERE origin = 'benchmark'").get()).toEqual({ n: 16 });
    s.trajectories.addTrajectories([trajectory({ id: 'live-after' })]);
    expect(s.trajectories.getTrajectory('live-after').origin).toBe('live');
    const next = await coordinator(s).runCycle({ minNewTrajectories: 2 });
    expect(next.outcome).toBe('skipped');
    expect(next.datasetCounts.eligible).toBe(1);
  });

  it('refuses to promote over a current version moved by another writer during the cycle', async () => {
    const s = store();
    const other = store(s.dir);
    teach(s, 0, 16, 'g');
    const r = await coordinator(s, {
      train: (req) => {
        other.versions.publishVersion({ weights: new Uint8Array([7]), spec: null });
        return memorize(req);
      },
    }).runCycle();
    expect(r.outcome).toBe('failed');
    expect(r.error).toMatchObject({ stage: 'commit', code: 'E_LOCKED' });
    expect(s.versions.currentVersionId()).toBe('v1');
    expect(Array.from(s.versions.getVersion('v1').weights)).toEqual([7]);
  });

  it('calls afterCycle with each report, also through runOnlineLearningCycle', async () => {
    const s = store();
    teach(s, 0, 16, 'h');
    const seen: TrainingReport[] = [];
    const r = await runOnlineLearningCycle({
      store: s,
      train: memorize,
      createPredictor: (m) => lookupPredictor(m),
      afterCycle: (rep) => void seen.push(rep),
      minNewTrajectories: 16,
    });
    expect(seen).toEqual([r]);
    expect(r.promotedVersionId).toBe('v1');
  });

  it('summarizes the store for `retain status`', async () => {
    const s = store();
    expect(promotionStatus(s)).toEqual({ currentVersion: null, versionCount: 0, trajectoryCount: 0, reportCount: 0, latestReport: null });
    teach(s, 0, 16, 'i');
    await coordinator(s).runCycle();
    const st = promotionStatus(s);
    expect(st).toMatchObject({ versionCount: 1, trajectoryCount: 16, reportCount: 1 });
    expect(st.currentVersion).toMatchObject({ id: 'v1', reason: 'promotion' });
    expect(st.latestReport).toMatchObject({ id: 'report-1', outcome: 'accepted', dryRun: false });
    expect(st.latestReport!.summary).toBe('report-1 accepted → v1 (reward 1 no baseline, 16 samples)');
  });
});

describe('cycle lock', () => {
  it('refuses a second cycle while one holds the lock', async () => {
    const s = store();
    teach(s, 0, 16, 'j');
    const lock = s.acquireCycleLock();
    await expect(coordinator(s).runCycle()).rejects.toThrow(LockedError);
    lock.release();
    expect(s.reports.countReports()).toBe(0);
    expect((await coordinator(s).runCycle()).outcome).toBe('accepted');
  });

  it('takes over a lock left by a dead process, and one from another host once it expired', async () => {
    const s = store();
    teach(s, 0, 16, 'k');
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    const insert = s.db.prepare(
      'INSERT OR REPLACE INTO promotion_locks (name, owner, pid, host, acquired_at, heartbeat_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    const now = Date.now();
    insert.run('cycle', 'ghost', dead, os.hostname(), now, now, now + 3_600_000);
    expect((await coordinator(s).runCycle({ dryRun: true })).outcome).toBe('accepted');
    insert.run('cycle', 'remote', 1, 'other-host', now, now, now + 3_600_000);
    await expect(coordinator(s).runCycle({ dryRun: true })).rejects.toThrow(LockedError);
    insert.run('cycle', 'remote', 1, 'other-host', now - 10_000, now - 10_000, now - 1);
    expect((await coordinator(s).runCycle({ dryRun: true })).outcome).toBe('accepted');
    expect(s.db.prepare('SELECT COUNT(*) AS n FROM promotion_locks').get()).toEqual({ n: 0 });
  });
});

describe('watchCurrent', () => {
  it('hands a serving process each newly promoted or rolled-back version', async () => {
    const serving = store();
    const seen: (string | null)[] = [];
    const tables: Table[] = [];
    const w = serving.watchCurrent(
      (cur) => {
        seen.push(cur?.version.id ?? null);
        if (cur) tables.push(decodeTable(cur.version.weights));
      },
      { intervalMs: 60_000 },
    );
    expect(seen).toEqual([null]);
    const learner = store(serving.dir);
    teach(learner, 0, 16, 'w');
    await coordinator(learner).runCycle();
    w.poll();
    w.poll(); // nothing changed: no second call
    learner.versions.publishVersion({ weights: encodeTable({}), spec: null });
    learner.versions.rollback('v1');
    w.poll();
    expect(seen).toEqual([null, 'v1', 'v1']);
    expect(tables[0]).toEqual(tableFor(0, 16));
    learner.trajectories.addTrajectories([trajectory()]); // an unrelated commit
    w.poll();
    expect(seen).toHaveLength(3);
    w.close();
  });
});
