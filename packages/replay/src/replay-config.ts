import { parseAt } from '@retain/core';
import { z } from 'zod';

const fraction = z.number().min(0).max(1);

/** zod schema of {@link ReplayStrategy}. */
export const replayStrategySchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('uniform') }).strict(),
  z.object({ kind: z.literal('prioritizedLoss') }).strict(),
  z
    .object({
      kind: z.literal('prioritizedRecency'),
      /** Half-life in insertions (clock `insertions`) or milliseconds (clock `wallClock`). */
      halfLife: z.number().positive().finite(),
      clock: z.enum(['insertions', 'wallClock']).default('insertions'),
    })
    .strict(),
  z.object({ kind: z.literal('mixed'), lossFraction: fraction.default(0.5) }).strict(),
  z.object({ kind: z.literal('domainBalanced') }).strict(),
  z.object({ kind: z.literal('reservoir'), weighting: z.enum(['none', 'loss']).default('none') }).strict(),
]);

/** How a {@link ReplayBuffer} samples and evicts. */
export type ReplayStrategy = z.output<typeof replayStrategySchema>;
/** A strategy as a caller may write it (defaults filled in by the parser). */
export type ReplayStrategyInput = z.input<typeof replayStrategySchema>;

/** Largest capacity: slot indices and generations must pack into one exact double (a handle). */
export const MAX_CAPACITY = 2 ** 26;

/** zod schema of {@link ReplayBufferConfig}. */
export const replayBufferConfigSchema = z
  .object({
    capacity: z.number().int().min(1).max(MAX_CAPACITY),
    strategy: replayStrategySchema,
    seed: z.number().int().min(0).max(0xffffffff).default(0),
    /** α of P(i) ∝ (loss + ε)^α. */
    priorityAlpha: z.number().min(0).finite().default(0.6),
    /** ε of P(i) ∝ (loss + ε)^α; keeps a zero-loss item sampleable. */
    priorityEpsilon: z.number().positive().finite().default(1e-6),
    /** Initial β of the importance weights. */
    importanceBeta: fraction.default(0.4),
    /** Number of `sample` calls over which β rises linearly to 1; 0 keeps it constant. */
    betaAnnealSamples: z.number().int().min(0).default(0),
    /** `max`: new items enter at the current max priority (Schaul 2016); `loss`: at their own loss when given. */
    newItemPriority: z.enum(['max', 'loss']).default('max'),
    /** When `replayCount` and `totalReplays` advance: on `updatePriorities` (default) or on `sample`. */
    countReplaysOn: z.enum(['update', 'sample']).default('update'),
  })
  .strict();

/** Settings of a {@link ReplayBuffer}, defaults filled in. */
export type ReplayBufferConfig = z.output<typeof replayBufferConfigSchema>;
/** Settings of a {@link ReplayBuffer} as a caller writes them. */
export type ReplayBufferOptions = z.input<typeof replayBufferConfigSchema>;

/** Parse and default a buffer configuration; throws `InvalidConfigError` naming the bad field. */
export function parseReplayConfig(options: unknown): ReplayBufferConfig {
  return parseAt(replayBufferConfigSchema, options, 'config', 'config');
}
