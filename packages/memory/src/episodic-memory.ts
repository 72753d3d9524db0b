import { InvalidArgumentError, parseAt, ShapeError } from '@retain/core';
import { IndexedMinHeap } from './indexed-min-heap.js';
import { parseMemorySnapshot } from './memory-snapshot.js';
import type { MemorySnapshot } from './memory-snapshot.js';
import { episodicMemoryConfigSchema, retentionPolicySchema } from './memory-types.js';
import type {
  Episode,
  EpisodeInput,
  EpisodicMemoryConfig,
  EpisodicMemoryOptions,
  MemoryChanges,
  RecallHit,
  RetentionPolicy,
} from './memory-types.js';
import { TopK } from './top-k.js';

/**
 * Episodes with a key vector, recalled by exact cosine similarity over one packed `Float32Array`
 * (no index, no approximation), kept under a {@link RetentionPolicy}. Deterministic: no randomness.
 */
export class EpisodicMemory<P> {
  /** The validated configuration. */
  readonly config: EpisodicMemoryConfig;
  private retention: RetentionPolicy;
  private readonly dim: number;
  private keys: Float32Array;
  /** ‖key‖ per slot; −1 marks an empty slot. */
  private norms: Float32Array;
  private reward: Float64Array;
  private loss: Float64Array;
  private stepOf: Float64Array;
  private timeOf: Float64Array;
  private ids: (string | null)[] = [];
  private payloads: (P | undefined)[] = [];
  private domains: string[] = [];
  private readonly idToSlot = new Map<string, number>();
  private readonly freeSlots: number[] = [];
  private hwm = 0;
  private count = 0;
  private clock = 0;
  private readonly byAge = new IndexedMinHeap();
  private readonly byImportance = new IndexedMinHeap();
  private pendingAdded = new Set<string>();
  private pendingRemoved: string[] = [];

  constructor(options: EpisodicMemoryOptions) {
    this.config = parseAt(episodicMemoryConfigSchema, options, 'config', 'config');
    this.retention = this.config.retention;
    this.dim = this.config.dim;
    const c = 16;
    this.keys = new Float32Array(c * this.dim);
    this.norms = new Float32Array(c).fill(-1);
    this.reward = new Float64Array(c);
    this.loss = new Float64Array(c);
    this.stepOf = new Float64Array(c);
    this.timeOf = new Float64Array(c);
  }

  /** Number of stored episodes. */
  get size(): number {
    return this.count;
  }

  /** Number of inserts so far (the clock ages are measured in). */
  get step(): number {
    return this.clock;
  }

  /** True if an episode with this id is stored. */
  has(id: string): boolean {
    return this.idToSlot.has(id);
  }

  /** The stored episode with this id (its key is a copy), or undefined. */
  get(id: string): Episode<P> | undefined {
    const s = this.idToSlot.get(id);
    return s === undefined ? undefined : this.episodeAt(s);
  }

  /** Store an episode (replacing one with the same id), then apply the retention policy; returns evicted ids. */
  insert(input: EpisodeInput<P>): string[] {
    const { id, key, payload, reward, loss, domain = '', time = Date.now() } = input ?? ({} as EpisodeInput<P>);
    if (typeof id !== 'string' || id.length === 0) throw new InvalidArgumentError('episode.id', 'must be a non-empty string');
    if (!(key instanceof Float32Array) && !Array.isArray(key)) {
      throw new InvalidArgumentError('episode.key', 'must be a Float32Array or an array of numbers');
    }
    if (key.length !== this.dim) throw new ShapeError('episode.key', this.dim, key.length);
    let norm2 = 0;
    for (let i = 0; i < key.length; i++) {
      const v = key[i]!;
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new InvalidArgumentError(`episode.key[${i}]`, 'must be finite');
      norm2 += v * v;
    }
    for (const [field, v] of [['reward', reward], ['loss', loss]] as const) {
      if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v))) {
        throw new InvalidArgumentError(`episode.${field}`, `must be a finite number, got ${String(v)}`);
      }
    }
    if (typeof domain !== 'string') throw new InvalidArgumentError('episode.domain', 'must be a string');
    if (typeof time !== 'number' || !Number.isFinite(time)) throw new InvalidArgumentError('episode.time', 'must be finite');
    const existing = this.idToSlot.get(id);
    if (existing !== undefined) this.removeAt(existing);
    const s = this.freeSlots.length > 0 ? this.freeSlots.pop()! : this.hwm++;
    this.ensure(s + 1);
    this.keys.set(key, s * this.dim);
    this.norms[s] = Math.sqrt(norm2);
    this.reward[s] = reward ?? NaN;
    this.loss[s] = loss ?? NaN;
    this.stepOf[s] = this.clock++;
    this.timeOf[s] = time;
    this.ids[s] = id;
    this.payloads[s] = payload;
    this.domains[s] = domain;
    this.idToSlot.set(id, s);
    this.count++;
    this.byAge.set(s, this.stepOf[s]!, 0);
    this.byImportance.set(s, this.importanceAt(s), this.stepOf[s]!);
    this.pendingAdded.add(id);
    return this.applyRetention();
  }

  /**
   * The k stored episodes most similar to `query` by cosine similarity (exact; ties: newer first).
   * With an empty query (null or length 0): the k most important, ties newer first, optionally
   * among the episodes of the last `recentSteps` inserts.
   */
  recall(query: Float32Array | readonly number[] | null, k: number, options: { recentSteps?: number } = {}): RecallHit<P>[] {
    if (!Number.isInteger(k) || k < 0) throw new InvalidArgumentError('k', `must be an integer ≥ 0, got ${String(k)}`);
    const recent = options.recentSteps ?? Infinity;
    if (!(recent >= 0)) throw new InvalidArgumentError('options.recentSteps', 'must be ≥ 0');
    const top = new TopK(Math.min(k, this.count));
    if (query === null || query === undefined || query.length === 0) {
      const minStep = this.clock - recent;
      for (let s = 0; s < this.hwm; s++) {
        if (this.norms[s]! < 0 || this.stepOf[s]! < minStep) continue;
        top.offer(s, this.importanceAt(s), this.stepOf[s]!);
      }
    } else {
      if (query.length !== this.dim) throw new ShapeError('query', this.dim, query.length);
      let qn = 0;
      for (let i = 0; i < this.dim; i++) qn += query[i]! * query[i]!;
      if (!Number.isFinite(qn) || qn === 0) throw new InvalidArgumentError('query', 'must be finite with a non-zero norm');
      this.scoreAll(query, Math.sqrt(qn), top);
    }
    return top.sorted().map(([s, score]) => ({ episode: this.episodeAt(s), score }));
  }

  /** Remove an episode (privacy request). Returns false if the id is not stored. */
  forget(id: string): boolean {
    const s = this.idToSlot.get(id);
    if (s === undefined) return false;
    this.removeAt(s);
    return true;
  }

  /** Replace the retention policy (validated) and apply it now; returns evicted ids. */
  setRetention(policy: unknown): string[] {
    this.retention = parseAt(retentionPolicySchema, policy, 'retention', 'config');
    return this.applyRetention();
  }

  /** Apply the retention policy now; returns the ids it evicted (oldest or least important first). */
  applyRetention(): string[] {
    const evicted: string[] = [];
    const { maxAgeSteps, maxEpisodes, keep } = this.retention;
    if (maxAgeSteps !== undefined) {
      // Age = clock − 1 − step: the newest episode has age 0.
      while (this.byAge.size > 0 && this.clock - 1 - this.byAge.peekKey() > maxAgeSteps) {
        evicted.push(this.removeAt(this.byAge.peek()));
      }
    }
    if (maxEpisodes !== undefined) {
      const heap = keep === 'mostImportant' ? this.byImportance : this.byAge;
      while (this.count > maxEpisodes) evicted.push(this.removeAt(heap.peek()));
    }
    return evicted;
  }

  /** Every stored episode, oldest first. */
  episodes(): Episode<P>[] {
    const slots: number[] = [];
    for (let s = 0; s < this.hwm; s++) if (this.norms[s]! >= 0) slots.push(s);
    return slots.sort((a, b) => this.stepOf[a]! - this.stepOf[b]!).map((s) => this.episodeAt(s));
  }

  /** A versioned plain copy (episodes oldest first, keys packed in one Float32Array). */
  snapshot(): MemorySnapshot<P> {
    const eps = this.episodes();
    const keys = new Float32Array(eps.length * this.dim);
    eps.forEach((e, i) => keys.set(e.key, i * this.dim));
    return {
      version: 1,
      format: 'retain.episodic-memory',
      config: { ...this.config, retention: this.retention },
      step: this.clock,
      keys,
      episodes: eps.map(({ key: _key, ...rest }) => rest),
    };
  }

  /** Rebuild a memory from {@link EpisodicMemory.snapshot}; a bad snapshot throws `StoreCorruptError`. */
  static restore<P>(snapshot: unknown): EpisodicMemory<P> {
    const snap = parseMemorySnapshot<P>(snapshot);
    const mem = new EpisodicMemory<P>(snap.config);
    const d = snap.config.dim;
    snap.episodes.forEach((e, i) => {
      mem.clock = e.step;
      mem.insertRestored(e, snap.keys.subarray(i * d, (i + 1) * d));
    });
    mem.clock = snap.step;
    mem.pendingAdded.clear();
    mem.pendingRemoved = [];
    return mem;
  }

  /** Episodes added and ids removed since the last drain (or construction / restore). */
  drainChanges(): MemoryChanges<P> {
    const added = [...this.pendingAdded].map((id) => this.get(id)!);
    const removedIds = this.pendingRemoved;
    this.pendingAdded = new Set();
    this.pendingRemoved = [];
    return { version: 1, format: 'retain.episodic-memory-changes', step: this.clock, added, removedIds };
  }

  private insertRestored(e: Omit<Episode<P>, 'key'>, key: Float32Array): void {
    this.insert({
      id: e.id,
      key,
      payload: e.payload,
      ...(e.reward === null ? {} : { reward: e.reward }),
      ...(e.loss === null ? {} : { loss: e.loss }),
      domain: e.domain,
      time: e.time,
    });
  }

  /** Cosine of every stored key against the query, four lanes at a time, into `top`. */
  private scoreAll(q: Float32Array | readonly number[], qn: number, top: TopK): void {
    const d = this.dim;
    const keys = this.keys;
    const qv = q instanceof Float32Array ? q : Float32Array.from(q);
    const d4 = d - (d % 4);
    for (let s = 0; s < this.hwm; s++) {
      const kn = this.norms[s]!;
      if (kn < 0) continue;
      const o = s * d;
      let a0 = 0;
      let a1 = 0;
      let a2 = 0;
      let a3 = 0;
      let i = 0;
      for (; i < d4; i += 4) {
        a0 += qv[i]! * keys[o + i]!;
        a1 += qv[i + 1]! * keys[o + i + 1]!;
        a2 += qv[i + 2]! * keys[o + i + 2]!;
        a3 += qv[i + 3]! * keys[o + i + 3]!;
      }
      for (; i < d; i++) a0 += qv[i]! * keys[o + i]!;
      // A zero key has no direction: similarity 0 by convention.
      const score = kn === 0 ? 0 : (a0 + a1 + a2 + a3) / (qn * kn);
      top.offer(s, score, this.stepOf[s]!);
    }
  }

  private importanceAt(s: number): number {
    const v = this.config.importance === 'reward' ? this.reward[s]! : this.loss[s]!;
    return Number.isNaN(v) ? 0 : v;
  }

  private episodeAt(s: number): Episode<P> {
    const r = this.reward[s]!;
    const l = this.loss[s]!;
    return {
      id: this.ids[s]!,
      key: this.keys.slice(s * this.dim, (s + 1) * this.dim),
      payload: this.payloads[s] as P,
      reward: Number.isNaN(r) ? null : r,
      loss: Number.isNaN(l) ? null : l,
      domain: this.domains[s]!,
      step: this.stepOf[s]!,
      time: this.timeOf[s]!,
    };
  }

  private removeAt(s: number): string {
    const id = this.ids[s]!;
    this.idToSlot.delete(id);
    this.ids[s] = null;
    this.payloads[s] = undefined;
    this.norms[s] = -1;
    this.keys.fill(0, s * this.dim, (s + 1) * this.dim);
    this.byAge.remove(s);
    this.byImportance.remove(s);
    this.freeSlots.push(s);
    this.count--;
    if (!this.pendingAdded.delete(id)) this.pendingRemoved.push(id);
    return id;
  }

  private ensure(slots: number): void {
    const cap = this.norms.length;
    if (slots <= cap) return;
    let c = cap;
    while (c < slots) c *= 2;
    const keys = new Float32Array(c * this.dim);
    keys.set(this.keys);
    this.keys = keys;
    const grow = (a: Float64Array) => {
      const b = new Float64Array(c);
      b.set(a);
      return b;
    };
    const norms = new Float32Array(c).fill(-1);
    norms.set(this.norms);
    this.norms = norms;
    this.reward = grow(this.reward);
    this.loss = grow(this.loss);
    this.stepOf = grow(this.stepOf);
    this.timeOf = grow(this.timeOf);
  }
}
