import { z } from 'zod';
import { StoreCorruptError, parseAt } from '@retain/core';
import { checkFinite } from './check-input.js';
import type { DetectorSnapshot, DriftDetector } from './detector.js';
import { parseSnapshot } from './snapshot.js';

/** What a drift report advises the learner to do. */
export type DriftRecommendation = 'none' | 'refreshFisher' | 'consolidate' | 'raiseReplayRatio';

/** The outcome of one comparison of the current window against the baseline. */
export interface DriftReport {
  /** KL(current ‖ baseline) in nats, on smoothed histograms. */
  divergence: number;
  threshold: number;
  driftDetected: boolean;
  warningDetected: boolean;
  /** What to do about it (see {@link KLDriftDetector} for the rule). */
  recommendation: DriftRecommendation;
  /** What the values are: a model's loss or a summary of its input features. */
  source: 'loss' | 'feature';
  baselineMean: number;
  currentMean: number;
  /** Updates seen since construction (the index of this report is `updates − 1`). */
  updates: number;
}

/** KLDriftDetector options. */
export interface KLDriftOptions {
  /** What the values are (default `'loss'`); decides between replay and Fisher advice. */
  source?: 'loss' | 'feature';
  /** Histogram bins (default 10). */
  bins?: number;
  /** Values collected before the baseline histogram is frozen (default 500). */
  baselineSize?: number;
  /** Length of the sliding current window (default 200). */
  windowSize?: number;
  /** Drift when the divergence exceeds this many nats (default 0.2). */
  threshold?: number;
  /** Warning above this many nats (default threshold / 2). */
  warningThreshold?: number;
  /** Pseudo-count added to every bin of both histograms (default 0.5). */
  smoothing?: number;
  /** Divergence ≥ severeFactor × threshold is a regime change: advise `consolidate` (default 3). */
  severeFactor?: number;
}

const configSchema = z
  .object({
    source: z.enum(['loss', 'feature']).default('loss'),
    bins: z.number().int().min(2).max(4096).default(10),
    baselineSize: z.number().int().min(2).max(10_000_000).default(500),
    windowSize: z.number().int().min(2).max(10_000_000).default(200),
    threshold: z.number().gt(0).default(0.2),
    warningThreshold: z.number().gt(0).optional(),
    smoothing: z.number().gt(0).default(0.5),
    severeFactor: z.number().min(1).default(3),
  })
  .transform((c) => ({ ...c, warningThreshold: c.warningThreshold ?? c.threshold / 2 }))
  .refine((c) => c.warningThreshold <= c.threshold, {
    message: 'warningThreshold must be ≤ threshold',
    path: ['warningThreshold'],
  });
type KLConfig = z.output<typeof configSchema>;

const storedConfigSchema = z.object({
  source: z.enum(['loss', 'feature']),
  bins: z.number().int().min(2).max(4096),
  baselineSize: z.number().int().min(2).max(10_000_000),
  windowSize: z.number().int().min(2).max(10_000_000),
  threshold: z.number().gt(0),
  warningThreshold: z.number().gt(0),
  smoothing: z.number().gt(0),
  severeFactor: z.number().min(1),
});

const snapshotSchema = z.object({
  version: z.literal(1),
  kind: z.literal('KL'),
  config: storedConfigSchema,
  state: z.object({
    baseline: z.array(z.number()),
    edges: z.object({ lo: z.number(), hi: z.number() }).nullable(),
    window: z.array(z.number()),
    updates: z.number().int().min(0),
    warningDetected: z.boolean(),
    driftDetected: z.boolean(),
  }),
});

/** Saved form of a {@link KLDriftDetector}. */
export type KLSnapshot = DetectorSnapshot<'KL', KLConfig, z.output<typeof snapshotSchema>['state']>;

/**
 * Compares a sliding window of recent values (a loss, or a summary of the input features)
 * against a frozen baseline by the KL divergence of their histograms. The baseline's bins are
 * equal-width over its range; values beyond it fall in the end bins. Recommendation rule:
 * divergence ≥ severeFactor·threshold → `consolidate` (a new regime: protect what was learned);
 * otherwise a rising loss → `raiseReplayRatio` (forgetting); otherwise → `refreshFisher` (the
 * importance weights were estimated on inputs that no longer look like the stream).
 * After a drift, the next update rebuilds the baseline, starting from the current window.
 */
export class KLDriftDetector implements DriftDetector {
  readonly kind = 'KL';
  private config: KLConfig;
  private baseline: Float64Array;
  private baselineLen = 0;
  private lo = 0;
  private hi = 0;
  private frozen = false;
  private baseCounts: Float64Array;
  private baseMean = 0;
  private ring: Float64Array;
  private ringBins: Int32Array;
  private start = 0;
  private len = 0;
  private windowSum = 0;
  private curCounts: Float64Array;
  private updates = 0;
  private warning = false;
  private drift = false;
  private last: DriftReport | null = null;

  constructor(options: KLDriftOptions = {}) {
    this.config = parseAt(configSchema, options, 'options', 'config');
    const c = this.config;
    this.baseline = new Float64Array(c.baselineSize);
    this.baseCounts = new Float64Array(c.bins);
    this.ring = new Float64Array(c.windowSize);
    this.ringBins = new Int32Array(c.windowSize);
    this.curCounts = new Float64Array(c.bins);
  }

  /** True only right after the update whose divergence crossed the threshold. */
  get driftDetected(): boolean {
    return this.drift;
  }
  /** True while the divergence is above the warning threshold. */
  get warningDetected(): boolean {
    return this.warning;
  }
  /** The latest comparison, or null while the baseline or the first window is filling. */
  get lastReport(): DriftReport | null {
    return this.last === null ? null : { ...this.last };
  }

  /** Feed one value (a loss, or one summary of a feature vector). */
  update(x: number): this {
    const value = checkFinite(x);
    if (this.drift) this.rebaseline();
    this.updates += 1;
    if (!this.frozen) {
      this.baseline[this.baselineLen++] = value;
      if (this.baselineLen === this.config.baselineSize) this.freeze();
      return this;
    }
    const w = this.config.windowSize;
    const bin = this.binOf(value);
    if (this.len < w) {
      const at = (this.start + this.len) % w;
      this.ring[at] = value;
      this.ringBins[at] = bin;
      this.len += 1;
    } else {
      this.windowSum -= this.ring[this.start]!;
      this.curCounts[this.ringBins[this.start]!]! -= 1;
      this.ring[this.start] = value;
      this.ringBins[this.start] = bin;
      this.start = (this.start + 1) % w;
    }
    this.windowSum += value;
    this.curCounts[bin]! += 1;
    if (this.len === w) this.compare();
    return this;
  }

  private binOf(x: number): number {
    const b = this.config.bins;
    const i = Math.floor(((x - this.lo) / (this.hi - this.lo)) * b);
    return i < 0 ? 0 : i >= b ? b - 1 : i;
  }

  private freeze(): void {
    let lo = Infinity;
    let hi = -Infinity;
    let sum = 0;
    for (let i = 0; i < this.baselineLen; i++) {
      const v = this.baseline[i]!;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
      sum += v;
    }
    if (hi === lo) {
      // A constant baseline still needs a non-empty range so that any departure is binned apart.
      const pad = 0.5 * Math.max(1, Math.abs(lo));
      lo -= pad;
      hi += pad;
    }
    this.setEdges(lo, hi);
    this.baseMean = sum / this.baselineLen;
  }

  private setEdges(lo: number, hi: number): void {
    this.lo = lo;
    this.hi = hi;
    this.frozen = true;
    this.baseCounts.fill(0);
    for (let i = 0; i < this.baselineLen; i++) this.baseCounts[this.binOf(this.baseline[i]!)]! += 1;
  }

  private compare(): void {
    const c = this.config;
    const a = c.smoothing;
    const pDen = this.len + a * c.bins;
    const qDen = this.baselineLen + a * c.bins;
    let kl = 0;
    for (let i = 0; i < c.bins; i++) {
      const p = (this.curCounts[i]! + a) / pDen;
      const q = (this.baseCounts[i]! + a) / qDen;
      kl += p * Math.log(p / q);
    }
    const divergence = Math.max(0, kl);
    const currentMean = this.windowSum / this.len;
    this.drift = divergence > c.threshold;
    this.warning = !this.drift && divergence > c.warningThreshold;
    let recommendation: DriftRecommendation = 'none';
    if (this.drift) {
      if (divergence >= c.severeFactor * c.threshold) recommendation = 'consolidate';
      else if (c.source === 'loss' && currentMean > this.baseMean) recommendation = 'raiseReplayRatio';
      else recommendation = 'refreshFisher';
    }
    this.last = {
      divergence,
      threshold: c.threshold,
      driftDetected: this.drift,
      warningDetected: this.warning,
      recommendation,
      source: c.source,
      baselineMean: this.baseMean,
      currentMean,
      updates: this.updates,
    };
  }

  // The values of the window that drifted are the first of the new regime: they seed its baseline.
  private rebaseline(): void {
    const w = this.config.windowSize;
    const keep = Math.min(this.len, this.config.baselineSize);
    const from = this.len - keep;
    for (let i = 0; i < keep; i++) this.baseline[i] = this.ring[(this.start + from + i) % w]!;
    this.baselineLen = keep;
    this.clearWindow();
    this.frozen = false;
    this.warning = false;
    this.drift = false;
    if (this.baselineLen === this.config.baselineSize) this.freeze();
  }

  private clearWindow(): void {
    this.start = 0;
    this.len = 0;
    this.windowSum = 0;
    this.curCounts.fill(0);
  }

  /** Forget the baseline and the window. */
  reset(): void {
    this.baselineLen = 0;
    this.frozen = false;
    this.baseCounts.fill(0);
    this.baseMean = 0;
    this.clearWindow();
    this.updates = 0;
    this.warning = false;
    this.drift = false;
    this.last = null;
  }

  /** Versioned copy of configuration, baseline and window. */
  snapshot(): KLSnapshot {
    const w = this.config.windowSize;
    const window: number[] = [];
    for (let i = 0; i < this.len; i++) window.push(this.ring[(this.start + i) % w]!);
    return {
      version: 1,
      kind: 'KL',
      config: { ...this.config },
      state: {
        baseline: Array.from(this.baseline.subarray(0, this.baselineLen)),
        edges: this.frozen ? { lo: this.lo, hi: this.hi } : null,
        window,
        updates: this.updates,
        warningDetected: this.warning,
        driftDetected: this.drift,
      },
    };
  }

  /** Load a snapshot written by {@link KLDriftDetector.snapshot}; the report is recomputed. */
  restore(snapshot: unknown): this {
    const s = parseSnapshot(snapshotSchema, snapshot, 'KL');
    const c = s.config;
    const st = s.state;
    const full = st.baseline.length === c.baselineSize;
    if (st.baseline.length > c.baselineSize || full !== (st.edges !== null) || st.window.length > c.windowSize) {
      throw new StoreCorruptError('snapshot.state', 'baseline, edges and window sizes are inconsistent with the config');
    }
    if (st.edges !== null && !(st.edges.hi > st.edges.lo)) {
      throw new StoreCorruptError('snapshot.state.edges', 'hi must be greater than lo');
    }
    if (st.edges === null && st.window.length > 0) {
      throw new StoreCorruptError('snapshot.state.window', 'must be empty while the baseline is filling');
    }
    const next = new KLDriftDetector(c);
    next.baseline.set(st.baseline);
    next.baselineLen = st.baseline.length;
    if (st.edges !== null) {
      next.setEdges(st.edges.lo, st.edges.hi);
      let sum = 0;
      for (const v of st.baseline) sum += v;
      next.baseMean = sum / st.baseline.length;
      for (const v of st.window) {
        const bin = next.binOf(v);
        next.ring[next.len] = v;
        next.ringBins[next.len] = bin;
        next.len += 1;
        next.windowSum += v;
        next.curCounts[bin]! += 1;
      }
      next.updates = st.updates;
      if (next.len === c.windowSize) next.compare();
    }
    next.updates = st.updates;
    next.warning = st.warningDetected;
    next.drift = st.driftDetected;
    Object.assign(this, next);
    return this;
  }

  /** A new detector from a snapshot. */
  static fromSnapshot(snapshot: unknown): KLDriftDetector {
    return new KLDriftDetector().restore(snapshot);
  }
}
