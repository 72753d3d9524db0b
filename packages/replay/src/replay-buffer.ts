import { InvalidArgumentError, Rng, ShapeError } from '@retain/core';
import { balancedVictim, nonEmptyGroups } from './domain-quota.js';
import { drawProbability, minDrawProbability } from './draw-probability.js';
import { ExtremaTree } from './extrema-tree.js';
import { parseReplayConfig } from './replay-config.js';
import type { ReplayBufferConfig, ReplayBufferOptions, ReplayStrategy } from './replay-config.js';
import { cloneSlots, parseReplaySnapshot } from './replay-snapshot.js';
import type { ReplayChanges, ReplayHeader, ReplaySnapshot } from './replay-snapshot.js';
import type { ReplayAddMeta, ReplayAddResult, ReplayBatch, ReplayEntry, ReplayStats } from './replay-types.js';
import { checkSlotsConsistent } from './slot-check.js';
import { SlotTable } from './slot-table.js';
import { SumTree } from './sum-tree.js';

/** Rebase recency weights before 2^exponent can overflow a double (2^1024). */
const MAX_RECENCY_EXPONENT = 512;
const TWO_POW_32 = 0x100000000;

/**
 * A fixed-capacity replay buffer: memory is allocated once for `capacity` items and never grows.
 * Sampling, eviction, importance weights and checkpoints follow its {@link ReplayStrategy}; every
 * random choice goes through a seeded generator that is part of the snapshot.
 */
export class ReplayBuffer<E> {
  /** The validated configuration (defaults filled in). */
  readonly config: ReplayBufferConfig;
  private readonly t: SlotTable<E>;
  private rng: Rng;
  /** Sampling weights: loss priorities or recency weights (null for strategies that draw uniformly). */
  private readonly sum: SumTree | null;
  /** Eviction keys: lowest priority, oldest clock, or lowest A-Res key. */
  private readonly ext: ExtremaTree | null;
  private clock = 0;
  private sampleCalls = 0;
  private totalReplays = 0;
  private recencyRef = 0;
  private readonly slotScale: number;
  private readonly genModulus: number;

  constructor(options: ReplayBufferOptions) {
    this.config = parseReplayConfig(options);
    const cap = this.config.capacity;
    this.t = new SlotTable<E>(cap);
    this.rng = new Rng(this.config.seed);
    const kind = this.config.strategy.kind;
    const weighted = kind === 'prioritizedLoss' || kind === 'mixed' || kind === 'prioritizedRecency';
    this.sum = weighted ? new SumTree(cap) : null;
    const evictByKey = weighted || kind === 'uniform' || (kind === 'reservoir' && this.config.strategy.weighting === 'loss');
    this.ext = evictByKey ? new ExtremaTree(cap) : null;
    // A handle packs (generation, slot) into one exact double: slot bits + generation bits ≤ 53.
    const slotBits = Math.max(1, Math.ceil(Math.log2(cap)));
    this.slotScale = 2 ** slotBits;
    this.genModulus = 2 ** Math.min(32, 53 - slotBits);
  }

  /** The strategy in use. */
  get strategy(): ReplayStrategy {
    return this.config.strategy;
  }

  /** Maximum number of stored items. */
  get capacity(): number {
    return this.config.capacity;
  }

  /** Number of stored items. */
  get size(): number {
    return this.t.size;
  }

  /** Current importance-weight exponent β (annealed linearly toward 1 over `betaAnnealSamples`). */
  get beta(): number {
    const { importanceBeta: b0, betaAnnealSamples: n } = this.config;
    if (n === 0) return b0;
    return b0 + (1 - b0) * Math.min(1, this.sampleCalls / n);
  }

  /** True if an item with this id is stored. */
  has(id: string): boolean {
    return this.t.slotOf(id) >= 0;
  }

  /** The stored item with this id and its metadata, or undefined. */
  get(id: string): ReplayEntry<E> | undefined {
    const s = this.t.slotOf(id);
    return s < 0 ? undefined : this.t.entry(s);
  }

  /** Every stored item with its metadata, in slot order. */
  *entries(): IterableIterator<ReplayEntry<E>> {
    for (let s = 0; s < this.t.hwm; s++) if (this.t.ids[s] !== null) yield this.t.entry(s);
  }

  /** Offer one item of the stream; the strategy decides whether it is stored and what it evicts. */
  add(item: E, meta: ReplayAddMeta): ReplayAddResult {
    const { id, loss, domain = '', time = Date.now() } = meta ?? ({} as ReplayAddMeta);
    if (typeof id !== 'string' || id.length === 0) throw new InvalidArgumentError('meta.id', 'must be a non-empty string');
    if (loss !== undefined && !(typeof loss === 'number' && Number.isFinite(loss) && loss >= 0)) {
      throw new InvalidArgumentError('meta.loss', `must be a finite number ≥ 0, got ${String(loss)}`);
    }
    if (typeof domain !== 'string') throw new InvalidArgumentError('meta.domain', 'must be a string');
    if (typeof time !== 'number' || !Number.isFinite(time)) {
      throw new InvalidArgumentError('meta.time', `must be a finite number, got ${String(time)}`);
    }
    const old = this.t.slotOf(id);
    if (old >= 0) this.removeAt(old, true);
    const step = this.clock++;
    const t = this.t;
    const cfg = this.config;
    const st = cfg.strategy;
    const lossValue = loss ?? NaN;
    const own = this.priorityOf(loss ?? 1);
    let priority = own;
    if ((st.kind === 'prioritizedLoss' || st.kind === 'mixed') && !(cfg.newItemPriority === 'loss' && loss !== undefined)) {
      // Schaul et al.: a new item enters at the current max priority, so it is replayed at least once soon.
      if (t.size > 0) priority = this.ext!.max();
    }
    let key = 0;
    if (st.kind === 'reservoir' && st.weighting === 'loss') {
      // A-Res (Efraimidis–Spirakis): key u^(1/w), compared in log space for precision.
      key = Math.log(this.rng.float()) / own;
    }
    let evictedId: string | null = null;
    let slot: number;
    if (t.size < t.capacity) {
      slot = t.takeFreeSlot();
    } else {
      slot = this.chooseVictim(step, key, domain);
      if (slot < 0) return { stored: false, evictedId: null };
      evictedId = this.removeAt(slot, false);
    }
    const d = t.internDomain(domain);
    t.occupy(slot, id, item, d, step, time, lossValue, priority, key);
    this.indexSlot(slot);
    return { stored: true, evictedId };
  }

  /**
   * Draw `n` items independently (with replacement) under the strategy. Returns an empty batch when
   * the buffer is empty.
   */
  sample(n: number): ReplayBatch<E> {
    if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('n', `must be an integer ≥ 0, got ${String(n)}`);
    const t = this.t;
    const N = t.size;
    const count = N === 0 ? 0 : n;
    const batch: ReplayBatch<E> = {
      items: new Array<E>(count),
      ids: new Array<string>(count),
      handles: new Float64Array(count),
      probabilities: new Float64Array(count),
      weights: new Float32Array(count),
    };
    if (count === 0) return batch;
    const beta = this.beta;
    this.sampleCalls++;
    const slots = new Int32Array(count);
    const st = this.config.strategy;
    let groupsNonEmpty: number[] = [];
    if (st.kind === 'domainBalanced') groupsNonEmpty = nonEmptyGroups(this.t);
    for (let i = 0; i < count; i++) {
      let s: number;
      if (st.kind === 'prioritizedLoss' || st.kind === 'prioritizedRecency') {
        s = this.sum!.find(this.rng.float() * this.sum!.total());
      } else if (st.kind === 'mixed') {
        s =
          this.rng.float() < st.lossFraction
            ? this.sum!.find(this.rng.float() * this.sum!.total())
            : t.dense[this.rng.int(N)]!;
      } else if (st.kind === 'domainBalanced') {
        const g = t.groups[groupsNonEmpty[this.rng.int(groupsNonEmpty.length)]!]!;
        s = g[this.rng.int(g.length)]!;
      } else {
        s = t.dense[this.rng.int(N)]!;
      }
      slots[i] = s;
    }
    const pMin = minDrawProbability(this.config.strategy, this.t, this.sum, this.ext, groupsNonEmpty);
    let batchMinP = Infinity;
    for (let i = 0; i < count; i++) {
      const s = slots[i]!;
      const p = drawProbability(this.config.strategy, this.t, this.sum, s, groupsNonEmpty.length);
      batch.items[i] = t.items[s] as E;
      batch.ids[i] = t.ids[s]!;
      batch.handles[i] = (t.generation[s]! % this.genModulus) * this.slotScale + s;
      batch.probabilities[i] = p;
      if (p < batchMinP) batchMinP = p;
      if (this.config.countReplaysOn === 'sample') this.countReplay(s);
    }
    // w = (N·P)^−β / max_j w_j = (P_min / P)^β; P_min over the whole buffer when it is representable.
    const ref = pMin > 0 ? pMin : batchMinP;
    for (let i = 0; i < count; i++) batch.weights[i] = beta === 0 ? 1 : Math.pow(ref / batch.probabilities[i]!, beta);
    return batch;
  }

  /**
   * Report fresh losses for sampled items: updates loss, priority and replay count. A handle whose
   * slot was evicted (and maybe reused) since it was sampled is ignored. Returns how many applied.
   */
  updatePriorities(handles: ArrayLike<number>, losses: ArrayLike<number>): number {
    if (handles === null || typeof handles !== 'object' || typeof handles.length !== 'number') {
      throw new InvalidArgumentError('handles', 'must be an array of handles');
    }
    if (losses === null || typeof losses !== 'object' || losses.length !== handles.length) {
      throw new ShapeError('losses', handles.length, losses?.length ?? 0, 'one loss per handle');
    }
    // Validate everything before touching state, so a bad batch changes nothing.
    for (let i = 0; i < handles.length; i++) {
      const h = handles[i]!;
      if (!Number.isSafeInteger(h) || h < 0) throw new InvalidArgumentError(`handles[${i}]`, `not a handle: ${String(h)}`);
      const l = losses[i]!;
      if (typeof l !== 'number' || !Number.isFinite(l) || l < 0) {
        throw new InvalidArgumentError(`losses[${i}]`, `must be a finite number ≥ 0, got ${String(l)}`);
      }
    }
    const t = this.t;
    const kind = this.config.strategy.kind;
    const prioritized = kind === 'prioritizedLoss' || kind === 'mixed';
    let applied = 0;
    for (let i = 0; i < handles.length; i++) {
      const s = this.liveSlot(handles[i]!);
      if (s < 0) continue;
      const loss = losses[i]!;
      const p = this.priorityOf(loss);
      t.loss[s] = loss;
      t.priority[s] = p;
      if (prioritized) {
        this.sum!.set(s, p);
        this.ext!.set(s, p, t.step[s]!);
      }
      if (this.config.countReplaysOn === 'update') this.countReplay(s);
      t.markDirty(s);
      applied++;
    }
    return applied;
  }

  /** Remove an item everywhere (privacy request). Returns false if the id is not stored. */
  forget(id: string): boolean {
    if (typeof id !== 'string') throw new InvalidArgumentError('id', 'must be a string');
    const s = this.t.slotOf(id);
    if (s < 0) return false;
    this.removeAt(s, true);
    return true;
  }

  /** Exact probability that one draw of `sample` returns this item (0 if not stored). */
  probabilityOf(id: string): number {
    const s = this.t.slotOf(id);
    if (s < 0) return 0;
    const groups = this.config.strategy.kind === 'domainBalanced' ? nonEmptyGroups(this.t).length : 0;
    return drawProbability(this.config.strategy, this.t, this.sum, s, groups);
  }

  /** Size, replays, mean known loss and items per domain (O(size) for the loss mean). */
  stats(): ReplayStats {
    const t = this.t;
    return {
      size: t.size,
      capacity: t.capacity,
      totalReplays: this.totalReplays,
      avgLoss: t.meanKnownLoss(),
      domainDistribution: t.domainCounts(),
      step: this.clock,
      beta: this.beta,
    };
  }

  /** A versioned plain copy of the whole state, RNG included; restore it and the same samples follow. */
  snapshot(): ReplaySnapshot<E> {
    const t = this.t;
    return {
      version: 1,
      format: 'retain.replay-buffer',
      config: structuredClone(this.config),
      state: this.header(),
      slots: cloneSlots(this.t.exportSlots()),
    };
  }

  /** Rebuild a buffer from {@link ReplayBuffer.snapshot} (validated; a bad snapshot throws `StoreCorruptError`). */
  static restore<E>(snapshot: unknown): ReplayBuffer<E> {
    const snap = parseReplaySnapshot<E>(snapshot);
    checkSlotsConsistent(snap);
    const buf = new ReplayBuffer<E>(snap.config);
    buf.t.importSlots(snap.slots, snap.state.domains, snap.state.hwm);
    buf.rng = Rng.fromState(snap.state.rng);
    buf.clock = snap.state.clock;
    buf.sampleCalls = snap.state.sampleCalls;
    buf.totalReplays = snap.state.totalReplays;
    buf.recencyRef = snap.state.recencyRef;
    buf.rebuildIndexes();
    return buf;
  }

  /**
   * Changes since the last drain (or construction / restore): the current header, every changed
   * slot row (new content carries its item) and the ids to delete. Apply with `applyReplayChanges`.
   */
  drainChanges(): ReplayChanges<E> {
    const { rows, removedIds } = this.t.drain();
    return { version: 1, format: 'retain.replay-changes', state: this.header(), rows, removedIds };
  }

  private header(): ReplayHeader {
    return {
      rng: this.rng.getState(),
      clock: this.clock,
      sampleCalls: this.sampleCalls,
      totalReplays: this.totalReplays,
      recencyRef: this.recencyRef,
      domains: this.t.domains.slice(),
      hwm: this.t.hwm,
    };
  }

  private priorityOf(loss: number): number {
    return Math.pow(loss + this.config.priorityEpsilon, this.config.priorityAlpha);
  }

  private countReplay(s: number): void {
    this.t.replayCount[s] = (this.t.replayCount[s]! + 1) >>> 0;
    this.totalReplays++;
    this.t.markDirty(s);
  }

  /** The slot a handle names if it is still the same item, else -1. */
  private liveSlot(h: number): number {
    const s = h % this.slotScale;
    const g = Math.floor(h / this.slotScale);
    if (s >= this.t.capacity || this.t.ids[s] === null) return -1;
    return this.t.generation[s]! % this.genModulus === g ? s : -1;
  }

  private clockOf(s: number): number {
    const st = this.config.strategy;
    return st.kind === 'prioritizedRecency' && st.clock === 'wallClock' ? this.t.time[s]! : this.t.step[s]!;
  }

  private recencyWeight(s: number): number {
    const st = this.config.strategy as Extract<ReplayStrategy, { kind: 'prioritizedRecency' }>;
    return Math.pow(2, (this.clockOf(s) - this.recencyRef) / st.halfLife);
  }

  /** Put a freshly occupied slot into the sampling and eviction trees. */
  private indexSlot(s: number): void {
    const st = this.config.strategy;
    if (st.kind === 'prioritizedLoss' || st.kind === 'mixed') {
      this.sum!.set(s, this.t.priority[s]!);
      this.ext!.set(s, this.t.priority[s]!, this.t.step[s]!);
    } else if (st.kind === 'prioritizedRecency') {
      const c = this.clockOf(s);
      if ((c - this.recencyRef) / st.halfLife > MAX_RECENCY_EXPONENT) {
        // Only ratios of weights matter: move the reference to now and recompute every leaf.
        this.recencyRef = c;
        this.rebuildIndexes();
      } else {
        this.sum!.set(s, this.recencyWeight(s));
        this.ext!.set(s, c, this.t.step[s]!);
      }
    } else if (st.kind === 'uniform') {
      this.ext!.set(s, this.t.step[s]!);
    } else if (st.kind === 'reservoir' && st.weighting === 'loss') {
      this.ext!.set(s, this.t.key[s]!, this.t.step[s]!);
    }
  }

  /** Recompute every leaf from the per-slot arrays and rebuild the trees in their fixed order. */
  private rebuildIndexes(): void {
    const t = this.t;
    const st = this.config.strategy;
    if (this.sum) this.sum.clear();
    if (this.ext) this.ext.clear();
    for (let s = 0; s < t.capacity; s++) {
      if (t.ids[s] === null) continue;
      if (st.kind === 'prioritizedLoss' || st.kind === 'mixed') {
        this.sum!.setLeafOnly(s, t.priority[s]!);
        this.ext!.setLeafOnly(s, t.priority[s]!, t.step[s]!);
      } else if (st.kind === 'prioritizedRecency') {
        this.sum!.setLeafOnly(s, this.recencyWeight(s));
        this.ext!.setLeafOnly(s, this.clockOf(s), t.step[s]!);
      } else if (st.kind === 'uniform') {
        this.ext!.setLeafOnly(s, t.step[s]!);
      } else if (this.ext) {
        this.ext.setLeafOnly(s, t.key[s]!, t.step[s]!);
      }
    }
    this.sum?.rebuild();
    this.ext?.rebuild();
  }

  /** Empty a slot in the storage and the trees; returns the id it held. */
  private removeAt(s: number, release: boolean): string {
    this.sum?.set(s, 0);
    this.ext?.remove(s);
    return this.t.vacate(s, release);
  }

  /** The slot to evict for an incoming item when full, or -1 to decline the item. */
  private chooseVictim(step: number, key: number, domain: string): number {
    const st = this.config.strategy;
    switch (st.kind) {
      case 'uniform':
      case 'prioritizedLoss':
      case 'prioritizedRecency':
      case 'mixed':
        return this.ext!.argmin();
      case 'domainBalanced':
        return balancedVictim(this.t, this.rng, domain);
      case 'reservoir': {
        if (st.weighting === 'loss') return key > this.ext!.min() ? this.ext!.argmin() : -1;
        // Algorithm R: the (step+1)-th item replaces slot j for j uniform in [0, step+1) when j < capacity.
        const seen = step + 1;
        const j = seen <= TWO_POW_32 ? this.rng.int(seen) : Math.floor(this.rng.float() * seen);
        return j < this.t.capacity ? j : -1;
      }
    }
  }
}
