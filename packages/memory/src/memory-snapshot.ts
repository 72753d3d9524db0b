import { float32ArraySchema, parseAt, StateVersionError, StoreCorruptError } from '@retain/core';
import { z } from 'zod';
import { episodicMemoryConfigSchema } from './memory-types.js';
import type { Episode, EpisodicMemoryConfig } from './memory-types.js';

/** A versioned checkpoint of an `EpisodicMemory`: episodes oldest first, keys packed row by row. */
export interface MemorySnapshot<P = unknown> {
  version: 1;
  format: 'retain.episodic-memory';
  config: EpisodicMemoryConfig;
  step: number;
  /** `episodes.length × dim` values. */
  keys: Float32Array;
  episodes: Omit<Episode<P>, 'key'>[];
}

const episodeSchema = z.object({
  id: z.string().min(1),
  payload: z.unknown(),
  reward: z.number().finite().nullable(),
  loss: z.number().finite().nullable(),
  domain: z.string(),
  step: z.number().int().min(0),
  time: z.number().finite(),
});

/** zod schema of {@link MemorySnapshot} (payloads are not inspected). */
export const memorySnapshotSchema = z.object({
  version: z.literal(1),
  format: z.literal('retain.episodic-memory'),
  config: episodicMemoryConfigSchema,
  step: z.number().int().min(0),
  keys: float32ArraySchema,
  episodes: z.array(episodeSchema),
});

/** Parse a memory snapshot at the edge: `StateVersionError` for another version, else `StoreCorruptError`. */
export function parseMemorySnapshot<P>(value: unknown): MemorySnapshot<P> {
  if (typeof value === 'object' && value !== null && 'version' in value) {
    const v = (value as { version: unknown }).version;
    if (typeof v === 'number' && v !== 1) throw new StateVersionError('snapshot', v, [1]);
  }
  const snap = parseAt(memorySnapshotSchema, value, 'snapshot', 'store') as MemorySnapshot<P>;
  const want = snap.episodes.length * snap.config.dim;
  if (snap.keys.length !== want) {
    throw new StoreCorruptError('snapshot.keys', `expected ${want} values, got ${snap.keys.length}`);
  }
  const seen = new Set<string>();
  let last = -1;
  snap.episodes.forEach((e, i) => {
    if (seen.has(e.id)) throw new StoreCorruptError(`snapshot.episodes[${i}].id`, `duplicate id ${e.id}`);
    if (e.step <= last || e.step >= snap.step) {
      throw new StoreCorruptError(`snapshot.episodes[${i}].step`, `steps must increase and stay below ${snap.step}`);
    }
    seen.add(e.id);
    last = e.step;
  });
  for (let i = 0; i < snap.keys.length; i++) {
    if (!Number.isFinite(snap.keys[i]!)) throw new StoreCorruptError(`snapshot.keys[${i}]`, 'must be finite');
  }
  return snap;
}
