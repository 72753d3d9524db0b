import { z } from 'zod';
import { evaluationMetricsSchema } from './evaluation-metrics.js';
import { promotionDecisionSchema } from './promotion-policy.js';

/** zod schema of the dataset rule recorded in a report. */
export const datasetRuleSchema = z.object({
  rewardThreshold: z.number(),
  weighting: z.enum(['uniform', 'reward']),
  excludeFailed: z.boolean(),
  maxTrajectories: z.number().int().nullable(),
});
/** How trajectories became training examples. */
export type DatasetRule = z.output<typeof datasetRuleSchema>;

/** zod schema of the error details of a failed run. */
export const reportErrorSchema = z.object({
  stage: z.enum(['dataset', 'train', 'evaluate', 'decide', 'commit']),
  name: z.string(),
  code: z.string().nullable(),
  message: z.string(),
  stack: z.string().nullable(),
});

/** zod schema of a {@link TrainingReport} (format version 1). */
export const trainingReportSchema = z.object({
  version: z.literal(1),
  id: z.string(),
  createdAt: z.string(),
  durationMs: z.number().min(0),
  outcome: z.enum(['accepted', 'rejected', 'skipped', 'failed']),
  dryRun: z.boolean(),
  baselineVersionId: z.string().nullable(),
  baselinePinned: z.boolean(),
  parentVersionId: z.string().nullable(),
  sourceTrajectoryIds: z.array(z.string()),
  sampleCount: z.number().int().min(0),
  datasetRule: datasetRuleSchema,
  datasetCounts: z.object({
    eligible: z.number().int(),
    examples: z.number().int(),
    belowThreshold: z.number().int(),
    failed: z.number().int(),
    invalid: z.number().int(),
  }),
  benchmark: z.object({ id: z.string(), suiteVersion: z.number().int() }).nullable(),
  baselineMetrics: evaluationMetricsSchema.nullable(),
  challengerMetrics: evaluationMetricsSchema.nullable(),
  decision: promotionDecisionSchema.nullable(),
  promotedVersionId: z.string().nullable(),
  skipReason: z.string().nullable(),
  error: reportErrorSchema.nullable(),
  trajectorySummaries: z.array(z.string()),
});
/** The record one cycle leaves, whatever happened in it. */
export type TrainingReport = z.output<typeof trainingReportSchema>;
/** A report before the store assigns its id and the promoted version id. */
export type TrainingReportDraft = Omit<TrainingReport, 'id' | 'promotedVersionId' | 'version'>;

/** One line for listings: `report-3 accepted → v2 (reward 0.75 vs 0.5, 40 samples)`. */
export function summarizeReport(r: TrainingReport): string {
  const dry = r.dryRun ? ' [dry-run]' : '';
  if (r.outcome === 'skipped') return `${r.id} skipped${dry}: ${r.skipReason ?? 'no reason recorded'}`;
  if (r.outcome === 'failed') return `${r.id} failed${dry} in ${r.error?.stage ?? '?'}: ${r.error?.message ?? ''}`;
  const c = r.challengerMetrics?.averageReward;
  const b = r.baselineMetrics?.averageReward;
  const vs = b === undefined ? 'no baseline' : `vs ${fmt(b)}`;
  const to = r.promotedVersionId ? ` → ${r.promotedVersionId}` : '';
  const why = r.outcome === 'rejected' && r.decision ? `; ${r.decision.reasons.join('; ')}` : '';
  return `${r.id} ${r.outcome}${dry}${to} (reward ${c === undefined ? '?' : fmt(c)} ${vs}, ${r.sampleCount} samples)${why}`;
}

function fmt(v: number): string {
  return String(Number(v.toFixed(4)));
}
