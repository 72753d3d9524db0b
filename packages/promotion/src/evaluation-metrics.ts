import { z } from 'zod';
import { benchmarkKindSchema } from './benchmark-suite.js';

const label = z.union([z.string(), z.number()]);

/** zod schema of one task's result in an evaluation. */
export const taskResultSchema = z.object({
  taskId: z.string(),
  kind: benchmarkKindSchema,
  expectedAction: label,
  action: label.nullable(),
  reward: z.number(),
  error: z.string().nullable(),
  latencyMs: z.number().min(0),
});
/** One benchmark task as a model did it. */
export type TaskResult = z.output<typeof taskResultSchema>;

const aggregateSchema = z.object({
  taskCount: z.number().int().min(0),
  averageReward: z.number(),
  errorRate: z.number().min(0).max(1),
  averageLatencyMs: z.number().min(0),
  p95LatencyMs: z.number().min(0),
});
/** Aggregates over a set of task results. */
export type AggregateMetrics = z.output<typeof aggregateSchema>;

/** zod schema of {@link EvaluationMetrics} (stored inside reports). */
export const evaluationMetricsSchema = aggregateSchema.extend({
  suiteId: z.string(),
  suiteVersion: z.number().int(),
  byKind: z.record(z.string(), aggregateSchema),
  tasks: z.array(taskResultSchema),
});
/** A model's results on a benchmark suite: per task, per kind and overall. */
export type EvaluationMetrics = z.output<typeof evaluationMetricsSchema>;

/**
 * p95 by the nearest-rank rule: the smallest value with at least 95% of the values at or below it
 * (sorted[ceil(0.95·n) − 1]); an empty list gives 0.
 */
export function percentileNearestRank(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil(p * sorted.length));
  return sorted[rank - 1]!;
}

/** Average reward, error rate, average and p95 latency of some task results. */
export function aggregateResults(results: readonly TaskResult[]): AggregateMetrics {
  const n = results.length;
  if (n === 0) return { taskCount: 0, averageReward: 0, errorRate: 0, averageLatencyMs: 0, p95LatencyMs: 0 };
  let reward = 0;
  let errors = 0;
  let latency = 0;
  for (const r of results) {
    reward += r.reward;
    latency += r.latencyMs;
    if (r.error !== null) errors++;
  }
  return {
    taskCount: n,
    averageReward: reward / n,
    errorRate: errors / n,
    averageLatencyMs: latency / n,
    p95LatencyMs: percentileNearestRank(
      results.map((r) => r.latencyMs),
      0.95,
    ),
  };
}
