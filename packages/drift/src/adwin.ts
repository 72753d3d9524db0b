import { z } from 'zod';
import { StoreCorruptError, parseAt } from '@retain/core';
import { checkFinite } from './check-input.js';
import type { DetectorSnapshot, DriftDetector } from './detector.js';
import { parseSnapshot } from './snapshot.js';

/** ADWIN options; the defaults are River's. */
export interface AdwinOptions {
  /** Confidence δ of the cut test (default 0.002). */
  delta?: number;
  /** Test for a cut every `clock` updates (default 32). */
  clock?: number;
  /** Buckets kept per row of the exponential histogram before the two oldest merge (default 5). */
  maxBuckets?: number;
  /** Each sub-window must hold at least this many values (default 5). */
  minWindowLength?: number;
  /** No test until the window holds more than this many values (default 10). */
  gracePeriod?: number;
}

const configSchema = z.object({
  delta: z.number().gt(0).lt(1).default(0.002),
  clock: z.number().int().min(1).default(32),
  maxBuckets: z.number().int().min(1).max(1024).default(5),
  minWindowLength: z.number().int().min(1).default(5),
  gracePeriod: z.number().int().min(0).default(10),
});
type AdwinConfig = z.output<typeof configSchema>;

const rowSchema = z.object({ totals: z.array(z.number()), variances: z.array(z.number()) });
const snapshotSchema = z.object({
  version: z.literal(1),
  kind: z.literal('ADWIN'),
  config: configSchema.required(),
  state: z.object({
    rows: z.array(rowSchema),
    total: z.number(),
    variance: z.number(),
    width: z.number().int().min(0),
    tick: z.number().int().min(0),
    driftDetected: z.boolean(),
  }),
});

/** Saved form of an {@link ADWIN}. */
export type AdwinSnapshot = DetectorSnapshot<'ADWIN', AdwinConfig, z.output<typeof snapshotSchema>['state']>;

/**
 * ADWIN (Bifet & Gavaldà 2007) with River's exponential histogram and cut test, so detections
 * land on the same indices as `river.drift.ADWIN`. Row `r` holds up to `maxBuckets` buckets of
 * 2^r values each, oldest first, in flat typed arrays (no allocation per update).
 */
export class ADWIN implements DriftDetector {
  readonly kind = 'ADWIN';
  private config: AdwinConfig;
  private stride: number;
  private totals: Float64Array;
  private variances: Float64Array;
  private counts: Int32Array;
  private nRows = 1;
  private total_ = 0;
  private variance_ = 0;
  private width_ = 0;
  private tick = 0;
  private drift = false;

  constructor(options: AdwinOptions = {}) {
    this.config = parseAt(configSchema, options, 'options', 'config');
    this.stride = this.config.maxBuckets + 1;
    this.totals = new Float64Array(16 * this.stride);
    this.variances = new Float64Array(16 * this.stride);
    this.counts = new Int32Array(16);
  }

  /** True only right after the update that cut the window. */
  get driftDetected(): boolean {
    return this.drift;
  }
  /** ADWIN has no warning zone. */
  get warningDetected(): boolean {
    return false;
  }
  /** Number of values in the current window. */
  get width(): number {
    return this.width_;
  }
  /** Sum of the values in the window. */
  get total(): number {
    return this.total_;
  }
  /** Sum of squared deviations from the window mean (not divided by the width). */
  get variance(): number {
    return this.variance_;
  }
  /** Mean of the window (0 when empty). */
  get estimation(): number {
    return this.width_ === 0 ? 0 : this.total_ / this.width_;
  }

  /** Add one value; after a drift the first update starts a fresh window. */
  update(x: number): this {
    const value = checkFinite(x);
    if (this.drift) this.reset();
    this.insert(value);
    this.drift = this.detectChange();
    return this;
  }

  /** Empty the window. */
  reset(): void {
    this.counts.fill(0);
    this.nRows = 1;
    this.total_ = 0;
    this.variance_ = 0;
    this.width_ = 0;
    this.tick = 0;
    this.drift = false;
  }

  private ensureRows(rows: number): void {
    if (rows <= this.counts.length) return;
    const cap = Math.max(rows, this.counts.length * 2);
    const totals = new Float64Array(cap * this.stride);
    totals.set(this.totals);
    const variances = new Float64Array(cap * this.stride);
    variances.set(this.variances);
    const counts = new Int32Array(cap);
    counts.set(this.counts);
    this.totals = totals;
    this.variances = variances;
    this.counts = counts;
  }

  private insert(value: number): void {
    const c = this.counts[0]!;
    this.totals[c] = value;
    this.variances[c] = 0;
    this.counts[0] = c + 1;
    this.width_ += 1;
    const w = this.width_;
    if (w > 1) {
      // Same operation order as River, so sums round identically.
      const d = value - this.total_ / (w - 1);
      this.variance_ += ((w - 1) * d * d) / w;
    }
    this.total_ += value;
    this.compress();
  }

  private compress(): void {
    const mb = this.config.maxBuckets;
    // A cascade adds at most one row: make room first so the arrays stay put during it.
    this.ensureRows(this.nRows + 1);
    const stride = this.stride;
    const t = this.totals;
    const v = this.variances;
    for (let idx = 0; idx < this.nRows; idx++) {
      if (this.counts[idx] !== mb + 1) break;
      if (idx + 1 >= this.nRows) {
        this.nRows = idx + 2;
        this.counts[idx + 1] = 0;
      }
      const b = idx * stride;
      const n1 = 2 ** idx;
      const mu1 = t[b]! / n1;
      const mu2 = t[b + 1]! / n1;
      const total12 = t[b]! + t[b + 1]!;
      const temp = n1 * 0.5 * (mu1 - mu2) * (mu1 - mu2);
      const v12 = v[b]! + v[b + 1]! + temp;
      const nb = (idx + 1) * stride;
      const nc = this.counts[idx + 1]!;
      t[nb + nc] = total12;
      v[nb + nc] = v12;
      this.counts[idx + 1] = nc + 1;
      const c = this.counts[idx]!;
      for (let i = 2; i < c; i++) {
        t[b + i - 2] = t[b + i]!;
        v[b + i - 2] = v[b + i]!;
      }
      this.counts[idx] = c - 2;
      if (nc + 1 <= mb) break;
    }
  }

  private deleteOldest(): void {
    const r = this.nRows - 1;
    const b = r * this.stride;
    const n = 2 ** r;
    const u = this.totals[b]!;
    const mu = u / n;
    const v = this.variances[b]!;
    this.width_ -= n;
    this.total_ -= u;
    const muWindow = this.total_ / this.width_;
    this.variance_ -= v + (n * this.width_ * (mu - muWindow) * (mu - muWindow)) / (n + this.width_);
    const c = this.counts[r]!;
    for (let i = 1; i < c; i++) {
      this.totals[b + i - 1] = this.totals[b + i]!;
      this.variances[b + i - 1] = this.variances[b + i]!;
    }
    this.counts[r] = c - 1;
    if (c - 1 === 0 && this.nRows > 1) this.nRows -= 1;
  }

  private detectChange(): boolean {
    this.tick += 1;
    const cfg = this.config;
    if (this.tick % cfg.clock !== 0 || !(this.width_ > cfg.gracePeriod)) return false;
    const minLen = cfg.minWindowLength;
    let changed = false;
    let again = true;
    while (again) {
      again = false;
      let n0 = 0;
      let n1 = this.width_;
      let u0 = 0;
      let u1 = this.total_;
      const deltaPrime = Math.log((2 * Math.log(this.width_)) / cfg.delta);
      const varInWindow = this.variance_ / this.width_;
      // Scan cut points from the oldest bucket to the newest, as River does.
      scan: for (let idx = this.nRows - 1; idx >= 0; idx--) {
        const size = 2 ** idx;
        const b = idx * this.stride;
        const c = this.counts[idx]!;
        for (let k = 0; k < c; k++) {
          const tk = this.totals[b + k]!;
          n0 += size;
          n1 -= size;
          u0 += tk;
          u1 -= tk;
          if (idx === 0 && k === c - 1) break scan;
          if (n1 >= minLen && n0 >= minLen) {
            const deltaMean = u0 / n0 - u1 / n1;
            const mRecip = 1 / (n0 - minLen + 1) + 1 / (n1 - minLen + 1);
            const eps = Math.sqrt(2 * mRecip * varInWindow * deltaPrime) + (2 / 3) * deltaPrime * mRecip;
            if (Math.abs(deltaMean) > eps) {
              changed = true;
              again = true;
              if (this.width_ > 0) this.deleteOldest();
              break scan;
            }
          }
        }
      }
    }
    return changed;
  }

  /** Versioned copy of configuration and window. */
  snapshot(): AdwinSnapshot {
    const rows: { totals: number[]; variances: number[] }[] = [];
    for (let r = 0; r < this.nRows; r++) {
      const b = r * this.stride;
      const c = this.counts[r]!;
      rows.push({
        totals: Array.from(this.totals.subarray(b, b + c)),
        variances: Array.from(this.variances.subarray(b, b + c)),
      });
    }
    return {
      version: 1,
      kind: 'ADWIN',
      config: { ...this.config },
      state: {
        rows,
        total: this.total_,
        variance: this.variance_,
        width: this.width_,
        tick: this.tick,
        driftDetected: this.drift,
      },
    };
  }

  /** Load a snapshot written by {@link ADWIN.snapshot}. */
  restore(snapshot: unknown): this {
    const snap = parseSnapshot(snapshotSchema, snapshot, 'ADWIN');
    const rows = snap.state.rows;
    const stride = snap.config.maxBuckets + 1;
    let width = 0;
    rows.forEach((row, r) => {
      if (row.totals.length !== row.variances.length || row.totals.length > snap.config.maxBuckets) {
        throw parseSnapshotRowError(r, snap.config.maxBuckets);
      }
      width += row.totals.length * 2 ** r;
    });
    if (rows.length === 0 || width !== snap.state.width) {
      throw parseSnapshotRowError(-1, snap.config.maxBuckets);
    }
    const cap = Math.max(16, rows.length);
    const totals = new Float64Array(cap * stride);
    const variances = new Float64Array(cap * stride);
    const counts = new Int32Array(cap);
    rows.forEach((row, r) => {
      totals.set(row.totals, r * stride);
      variances.set(row.variances, r * stride);
      counts[r] = row.totals.length;
    });
    this.config = snap.config;
    this.stride = stride;
    this.totals = totals;
    this.variances = variances;
    this.counts = counts;
    this.nRows = rows.length;
    this.total_ = snap.state.total;
    this.variance_ = snap.state.variance;
    this.width_ = snap.state.width;
    this.tick = snap.state.tick;
    this.drift = snap.state.driftDetected;
    return this;
  }

  /** A new ADWIN from a snapshot. */
  static fromSnapshot(snapshot: unknown): ADWIN {
    return new ADWIN().restore(snapshot);
  }
}

function parseSnapshotRowError(row: number, maxBuckets: number): Error {
  return new StoreCorruptError(
    row < 0 ? 'snapshot.state.width' : `snapshot.state.rows[${row}]`,
    row < 0
      ? 'does not equal the number of values held by the rows'
      : `needs equal-length totals/variances of at most ${maxBuckets} buckets`,
  );
}
