import { z } from 'zod';

/** JSON value (the model spec and other metadata are stored as JSON). */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
/** zod schema of a JSON value. */
export const jsonValueSchema: z.ZodType<JsonValue> = z.lazy(() =>
  z.union([
    z.string(),
    z.number().refine(Number.isFinite, 'must be finite'),
    z.boolean(),
    z.null(),
    z.array(jsonValueSchema),
    z.record(z.string(), jsonValueSchema),
  ]),
);

/** zod schema of a {@link ModelArtifact}. */
export const modelArtifactSchema = z.object({
  weights: z.instanceof(Uint8Array),
  spec: jsonValueSchema,
  checkpointId: z.string().min(1).max(256).nullable().default(null),
});
/** What a train function produces and a version stores: weight bytes plus a JSON spec. */
export interface ModelArtifact {
  weights: Uint8Array;
  spec: JsonValue;
  /** The learner's checkpoint this version was taken from, if any. */
  checkpointId?: string | null;
}

/** zod schema of a benchmark summary kept on a promoted version. */
export const benchmarkSummarySchema = z.object({
  suiteId: z.string(),
  suiteVersion: z.number().int(),
  taskCount: z.number().int(),
  averageReward: z.number(),
  errorRate: z.number(),
  averageLatencyMs: z.number(),
  p95LatencyMs: z.number(),
  baselineAverageReward: z.number().nullable(),
});
/** The headline numbers of the evaluation that promoted a version. */
export type BenchmarkSummary = z.output<typeof benchmarkSummarySchema>;

/** zod schema of a version's promotion metadata. */
export const promotionSourceSchema = z.object({
  source: z.enum(['cycle', 'manual']),
  reportId: z.string().nullable(),
  priorVersionId: z.string().nullable(),
  benchmark: benchmarkSummarySchema.nullable(),
});
/** How a version came to be: the cycle report or a manual publish, and what was current before. */
export type PromotionSource = z.output<typeof promotionSourceSchema>;

/** A stored, immutable model version (without its weight bytes). */
export interface VersionRecord {
  id: string;
  seq: number;
  createdAt: string;
  byteLength: number;
  /** sha256 of the weights, hex; checked on every read. */
  sha256: string;
  spec: JsonValue;
  checkpointId: string | null;
  promotion: PromotionSource;
}

/** A version together with its weight bytes. */
export interface VersionWithWeights extends VersionRecord {
  weights: Uint8Array;
}

/** One move of the `current` pointer. */
export interface CurrentHistoryEntry {
  seq: number;
  versionId: string;
  previousVersionId: string | null;
  reason: 'promotion' | 'rollback' | 'manual';
  at: string;
  reportId: string | null;
  /** Set on rollbacks: the version that was current before. */
  rollbackFrom: string | null;
  /** Set on rollbacks: when it happened (equals `at`). */
  rolledBackAt: string | null;
}

/** The current version and the history entry that made it current. */
export interface CurrentVersion {
  version: VersionWithWeights;
  since: CurrentHistoryEntry;
}
