/** Metadata the caller gives with each item. */
export interface ReplayAddMeta {
  /** Unique id; adding an id already stored replaces that entry. */
  id: string;
  /** Latest loss on this item (≥ 0), if known. */
  loss?: number;
  /** Domain or class (groups of `domainBalanced`, `domainDistribution` of the stats). */
  domain?: string;
  /** Wall-clock time in ms (default `Date.now()`); only the `wallClock` recency clock reads it. */
  time?: number;
}

/** What `add` did. */
export interface ReplayAddResult {
  /** False when the strategy declined the item (a full reservoir). */
  stored: boolean;
  /** Id of the item evicted to make room, if any. */
  evictedId: string | null;
}

/** One stored item with its metadata. */
export interface ReplayEntry<E> {
  id: string;
  item: E;
  /** Latest reported loss, or null if never reported. */
  loss: number | null;
  /** Loss priority (loss + ε)^α, or the priority it entered with. */
  priority: number;
  domain: string;
  /** Insertion step: the number of `add` calls before this item's. */
  step: number;
  /** Insertion wall-clock time in ms. */
  time: number;
  replayCount: number;
}

/** A batch drawn by `sample(n)`: n independent draws, with replacement. */
export interface ReplayBatch<E> {
  items: E[];
  ids: string[];
  /** Opaque handles (slot and generation) for `updatePriorities`. */
  handles: Float64Array;
  /** Probability with which each draw picked its item. */
  probabilities: Float64Array;
  /** Importance weights (N·P(i))^−β normalized by the largest weight any stored item could get. */
  weights: Float32Array;
}

/** Summary of a buffer. */
export interface ReplayStats {
  size: number;
  capacity: number;
  /** Sum of `replayCount` increments since construction. */
  totalReplays: number;
  /** Mean of the known losses, or null if none is known. */
  avgLoss: number | null;
  /** Stored items per domain. */
  domainDistribution: Record<string, number>;
  /** Number of `add` calls so far (the insertion clock). */
  step: number;
  /** Current importance-weight exponent β. */
  beta: number;
}
