import { z } from 'zod';
import { parseAt } from '@retain/core';
import { checkFinite } from './check-input.js';
import type { DetectorSnapshot, DriftDetector } from './detector.js';
import { parseSnapshot } from './snapshot.js';

/** Page-Hinkley options; the defaults are River's. */
export interface PageHinkleyOptions {
  /** Updates before a drift may be reported (default 30). */
  minInstances?: number;
  /** Tolerated magnitude of change δ (default 0.005). */
  delta?: number;
  /** Detection threshold λ (default 50). */
  threshold?: number;
  /** Forgetting factor applied to the cumulative sums (default 1 − 1e-4). */
  alpha?: number;
  /** Watch increases, decreases or both (default `'both'`). */
  mode?: 'up' | 'down' | 'both';
}

const configSchema = z.object({
  minInstances: z.number().int().min(1).default(30),
  delta: z.number().min(0).default(0.005),
  threshold: z.number().gt(0).default(50),
  alpha: z.number().gt(0).max(1).default(1 - 0.0001),
  mode: z.enum(['up', 'down', 'both']).default('both'),
});
type PageHinkleyConfig = z.output<typeof configSchema>;

const finiteOrInf = z.number().or(z.literal('Infinity'));
const snapshotSchema = z.object({
  version: z.literal(1),
  kind: z.literal('PageHinkley'),
  config: configSchema.required(),
  state: z.object({
    n: z.number().int().min(0),
    mean: z.number(),
    sumIncrease: z.number(),
    sumDecrease: z.number(),
    minIncrease: finiteOrInf,
    maxDecrease: z.number(),
    driftDetected: z.boolean(),
  }),
});

/** Saved form of a {@link PageHinkley}. */
export type PageHinkleySnapshot = DetectorSnapshot<
  'PageHinkley',
  PageHinkleyConfig,
  z.output<typeof snapshotSchema>['state']
>;

/** Two-sided Page-Hinkley test with River's fading sums and its reset semantics. */
export class PageHinkley implements DriftDetector {
  readonly kind = 'PageHinkley';
  private config: PageHinkleyConfig;
  private n = 0;
  private mean = 0;
  private sumIncrease = 0;
  private sumDecrease = 0;
  private minIncrease = Infinity;
  // River starts the running maximum at -1, not -inf; kept so detections match.
  private maxDecrease = -1;
  private drift = false;

  constructor(options: PageHinkleyOptions = {}) {
    this.config = parseAt(configSchema, options, 'options', 'config');
  }

  /** True only right after the update that crossed the threshold. */
  get driftDetected(): boolean {
    return this.drift;
  }
  /** Page-Hinkley has no warning zone. */
  get warningDetected(): boolean {
    return false;
  }
  /** Running mean since the last reset. */
  get estimation(): number {
    return this.mean;
  }

  /** Feed one value. */
  update(x: number): this {
    const value = checkFinite(x);
    if (this.drift) this.reset();
    const c = this.config;
    this.n += 1;
    this.mean += (1 / this.n) * (value - this.mean);
    const dev = value - this.mean;
    this.sumIncrease = c.alpha * this.sumIncrease + dev - c.delta;
    this.sumDecrease = c.alpha * this.sumDecrease + dev + c.delta;
    if (this.sumIncrease < this.minIncrease) this.minIncrease = this.sumIncrease;
    if (this.sumDecrease > this.maxDecrease) this.maxDecrease = this.sumDecrease;
    if (this.n >= c.minInstances) {
      const up = this.sumIncrease - this.minIncrease > c.threshold;
      const down = this.maxDecrease - this.sumDecrease > c.threshold;
      this.drift = c.mode === 'up' ? up : c.mode === 'down' ? down : up || down;
    }
    return this;
  }

  /** Forget everything seen so far. */
  reset(): void {
    this.n = 0;
    this.mean = 0;
    this.sumIncrease = 0;
    this.sumDecrease = 0;
    this.minIncrease = Infinity;
    this.maxDecrease = -1;
    this.drift = false;
  }

  /** Versioned copy of configuration and state. */
  snapshot(): PageHinkleySnapshot {
    return {
      version: 1,
      kind: 'PageHinkley',
      config: { ...this.config },
      state: {
        n: this.n,
        mean: this.mean,
        sumIncrease: this.sumIncrease,
        sumDecrease: this.sumDecrease,
        minIncrease: this.minIncrease === Infinity ? 'Infinity' : this.minIncrease,
        maxDecrease: this.maxDecrease,
        driftDetected: this.drift,
      },
    };
  }

  /** Load a snapshot written by {@link PageHinkley.snapshot}. */
  restore(snapshot: unknown): this {
    const s = parseSnapshot(snapshotSchema, snapshot, 'PageHinkley');
    this.config = s.config;
    this.n = s.state.n;
    this.mean = s.state.mean;
    this.sumIncrease = s.state.sumIncrease;
    this.sumDecrease = s.state.sumDecrease;
    this.minIncrease = s.state.minIncrease === 'Infinity' ? Infinity : s.state.minIncrease;
    this.maxDecrease = s.state.maxDecrease;
    this.drift = s.state.driftDetected;
    return this;
  }

  /** A new detector from a snapshot. */
  static fromSnapshot(snapshot: unknown): PageHinkley {
    return new PageHinkley().restore(snapshot);
  }
}
