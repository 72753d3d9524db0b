import { z } from 'zod';

/** One stored experience. */
export interface Episode<P> {
  id: string;
  /** The vector recall compares against (length `dim`). */
  key: Float32Array;
  payload: P;
  /** Reward of the episode (RL), if any. */
  reward: number | null;
  /** Loss on the episode (supervised), if any. */
  loss: number | null;
  domain: string;
  /** Insertion step (the memory's logical clock). */
  step: number;
  /** Wall-clock time in ms. */
  time: number;
}

/** What the caller gives to `insert`. */
export interface EpisodeInput<P> {
  id: string;
  key: Float32Array | readonly number[];
  payload: P;
  reward?: number;
  loss?: number;
  domain?: string;
  /** Wall-clock ms (default `Date.now()`). */
  time?: number;
}

/** zod schema of {@link RetentionPolicy}. */
export const retentionPolicySchema = z
  .object({
    /** Keep at most this many episodes. */
    maxEpisodes: z.number().int().min(1).optional(),
    /** Drop episodes inserted more than this many steps ago. */
    maxAgeSteps: z.number().int().min(0).optional(),
    /** Over `maxEpisodes`, drop the least important (ties: oldest) or simply the oldest. */
    keep: z.enum(['mostImportant', 'newest']).default('newest'),
  })
  .strict();

/** Which episodes an {@link EpisodicMemory} keeps. */
export type RetentionPolicy = z.output<typeof retentionPolicySchema>;

/** zod schema of {@link EpisodicMemoryOptions}. */
export const episodicMemoryConfigSchema = z
  .object({
    dim: z.number().int().min(1),
    retention: retentionPolicySchema.default({ keep: 'newest' }),
    /** The field that makes an episode important: high reward, or high loss (hard cases). */
    importance: z.enum(['reward', 'loss']).default('reward'),
  })
  .strict();

/** Settings of an {@link EpisodicMemory} with defaults filled in. */
export type EpisodicMemoryConfig = z.output<typeof episodicMemoryConfigSchema>;
/** Settings of an {@link EpisodicMemory} as a caller writes them. */
export type EpisodicMemoryOptions = z.input<typeof episodicMemoryConfigSchema>;

/** One result of `recall`. */
export interface RecallHit<P> {
  episode: Episode<P>;
  /** Cosine similarity to the query, or the importance for an empty query. */
  score: number;
}

/** Episodes added (to persist) and ids removed (to delete) since the last drain. */
export interface MemoryChanges<P> {
  version: 1;
  format: 'retain.episodic-memory-changes';
  step: number;
  added: Episode<P>[];
  removedIds: string[];
}
