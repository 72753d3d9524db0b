import { z } from 'zod';
import { parseAt } from '@retain/core';

const finite = z.number().refine(Number.isFinite, 'must be a finite number');

/** Input features of a trajectory: a dense vector or named fields (JSON-safe). */
export const trajectoryInputSchema = z.union([
  z.instanceof(Float32Array).transform((a) => Array.from(a)),
  z.array(finite),
  z.record(z.string(), z.union([finite, z.string(), z.boolean()])),
]);

/** Where a trajectory came from: live traffic, or a benchmark run (never trained on). */
export const trajectoryOriginSchema = z.enum(['live', 'benchmark']);

/** zod schema of a {@link Trajectory}; `createdAt` accepts an ISO string or epoch milliseconds. */
export const trajectorySchema = z.object({
  id: z.string().min(1).max(256),
  task: z.string().max(100_000).optional(),
  input: trajectoryInputSchema,
  action: z.union([z.string().min(1), z.number().int().min(0)]),
  reward: finite,
  error: z.union([z.string(), z.boolean(), z.null()]).default(null),
  latencyMs: finite.refine((v) => v >= 0, 'must be >= 0'),
  createdAt: z
    .union([z.iso.datetime({ offset: true }), z.number().int().min(0)])
    .transform((v) => new Date(v).toISOString()),
  domain: z.string().min(1).max(256).optional(),
  origin: trajectoryOriginSchema.default('live'),
});

/** One logged interaction: what was asked, what was done, and how it went. */
export type Trajectory = z.output<typeof trajectorySchema>;
/** A trajectory as callers may write it (defaults filled in by {@link parseTrajectory}). */
export type TrajectoryInput = z.input<typeof trajectorySchema>;

/** Validate a trajectory at the edge; throws `InvalidArgumentError` naming the bad field. */
export function parseTrajectory(value: unknown, root = 'trajectory'): Trajectory {
  return parseAt(trajectorySchema, value, root);
}

/** True when the trajectory records an error (a message or `true`). */
export function trajectoryFailed(t: Trajectory): boolean {
  return t.error !== null && t.error !== false && t.error !== '';
}
