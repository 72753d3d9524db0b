import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Rng } from '@retain/core';
import { loadKernels } from '@retain/kernels';
import { createBenchmarkSuite, openPromotionStore, saveBenchmarkSuite } from '@retain/promotion';
import { CASE_INDEX_FILE, LearnerStore, openLearner, runLearnerCycle, type LearnerConfigInput } from '../src/index.js';

const kernels = loadKernels({ backend: 'ts' });
const config: LearnerConfigInput = { seed: 1, model: { hidden: [16] }, optimizer: { lr: 0.02 }, batchSize: 4, drift: { enabled: false } };

function point(rng: Rng, c: number): number[] {
  return [3 * c + rng.normal() * 0.5, -2 * c + rng.normal() * 0.5, rng.normal()];
}

function setup(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'retain-cycle-'));
  const rng = new Rng(5);
  const learner = openLearner(dir, config, { kernels });
  for (let i = 0; i < 60; i++) learner.learnOne({ id: `warm-${i}`, input: point(rng, i % 2), target: ['search', 'calc'][i % 2]! });
  learner.saveState();
  learner.store!.close();
  const tasks = Array.from({ length: 30 }, (_, i) => ({ id: `b${i}`, kind: (['memory', 'tool', 'skill', 'composite'] as const)[i % 4], input: point(rng, i % 3), expectedAction: ['search', 'calc', 'write'][i % 3]! }));
  saveBenchmarkSuite(path.join(dir, 'benchmark.json'), createBenchmarkSuite('router', 1, tasks));
  return dir;
}

function addTrajectories(dir: string, n: number, seed: number, classes: number): void {
  const rng = new Rng(seed);
  const store = openPromotionStore(dir);
  store.trajectories.addTrajectories(
    Array.from({ length: n }, (_, i) => {
      const c = i % classes;
      return { id: `t${seed}-${i}`, task: `route request ${c}`, input: point(rng, c), action: ['search', 'calc', 'write'][c]!, reward: 1, latencyMs: 2, createdAt: Date.now() };
    }),
  );
  store.close();
}

describe('runLearnerCycle', () => {
  it('promotes a challenger trained from the learner on new trajectories, pins its checkpoint, rebuilds the case index', async () => {
    const dir = setup();
    addTrajectories(dir, 300, 9, 3);
    const report = await runLearnerCycle({ store: dir, minNewTrajectories: 10, kernels, policy: { minReward: 0.6, requiredTaskCount: 10 } });
    expect(report.outcome, JSON.stringify({ d: report.decision, e: report.error })).toBe('accepted');
    expect(report.promotedVersionId, JSON.stringify(Object.keys(report))).toBe('v1');
    const promotion = openPromotionStore(dir);
    const v = promotion.versions.getCurrent()!.version;
    expect(v.id).toBe('v1');
    const learnerStore = LearnerStore.open(dir);
    const pinned = learnerStore.listCheckpoints().find((c) => String(c.id) === v.checkpointId);
    expect(pinned?.pinned).toBe(true);
    learnerStore.close();
    promotion.close();
    const index = JSON.parse(fs.readFileSync(path.join(dir, CASE_INDEX_FILE), 'utf8'));
    expect(JSON.stringify(index)).toContain('route request 2');
  }, 60_000);

  it('a challenger that loses leaves current and its weights byte-identical and the learner history as before', async () => {
    const dir = setup();
    addTrajectories(dir, 300, 9, 3);
    await runLearnerCycle({ store: dir, minNewTrajectories: 10, kernels, policy: { minReward: 0.6, requiredTaskCount: 10 } });
    const before = openPromotionStore(dir);
    const current = before.versions.getCurrent()!.version;
    const weights = Buffer.from(current.weights);
    before.close();
    const ls = LearnerStore.open(dir);
    const checkpointsBefore = ls.listCheckpoints().map((c) => c.id);
    ls.close();
    // trajectories with wrong labels: the challenger gets worse on the suite
    const store = openPromotionStore(dir);
    const rng = new Rng(77);
    store.trajectories.addTrajectories(Array.from({ length: 200 }, (_, i) => ({ id: `bad-${i}`, input: point(rng, i % 3), action: 'write', reward: 1, latencyMs: 2, createdAt: Date.now() })));
    store.close();
    const report = await runLearnerCycle({ store: dir, minNewTrajectories: 10, kernels, policy: { requiredTaskCount: 10 } });
    expect(report.outcome).toBe('rejected');
    expect(report.decision!.reasons.length).toBeGreaterThan(0);
    const after = openPromotionStore(dir);
    const still = after.versions.getCurrent()!.version;
    expect(still.id).toBe(current.id);
    expect(Buffer.from(still.weights).equals(weights)).toBe(true);
    after.close();
    const ls2 = LearnerStore.open(dir);
    expect(ls2.listCheckpoints().map((c) => c.id)).toEqual(checkpointsBefore);
    ls2.close();
  }, 60_000);

  it('a dry run trains and evaluates, reports, and saves nothing', async () => {
    const dir = setup();
    addTrajectories(dir, 100, 3, 3);
    const ls = LearnerStore.open(dir);
    const before = ls.listCheckpoints().map((c) => c.id);
    ls.close();
    const report = await runLearnerCycle({ store: dir, minNewTrajectories: 10, dryRun: true, kernels, policy: { minReward: 0.5, requiredTaskCount: 10 } });
    expect(report.dryRun).toBe(true);
    const promotion = openPromotionStore(dir);
    expect(promotion.versions.listVersions()).toHaveLength(0);
    expect(promotion.reports.countReports()).toBe(1);
    promotion.close();
    const ls2 = LearnerStore.open(dir);
    expect(ls2.listCheckpoints().map((c) => c.id)).toEqual(before);
    ls2.close();
  }, 60_000);
});
