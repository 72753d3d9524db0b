import v8 from 'node:v8';
import { StoreCorruptError, StateVersionError } from '@retain/core';
import { loadKernels, type Kernels } from '@retain/kernels';
import { EpisodicMemory, type MemoryChanges } from '@retain/memory';
import { ReplayBuffer, parseReplayConfig, type ReplayBufferOptions, type ReplayHeader, type ReplaySlotRow, type ReplaySlots } from '@retain/replay';
import { restoreDetector } from '@retain/drift';
import { parseLearnerConfig, type LearnerConfig, type LearnerConfigInput } from './config.js';
import { FeatureEncoder } from './feature-encoder.js';
import { LabelVocabulary } from './label-vocabulary.js';
import { LearnerStore, type RowChanges, type StoredRow } from './learner-store.js';
import { buildMemory, buildModelParts, buildStaging, replayOptions, stagingReplayOptions } from './model-parts.js';
import { OnlineLearner, type HistoryPoint, type LearnerCore, type SaveOptions } from './online-learner.js';
import type { PreparedExample, StoredExample } from './prepared-example.js';
import { PrequentialStats, type PrequentialStatsSnapshot } from './prequential-stats.js';
import type { LoggedEvent } from './learner-types.js';

type MemoryPayload = { target: number; label: string | number };

/** Everything of a learner that is not replay or memory rows (v8-serialized into the checkpoint). */
interface LearnerStateBlob {
  version: 1;
  format: 'retain.learner-state';
  config: LearnerConfig;
  encoder: unknown;
  vocab: unknown;
  parts: { trainStep: unknown; consolidator: unknown; scheduler: unknown } | null;
  replayHeader: ReplayHeader;
  /** Header of the staging reservoir of `replay.admission: 'consolidation'` (absent in older checkpoints). */
  stagedHeader?: ReplayHeader | null;
  memory: { dim: number; step: number } | null;
  detector: unknown;
  pending: PreparedExample[];
  recent: PreparedExample[];
  stats: PrequentialStatsSnapshot;
  replayBoosted: boolean;
  events: LoggedEvent[];
  history: HistoryPoint[];
  historyEvery: number;
}

const enc = (v: unknown): Buffer => v8.serialize(v);

function replayRows(rows: readonly ReplaySlotRow<StoredExample>[]): { slots: StoredRow[]; items: StoredRow[] } {
  const slots: StoredRow[] = [];
  const items: StoredRow[] = [];
  for (const row of rows) {
    const { item, ...meta } = row;
    slots.push({ key: String(row.slot), exampleId: '', data: enc(meta) });
    if (item !== undefined && row.id !== null) items.push({ key: row.id, exampleId: row.id, data: enc(item) });
  }
  return { slots, items };
}

function memoryRows(changes: MemoryChanges<MemoryPayload>): RowChanges {
  return {
    kind: 'memory',
    added: changes.added.map((e) => ({ key: e.id, exampleId: e.id, data: enc(e) })),
    removed: changes.removedIds,
  };
}

/**
 * The whole state of a learner as one plain structure (full replay and memory snapshots, nothing drained):
 * for comparing states and for debugging. Checkpoints write the same content incrementally.
 */
export function snapshotLearner(learner: OnlineLearner): Record<string, unknown> {
  const core = learner.core;
  return {
    ...plainState(core),
    trainStep: core.parts?.trainStep.snapshot() ?? null,
    consolidator: core.parts?.consolidator.snapshot() ?? null,
    scheduler: core.parts?.scheduler.snapshot() ?? null,
    replay: core.replay.snapshot(),
    staged: core.staged?.snapshot() ?? null,
    memory: core.memory?.snapshot() ?? null,
  };
}

/** The parts of the state that are neither training parts nor replay/memory rows. */
function plainState(core: LearnerCore) {
  return {
    config: core.config,
    encoder: core.encoder?.snapshot() ?? null,
    vocab: core.vocab.snapshot(),
    detector: core.detector.snapshot(),
    pending: core.pending,
    recent: core.recent,
    stats: core.stats.snapshot(),
    replayBoosted: core.replayBoosted,
    events: core.events,
    history: core.history,
    historyEvery: core.historyEvery,
  };
}

/**
 * The rows of a replay buffer that changed since the last checkpoint (all of them when `full`), as `<kind>-slot`
 * and `<kind>-item` row changes, and the buffer's header for the state blob.
 */
function bufferRows(buffer: ReplayBuffer<StoredExample>, kind: string, full: boolean): { rows: RowChanges[]; header: ReplayHeader } {
  const changes = buffer.drainChanges();
  let slotRows = changes.rows;
  if (full) {
    const snap = buffer.snapshot();
    slotRows = [];
    for (let s = 0; s < snap.state.hwm; s++) {
      const id = snap.slots.ids[s] ?? null;
      slotRows.push({
        slot: s,
        generation: snap.slots.generation[s]!,
        id,
        ...(id !== null ? { item: snap.slots.items[s] as StoredExample } : {}),
        loss: Number.isNaN(snap.slots.loss[s]!) ? null : snap.slots.loss[s]!,
        priority: snap.slots.priority[s]!,
        key: snap.slots.key[s]!,
        domain: id === null ? null : snap.state.domains[snap.slots.domain[s]!]!,
        step: snap.slots.step[s]!,
        time: snap.slots.time[s]!,
        replayCount: snap.slots.replayCount[s]!,
        densePos: snap.slots.densePos[s]!,
        groupPos: snap.slots.groupPos[s]!,
      });
    }
  }
  const { slots, items } = replayRows(slotRows);
  return {
    header: changes.state,
    rows: [
      { kind: `${kind}-slot`, added: slots, removed: [], ...(full ? { removeAll: true } : {}) },
      { kind: `${kind}-item`, added: items, removed: full ? [] : changes.removedIds, ...(full ? { removeAll: true } : {}) },
    ],
  };
}

/** Save the learner's state as a checkpoint in its store, writing only the rows that changed. */
function saveCheckpoint(learner: OnlineLearner, store: LearnerStore, options: SaveOptions = {}): number {
  const core = learner.core;
  const full = learner.rewriteRows;
  const replay = bufferRows(core.replay, 'replay', full);
  const rows: RowChanges[] = [...replay.rows];
  // The staging reservoir's examples are rows too, so forget(id) finds and erases them like replayed ones.
  const staged = core.staged ? bufferRows(core.staged, 'staged', full) : null;
  if (staged) rows.push(...staged.rows);
  if (core.memory) {
    const mc = core.memory.drainChanges();
    if (full) {
      const all = core.memory.episodes();
      rows.push({ kind: 'memory', removeAll: true, removed: [], added: all.map((e) => ({ key: e.id, exampleId: e.id, data: enc(e) })) });
    } else rows.push(memoryRows(mc));
  }
  const blob: LearnerStateBlob = {
    version: 1,
    format: 'retain.learner-state',
    ...plainState(core),
    parts: core.parts
      ? {
          trainStep: core.parts.trainStep.snapshot(),
          consolidator: core.parts.consolidator.snapshot(),
          scheduler: core.parts.scheduler.snapshot(),
        }
      : null,
    replayHeader: replay.header,
    stagedHeader: staged?.header ?? null,
    memory: core.memory ? { dim: core.encoder!.size, step: core.memory.step } : null,
  };
  const ctx = learner.getCheckpointContext();
  const id = store.commitCheckpoint({
    state: enc(blob),
    examplesSeen: core.stats.examplesSeen,
    inputPath: ctx.inputPath ?? null,
    inputOffset: ctx.inputOffset ?? null,
    rows,
    meta: { config: core.config },
  });
  learner.rewriteRows = false;
  if (options.gc !== false) store.gc(core.config.checkpoint.keep);
  return id;
}

function decodeBlob(buf: Buffer): LearnerStateBlob {
  let blob: LearnerStateBlob;
  try {
    blob = v8.deserialize(buf) as LearnerStateBlob;
  } catch (err) {
    throw new StoreCorruptError('checkpoint.state', 'cannot be decoded', err);
  }
  if (typeof blob !== 'object' || blob === null || blob.format !== 'retain.learner-state') {
    throw new StoreCorruptError('checkpoint.state', 'is not a retain learner state');
  }
  if (blob.version !== 1) throw new StateVersionError('checkpoint.state', blob.version, [1]);
  return blob;
}

function restoreReplay(options: ReplayBufferOptions, header: ReplayHeader, slotRows: StoredRow[], itemRows: StoredRow[]): ReplayBuffer<StoredExample> {
  const parsed = parseReplayConfig(options);
  const cap = parsed.capacity;
  const slots: ReplaySlots<StoredExample> = {
    ids: new Array<string | null>(cap).fill(null),
    items: new Array<StoredExample | null>(cap).fill(null),
    generation: new Uint32Array(cap),
    loss: new Float64Array(cap).fill(Number.NaN),
    priority: new Float64Array(cap),
    key: new Float64Array(cap),
    domain: new Uint32Array(cap),
    step: new Float64Array(cap),
    time: new Float64Array(cap),
    replayCount: new Uint32Array(cap),
    densePos: new Int32Array(cap).fill(-1),
    groupPos: new Int32Array(cap).fill(-1),
  };
  const items = new Map<string, StoredExample>();
  for (const r of itemRows) items.set(r.key, v8.deserialize(r.data) as StoredExample);
  for (const r of slotRows) {
    const row = v8.deserialize(r.data) as Omit<ReplaySlotRow<StoredExample>, 'item'>;
    const s = row.slot;
    slots.generation[s] = row.generation;
    slots.ids[s] = row.id;
    if (row.id !== null) {
      const item = items.get(row.id);
      if (item === undefined) throw new StoreCorruptError(`replay.slot[${s}]`, `item ${row.id} is missing`);
      slots.items[s] = item;
      slots.domain[s] = header.domains.indexOf(row.domain!);
    }
    slots.loss[s] = row.loss ?? Number.NaN;
    slots.priority[s] = row.priority;
    slots.key[s] = row.key;
    slots.step[s] = row.step;
    slots.time[s] = row.time;
    slots.replayCount[s] = row.replayCount;
    slots.densePos[s] = row.densePos;
    slots.groupPos[s] = row.groupPos;
  }
  return ReplayBuffer.restore<StoredExample>({ version: 1, format: 'retain.replay-buffer', config: parsed, state: header, slots });
}

/** Rebuild a learner from a checkpoint of `store` (the latest, or `id`). */
export function loadLearner(store: LearnerStore, id?: number, options: { kernels?: Kernels } = {}): OnlineLearner | undefined {
  const cp = store.loadCheckpoint(id);
  if (!cp) return undefined;
  const blob = decodeBlob(cp.state);
  const config = parseLearnerConfig(blob.config);
  const kernels = options.kernels ?? loadKernels();
  const encoder = blob.encoder === null ? null : FeatureEncoder.restore(blob.encoder);
  const vocab = LabelVocabulary.restore(blob.vocab);
  let parts: LearnerCore['parts'] = null;
  if (blob.parts) {
    const ts = blob.parts.trainStep as { sizes: number[] };
    parts = buildModelParts(config, ts.sizes, kernels);
    parts.trainStep.restore(blob.parts.trainStep);
    parts.consolidator.restore(blob.parts.consolidator);
    parts.scheduler.restore(blob.parts.scheduler);
  }
  const replay = restoreReplay(replayOptions(config), blob.replayHeader, cp.rows.get('replay-slot') ?? [], cp.rows.get('replay-item') ?? []);
  const stagingOptions = stagingReplayOptions(config);
  const staged =
    stagingOptions && blob.stagedHeader
      ? restoreReplay(stagingOptions, blob.stagedHeader, cp.rows.get('staged-slot') ?? [], cp.rows.get('staged-item') ?? [])
      : buildStaging(config);
  let memory: LearnerCore['memory'] = null;
  if (blob.memory) {
    const episodes = (cp.rows.get('memory') ?? []).map((r) => v8.deserialize(r.data) as { id: string; key: Float32Array; step: number });
    episodes.sort((a, b) => a.step - b.step);
    const fresh = buildMemory(config, blob.memory.dim);
    const snap = fresh.snapshot();
    const keys = new Float32Array(episodes.length * blob.memory.dim);
    episodes.forEach((e, i) => keys.set(e.key, i * blob.memory!.dim));
    memory = EpisodicMemory.restore<MemoryPayload>({
      ...snap,
      step: blob.memory.step,
      keys,
      episodes: episodes.map(({ key: _key, ...rest }) => rest),
    });
  }
  const core: LearnerCore = {
    config,
    encoder,
    vocab,
    parts,
    replay,
    staged,
    memory,
    detector: restoreDetector(blob.detector),
    pending: blob.pending,
    recent: blob.recent,
    stats: PrequentialStats.restore(blob.stats),
    replayBoosted: blob.replayBoosted,
    events: blob.events,
    history: blob.history,
    historyEvery: blob.historyEvery,
  };
  const learner = new OnlineLearner(core, kernels);
  attach(learner, store);
  // Until a new run sets its own, checkpoints keep the input position this one recorded.
  learner.setCheckpointContext(() => ({ inputPath: cp.inputPath, inputOffset: cp.inputOffset }));
  const latest = store.listCheckpoints().at(-1);
  learner.rewriteRows = latest !== undefined && latest.id !== cp.id;
  return learner;
}

function attach(learner: OnlineLearner, store: LearnerStore): void {
  learner.store = store;
  learner.attachSaver((l, o) => saveCheckpoint(l, store, o));
}

/**
 * Open a learner on a store directory: resume from its latest checkpoint when it has one, else create one
 * from `config` (or the config the store remembers) and attach the store.
 */
export function openLearner(dir: string | LearnerStore, config?: LearnerConfigInput, options: { kernels?: Kernels; checkpoint?: number } = {}): OnlineLearner {
  const store = typeof dir === 'string' ? LearnerStore.open(dir) : dir;
  const loaded = loadLearner(store, options.checkpoint, options);
  if (loaded) return loaded;
  const learner = OnlineLearner.create(config ?? store.getMeta<LearnerConfigInput>('config') ?? {}, options);
  attach(learner, store);
  learner.rewriteRows = true;
  store.setMeta('config', learner.config);
  return learner;
}
