import { describe, expect, it } from 'vitest';
import { InvalidConfigError, Rng } from '@retain/core';
import { PromotionPolicy, pairedBootstrapLowerBound, type EvaluationMetrics, type TaskResult } from '../src/index.js';

function metrics(rewards: number[], opts: { errors?: number[]; latency?: number[]; ids?: string[] } = {}): EvaluationMetrics {
  const tasks: TaskResult[] = rewards.map((reward, i) => ({
    taskId: opts.ids?.[i] ?? `task-${i}`,
    kind: 'skill',
    expectedAction: 'a',
    action: reward > 0 ? 'a' : 'b',
    reward,
    error: opts.errors?.includes(i) ? 'boom' : null,
    latencyMs: opts.latency?.[i] ?? 10,
  }));
  const n = tasks.length;
  const lat = tasks.map((t) => t.latencyMs).sort((a, b) => a - b);
  const agg = {
    taskCount: n,
    averageReward: rewards.reduce((a, b) => a + b, 0) / n,
    errorRate: tasks.filter((t) => t.error !== null).length / n,
    averageLatencyMs: lat.reduce((a, b) => a + b, 0) / n,
    p95LatencyMs: lat[Math.ceil(0.95 * n) - 1]!,
  };
  return { suiteId: 's', suiteVersion: 1, ...agg, byKind: { skill: agg }, tasks };
}

const zeros = (n: number): number[] => Array.from({ length: n }, () => 0);

describe('pairedBootstrapLowerBound', () => {
  it('equals the common value when every delta is the same', () => {
    const b = pairedBootstrapLowerBound([0.25, 0.25, 0.25, 0.25], 0.95, 500, new Rng(1));
    expect(b.mean).toBe(0.25);
    expect(b.lowerBound).toBe(0.25);
  });

  it('gives 0 when one task of 20 carries the whole gain (P[no copy in a resample] ≈ 0.36 > 0.05)', () => {
    const deltas = zeros(20);
    deltas[7] = 1;
    const b = pairedBootstrapLowerBound(deltas, 0.95, 2000, new Rng(3));
    expect(b.mean).toBeCloseTo(0.05, 12);
    expect(b.lowerBound).toBe(0);
  });

  it('matches the binomial 5% quantile when half the tasks gain 1 (k ~ Bin(20, 0.5): q = 6/20)', () => {
    // P(k <= 5) = 0.0207 and P(k <= 6) = 0.0577, so the 100th of 2000 sorted means is 6/20.
    const deltas = [...zeros(10), ...Array.from({ length: 10 }, () => 1)];
    expect(pairedBootstrapLowerBound(deltas, 0.95, 2000, new Rng(11)).lowerBound).toBeCloseTo(0.3, 12);
  });

  it('is reproducible from the seed', () => {
    const deltas = [0.1, -0.2, 0.5, 0.3, 0, 0.9, -0.4, 0.2];
    const a = pairedBootstrapLowerBound(deltas, 0.9, 300, new Rng(42)).lowerBound;
    const b = pairedBootstrapLowerBound(deltas, 0.9, 300, new Rng(42)).lowerBound;
    expect(a).toBe(b);
  });
});

describe('PromotionPolicy', () => {
  const policy = new PromotionPolicy({ minRewardDelta: 0.01, requiredTaskCount: 10, maxLatencyIncreaseMs: 5 });

  it('accepts a challenger that is better on every task', () => {
    const d = policy.evaluate(metrics(zeros(20)), metrics(zeros(20).map(() => 1)));
    expect(d.accepted).toBe(true);
    expect(d.reasons).toEqual([]);
    expect(d.metrics.rewardDelta).toBe(1);
    expect(d.metrics.rewardDeltaLowerBound).toBe(1);
    expect(d.mode).toBe('relative');
  });

  it('rejects a lucky challenger on the bootstrap bound although its point delta clears the gate', () => {
    const lucky = zeros(20);
    lucky[3] = 1;
    const d = policy.evaluate(metrics(zeros(20)), metrics(lucky));
    expect(d.accepted).toBe(false);
    expect(d.metrics.rewardDelta).toBeCloseTo(0.05, 12);
    expect(d.gates.find((g) => g.gate === 'minRewardDelta')!.passed).toBe(true);
    expect(d.reasons).toEqual(['rewardDeltaLowerBound: bootstrap lower bound 0 < 0.01']);
  });

  it('gives one reason per failed gate', () => {
    const base = metrics([1, 1, 1, 1, 1, 1, 1, 1], { latency: [10, 10, 10, 10, 10, 10, 10, 10] });
    const worse = metrics([1, 1, 1, 1, 1, 1, 0, 0], { errors: [6, 7], latency: [30, 30, 30, 30, 30, 30, 30, 30] });
    const d = policy.evaluate(base, worse);
    expect(d.accepted).toBe(false);
    expect(d.reasons.map((r) => r.split(':')[0])).toEqual([
      'requiredTaskCount',
      'minRewardDelta',
      'rewardDeltaLowerBound',
      'maxErrorRateIncrease',
      'maxLatencyIncreaseMs',
    ]);
    expect(d.reasons[3]).toBe('maxErrorRateIncrease: error rate rose by 0.25 > 0');
    expect(d.reasons[4]).toBe('maxLatencyIncreaseMs: p95 latency rose by 20 ms > 5 ms');
  });

  it('refuses to compare results on different task sets', () => {
    const ids = Array.from({ length: 12 }, (_, i) => `x-${i}`);
    const d = policy.evaluate(metrics(zeros(12)), metrics(zeros(12).map(() => 1), { ids }));
    expect(d.accepted).toBe(false);
    expect(d.reasons).toContain('pairedTasks: 24 tasks appear in only one of baseline and challenger results');
  });

  it('judges the first challenger against the absolute floors', () => {
    const p = new PromotionPolicy({ minReward: 0.6, maxErrorRate: 0.1, requiredTaskCount: 4 });
    expect(p.evaluate(null, metrics([1, 1, 1, 0])).accepted).toBe(true);
    const d = p.evaluate(null, metrics([1, 1, 0, 0], { errors: [3] }));
    expect(d.mode).toBe('absolute');
    expect(d.reasons).toEqual(['minReward: average reward 0.5 < 0.6', 'maxErrorRate: error rate 0.25 > 0.1']);
  });

  it('rejects an invalid config with a typed error naming the field', () => {
    expect(() => new PromotionPolicy({ confidence: 1.5 })).toThrow(InvalidConfigError);
    expect(() => new PromotionPolicy({ resamples: 0 })).toThrow(expect.objectContaining({ field: 'policy.resamples' }));
  });
});
