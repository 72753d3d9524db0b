import {
  float64ArraySchema,
  parseAt,
  rngStateSchema,
  StateVersionError,
  StoreCorruptError,
  uint32ArraySchema,
} from '@retain/core';
import type { RngState } from '@retain/core';
import { z } from 'zod';
import { replayBufferConfigSchema } from './replay-config.js';
import type { ReplayBufferConfig } from './replay-config.js';
import type { ReplaySlotRow } from './slot-table.js';

/** The small, O(1)-sized part of a buffer's state (everything except the per-slot rows). */
export interface ReplayHeader {
  rng: RngState;
  /** Number of `add` calls so far. */
  clock: number;
  sampleCalls: number;
  totalReplays: number;
  /** Reference point of the recency weights 2^((t − ref)/halfLife). */
  recencyRef: number;
  /** Domain names in order of first appearance (the per-slot `domain` indexes into this). */
  domains: string[];
  /** Slots [0, hwm) have been used. */
  hwm: number;
}

/** Per-slot arrays, each of length `capacity`; `ids[s] === null` marks an empty slot. */
export interface ReplaySlots<E> {
  ids: (string | null)[];
  items: (E | null)[];
  generation: Uint32Array;
  /** NaN = loss unknown. */
  loss: Float64Array;
  priority: Float64Array;
  key: Float64Array;
  domain: Uint32Array;
  step: Float64Array;
  time: Float64Array;
  replayCount: Uint32Array;
  densePos: Int32Array;
  groupPos: Int32Array;
}

/** A full, versioned checkpoint of a `ReplayBuffer` (typed arrays inside; items as they were given). */
export interface ReplaySnapshot<E = unknown> {
  version: 1;
  format: 'retain.replay-buffer';
  config: ReplayBufferConfig;
  state: ReplayHeader;
  slots: ReplaySlots<E>;
}

/** What changed since the last drain: the new header, every changed slot row, the ids to delete. */
export interface ReplayChanges<E = unknown> {
  version: 1;
  format: 'retain.replay-changes';
  state: ReplayHeader;
  /** Changed slots in ascending order; rows whose content is new carry `item`. */
  rows: ReplaySlotRow<E>[];
  /** Ids that were persisted by an earlier drain or snapshot and are gone now. */
  removedIds: string[];
}

const int32ArraySchema = z.instanceof(Int32Array);
const count = z.number().int().min(0);

const headerSchema = z.object({
  rng: rngStateSchema,
  clock: count,
  sampleCalls: count,
  totalReplays: count,
  recencyRef: z.number().finite(),
  domains: z.array(z.string()),
  hwm: count,
});

/** zod schema of {@link ReplaySnapshot} (items are not inspected). */
export const replaySnapshotSchema = z.object({
  version: z.literal(1),
  format: z.literal('retain.replay-buffer'),
  config: replayBufferConfigSchema,
  state: headerSchema,
  slots: z.object({
    ids: z.array(z.string().min(1).nullable()),
    items: z.array(z.unknown()),
    generation: uint32ArraySchema,
    loss: float64ArraySchema,
    priority: float64ArraySchema,
    key: float64ArraySchema,
    domain: uint32ArraySchema,
    step: float64ArraySchema,
    time: float64ArraySchema,
    replayCount: uint32ArraySchema,
    densePos: int32ArraySchema,
    groupPos: int32ArraySchema,
  }),
});

const rowSchema = z.object({
  slot: count,
  generation: z.number().int().min(0).max(0xffffffff),
  id: z.string().min(1).nullable(),
  item: z.unknown().optional(),
  loss: z.number().min(0).nullable(),
  priority: z.number().min(0),
  key: z.number(),
  domain: z.string().nullable(),
  step: z.number().min(0),
  time: z.number(),
  replayCount: z.number().int().min(0).max(0xffffffff),
  densePos: z.number().int().min(-1),
  groupPos: z.number().int().min(-1),
});

/** zod schema of {@link ReplayChanges}. */
export const replayChangesSchema = z.object({
  version: z.literal(1),
  format: z.literal('retain.replay-changes'),
  state: headerSchema,
  rows: z.array(rowSchema),
  removedIds: z.array(z.string()),
});

/** Parse a snapshot at the edge; throws `StoreCorruptError` (or `StateVersionError`) naming the field. */
export function parseReplaySnapshot<E>(value: unknown): ReplaySnapshot<E> {
  checkVersion(value, 'snapshot');
  return parseAt(replaySnapshotSchema, value, 'snapshot', 'store') as ReplaySnapshot<E>;
}

/** A readable object with a version other than 1 is a newer or older format, not corruption. */
function checkVersion(value: unknown, what: string): void {
  if (typeof value === 'object' && value !== null && 'version' in value) {
    const v = (value as { version: unknown }).version;
    if (typeof v === 'number' && v !== 1) throw new StateVersionError(what, v, [1]);
  }
}

/** Copy every array of a snapshot's slots (so neither side sees the other's later writes). */
export function cloneSlots<E>(s: ReplaySlots<E>): ReplaySlots<E> {
  return {
    ids: s.ids.slice(),
    items: s.items.slice(),
    generation: s.generation.slice(),
    loss: s.loss.slice(),
    priority: s.priority.slice(),
    key: s.key.slice(),
    domain: s.domain.slice(),
    step: s.step.slice(),
    time: s.time.slice(),
    replayCount: s.replayCount.slice(),
    densePos: s.densePos.slice(),
    groupPos: s.groupPos.slice(),
  };
}

/**
 * Apply one `drainChanges()` result to a snapshot taken (or reconstructed) at the previous drain,
 * giving the snapshot the buffer would produce now. Lets a learner keep a base checkpoint plus
 * small deltas and still restore bit-identically.
 */
export function applyReplayChanges<E>(base: ReplaySnapshot<E>, changes: ReplayChanges<E>): ReplaySnapshot<E> {
  const snap = parseReplaySnapshot<E>(base);
  checkVersion(changes, 'changes');
  const delta = parseAt(replayChangesSchema, changes, 'changes', 'store') as ReplayChanges<E>;
  const slots = cloneSlots(snap.slots);
  const capacity = snap.config.capacity;
  const domains = delta.state.domains;
  for (const [i, row] of delta.rows.entries()) {
    const s = row.slot;
    if (s >= capacity) throw new StoreCorruptError(`changes.rows[${i}].slot`, `${s} is outside capacity ${capacity}`);
    slots.generation[s] = row.generation;
    if (row.id === null) {
      slots.ids[s] = null;
      slots.items[s] = null;
      slots.domain[s] = 0;
    } else {
      if (row.item === undefined && slots.ids[s] !== row.id) {
        throw new StoreCorruptError(`changes.rows[${i}].item`, `slot ${s} holds a new id ${row.id} but no item`);
      }
      const d = row.domain === null ? -1 : domains.indexOf(row.domain);
      if (d < 0) throw new StoreCorruptError(`changes.rows[${i}].domain`, `unknown domain ${String(row.domain)}`);
      slots.ids[s] = row.id;
      if (row.item !== undefined) slots.items[s] = row.item;
      slots.domain[s] = d;
    }
    slots.loss[s] = row.loss ?? NaN;
    slots.priority[s] = row.priority;
    slots.key[s] = row.key;
    slots.step[s] = row.step;
    slots.time[s] = row.time;
    slots.replayCount[s] = row.replayCount;
    slots.densePos[s] = row.densePos;
    slots.groupPos[s] = row.groupPos;
  }
  return { version: 1, format: 'retain.replay-buffer', config: snap.config, state: delta.state, slots };
}
