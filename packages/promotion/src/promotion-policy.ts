import { z } from 'zod';
import { Rng, parseAt } from '@retain/core';
import type { EvaluationMetrics } from './evaluation-metrics.js';
import { pairedBootstrapLowerBound } from './paired-bootstrap.js';

const nonNegative = z.number().refine(Number.isFinite, 'must be finite').refine((v) => v >= 0, 'must be >= 0');

/** zod schema of {@link PromotionPolicyConfig}; every field has a default. */
export const promotionPolicyConfigSchema = z.object({
  minRewardDelta: z.number().refine(Number.isFinite, 'must be finite').default(0.01),
  maxErrorRateIncrease: nonNegative.default(0),
  maxLatencyIncreaseMs: nonNegative.default(50),
  requiredTaskCount: z.number().int().min(1).default(8),
  confidence: z.number().gt(0).lt(1).default(0.95),
  resamples: z.number().int().min(1).max(1_000_000).default(2000),
  seed: z.number().int().min(0).max(0xffffffff).default(0),
  minReward: z.number().refine(Number.isFinite, 'must be finite').default(0.5),
  maxErrorRate: z.number().min(0).max(1).default(0.1),
});
/** Gate thresholds of a {@link PromotionPolicy}. */
export type PromotionPolicyConfig = z.output<typeof promotionPolicyConfigSchema>;

/** One gate's verdict: its value against its threshold. */
export interface GateResult {
  gate: string;
  passed: boolean;
  value: number;
  threshold: number;
}

/** zod schema of {@link PromotionDecision} (stored inside reports). */
export const promotionDecisionSchema = z.object({
  accepted: z.boolean(),
  mode: z.enum(['relative', 'absolute']),
  reasons: z.array(z.string()),
  gates: z.array(z.object({ gate: z.string(), passed: z.boolean(), value: z.number(), threshold: z.number() })),
  metrics: z.object({
    pairedTaskCount: z.number().int(),
    baselineAverageReward: z.number().nullable(),
    challengerAverageReward: z.number(),
    rewardDelta: z.number().nullable(),
    rewardDeltaLowerBound: z.number().nullable(),
    errorRateDelta: z.number().nullable(),
    p95LatencyDeltaMs: z.number().nullable(),
    confidence: z.number(),
    resamples: z.number().int(),
    seed: z.number().int(),
  }),
});
/** The verdict on a challenger: accepted or not, one reason per failed gate, and the numbers behind it. */
export type PromotionDecision = z.output<typeof promotionDecisionSchema>;

/**
 * Decides whether a challenger replaces the baseline. Against a baseline every gate must pass:
 * enough paired tasks, mean reward delta ≥ `minRewardDelta`, its paired-bootstrap lower bound ≥
 * `minRewardDelta` (so a lucky few tasks do not win), error-rate increase ≤ `maxErrorRateIncrease`,
 * p95 latency increase ≤ `maxLatencyIncreaseMs`. Without a baseline, absolute floors apply.
 */
export class PromotionPolicy {
  /** The validated thresholds. */
  readonly config: PromotionPolicyConfig;

  constructor(config: Partial<PromotionPolicyConfig> = {}) {
    this.config = parseAt(promotionPolicyConfigSchema, config, 'policy', 'config');
  }

  /** Judge `challenger` against `baseline` (or against the absolute floors when `baseline` is null). */
  evaluate(baseline: EvaluationMetrics | null, challenger: EvaluationMetrics): PromotionDecision {
    return baseline === null ? this.judgeAbsolute(challenger) : this.judgeRelative(baseline, challenger);
  }

  private judgeAbsolute(c: EvaluationMetrics): PromotionDecision {
    const cfg = this.config;
    const gates: GateResult[] = [
      { gate: 'requiredTaskCount', passed: c.taskCount >= cfg.requiredTaskCount, value: c.taskCount, threshold: cfg.requiredTaskCount },
      { gate: 'minReward', passed: c.averageReward >= cfg.minReward, value: c.averageReward, threshold: cfg.minReward },
      { gate: 'maxErrorRate', passed: c.errorRate <= cfg.maxErrorRate, value: c.errorRate, threshold: cfg.maxErrorRate },
    ];
    return this.decide('absolute', gates, {
      pairedTaskCount: 0,
      baselineAverageReward: null,
      challengerAverageReward: c.averageReward,
      rewardDelta: null,
      rewardDeltaLowerBound: null,
      errorRateDelta: null,
      p95LatencyDeltaMs: null,
    });
  }

  private judgeRelative(b: EvaluationMetrics, c: EvaluationMetrics): PromotionDecision {
    const cfg = this.config;
    const byId = new Map(b.tasks.map((t) => [t.taskId, t.reward]));
    const deltas: number[] = [];
    for (const t of c.tasks) {
      const base = byId.get(t.taskId);
      if (base !== undefined) deltas.push(t.reward - base);
    }
    const paired = deltas.length;
    const unpaired = b.tasks.length + c.tasks.length - 2 * paired;
    const rewardDelta = c.averageReward - b.averageReward;
    const bound = paired > 0 ? pairedBootstrapLowerBound(deltas, cfg.confidence, cfg.resamples, new Rng(cfg.seed)) : null;
    const errorRateDelta = c.errorRate - b.errorRate;
    const latencyDelta = c.p95LatencyMs - b.p95LatencyMs;
    const gates: GateResult[] = [
      { gate: 'requiredTaskCount', passed: paired >= cfg.requiredTaskCount, value: paired, threshold: cfg.requiredTaskCount },
      { gate: 'pairedTasks', passed: unpaired === 0, value: unpaired, threshold: 0 },
      { gate: 'minRewardDelta', passed: rewardDelta >= cfg.minRewardDelta, value: rewardDelta, threshold: cfg.minRewardDelta },
      {
        gate: 'rewardDeltaLowerBound',
        passed: bound !== null && bound.lowerBound >= cfg.minRewardDelta,
        value: bound?.lowerBound ?? Number.NEGATIVE_INFINITY,
        threshold: cfg.minRewardDelta,
      },
      { gate: 'maxErrorRateIncrease', passed: errorRateDelta <= cfg.maxErrorRateIncrease, value: errorRateDelta, threshold: cfg.maxErrorRateIncrease },
      { gate: 'maxLatencyIncreaseMs', passed: latencyDelta <= cfg.maxLatencyIncreaseMs, value: latencyDelta, threshold: cfg.maxLatencyIncreaseMs },
    ];
    return this.decide('relative', gates, {
      pairedTaskCount: paired,
      baselineAverageReward: b.averageReward,
      challengerAverageReward: c.averageReward,
      rewardDelta,
      rewardDeltaLowerBound: bound?.lowerBound ?? null,
      errorRateDelta,
      p95LatencyDeltaMs: latencyDelta,
    });
  }

  private decide(
    mode: PromotionDecision['mode'],
    gates: GateResult[],
    metrics: Omit<PromotionDecision['metrics'], 'confidence' | 'resamples' | 'seed'>,
  ): PromotionDecision {
    const { confidence, resamples, seed } = this.config;
    const reasons = gates.filter((g) => !g.passed).map(describeFailure);
    // JSON cannot hold -Infinity: a missing bound is stored as the most negative finite number.
    const safeGates = gates.map((g) => ({ ...g, value: Number.isFinite(g.value) ? g.value : -Number.MAX_VALUE }));
    return { accepted: reasons.length === 0, mode, reasons, gates: safeGates, metrics: { ...metrics, confidence, resamples, seed } };
  }
}

function fmt(v: number): string {
  return Number.isFinite(v) ? String(Number(v.toFixed(6))) : String(v);
}

function describeFailure(g: GateResult): string {
  switch (g.gate) {
    case 'requiredTaskCount':
      return `requiredTaskCount: ${fmt(g.value)} evaluated tasks < required ${fmt(g.threshold)}`;
    case 'pairedTasks':
      return `pairedTasks: ${fmt(g.value)} tasks appear in only one of baseline and challenger results`;
    case 'minRewardDelta':
      return `minRewardDelta: reward delta ${fmt(g.value)} < ${fmt(g.threshold)}`;
    case 'rewardDeltaLowerBound':
      return `rewardDeltaLowerBound: bootstrap lower bound ${fmt(g.value)} < ${fmt(g.threshold)}`;
    case 'maxErrorRateIncrease':
      return `maxErrorRateIncrease: error rate rose by ${fmt(g.value)} > ${fmt(g.threshold)}`;
    case 'maxLatencyIncreaseMs':
      return `maxLatencyIncreaseMs: p95 latency rose by ${fmt(g.value)} ms > ${fmt(g.threshold)} ms`;
    case 'minReward':
      return `minReward: average reward ${fmt(g.value)} < ${fmt(g.threshold)}`;
    case 'maxErrorRate':
      return `maxErrorRate: error rate ${fmt(g.value)} > ${fmt(g.threshold)}`;
    default:
      return `${g.gate}: ${fmt(g.value)} vs ${fmt(g.threshold)}`;
  }
}
