import { z } from 'zod';
import { parseAt } from '@retain/core';
import { checkFinite } from './check-input.js';
import type { DetectorSnapshot, DriftDetector } from './detector.js';
import { ks2Samp } from './ks-test.js';
import { PythonRandom, pythonRandomStateSchema } from './python-random.js';
import { parseSnapshot } from './snapshot.js';

/** KSWIN options; the defaults are River's except `seed`, which River leaves to the OS. */
export interface KswinOptions {
  /** Significance level of the KS test (default 0.005). */
  alpha?: number;
  /** Length of the sliding window (default 100). */
  windowSize?: number;
  /** Length of the recent part compared against a sample of the older part (default 30). */
  statSize?: number;
  /** Seed of the Python-compatible generator that draws the sample (default 0). */
  seed?: number;
}

const configSchema = z
  .object({
    alpha: z.number().gt(0).max(1).default(0.005),
    windowSize: z.number().int().min(2).max(20000).default(100),
    statSize: z.number().int().min(1).default(30),
    seed: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(0),
  })
  .refine((c) => c.windowSize - c.statSize >= c.statSize, {
    message: 'windowSize must be at least twice statSize (the sample is drawn from the older part)',
    path: ['statSize'],
  });
type KswinConfig = z.output<typeof configSchema>;

const snapshotSchema = z.object({
  version: z.literal(1),
  kind: z.literal('KSWIN'),
  config: configSchema,
  state: z.object({
    window: z.array(z.number()),
    n: z.number().int().min(0),
    pValue: z.number().min(0).max(1),
    statistic: z.number().min(0).max(1),
    rng: pythonRandomStateSchema,
    driftDetected: z.boolean(),
  }),
});

/** Saved form of a {@link KSWIN}. */
export type KswinSnapshot = DetectorSnapshot<'KSWIN', KswinConfig, z.output<typeof snapshotSchema>['state']>;

/**
 * KSWIN (Raab et al. 2020) as River runs it: once the window is full, every update compares the
 * newest `statSize` values with `statSize` values drawn (Python's `Random.sample`, seeded) from the
 * older part, by an exact two-sample KS test; drift when p ≤ α and D > 0.1.
 */
export class KSWIN implements DriftDetector {
  readonly kind = 'KSWIN';
  private config: KswinConfig;
  // Ring buffer: `start` is the oldest value, `len` how many are held.
  private ring: Float64Array;
  private start = 0;
  private len = 0;
  private n = 0;
  private pValue_ = 0;
  private statistic_ = 0;
  private rng: PythonRandom;
  private drift = false;
  private sampleBuf: Float64Array;
  private recentBuf: Float64Array;

  constructor(options: KswinOptions = {}) {
    this.config = parseAt(configSchema, options, 'options', 'config');
    this.ring = new Float64Array(this.config.windowSize);
    this.rng = new PythonRandom(this.config.seed);
    this.sampleBuf = new Float64Array(this.config.statSize);
    this.recentBuf = new Float64Array(this.config.statSize);
  }

  /** True only right after the update whose test rejected. */
  get driftDetected(): boolean {
    return this.drift;
  }
  /** KSWIN has no warning zone. */
  get warningDetected(): boolean {
    return false;
  }
  /** p-value of the last test (0 before the first). */
  get pValue(): number {
    return this.pValue_;
  }
  /** KS statistic of the last test (0 before the first). */
  get statistic(): number {
    return this.statistic_;
  }

  /** Feed one value. */
  update(x: number): this {
    const value = checkFinite(x);
    if (this.drift) this.reset();
    const { windowSize: w, statSize: s } = this.config;
    this.n += 1;
    if (this.len < w) {
      this.ring[(this.start + this.len) % w] = value;
      this.len += 1;
    } else {
      this.ring[this.start] = value;
      this.start = (this.start + 1) % w;
    }
    if (this.len < w) return this;
    const idx = this.rng.sampleIndices(w - s, s);
    const sample = this.sampleBuf;
    const recent = this.recentBuf;
    for (let i = 0; i < s; i++) sample[i] = this.ring[(this.start + idx[i]!) % w]!;
    for (let i = 0; i < s; i++) recent[i] = this.ring[(this.start + w - s + i) % w]!;
    const { statistic, pValue } = ks2Samp(sample, recent);
    this.statistic_ = statistic;
    this.pValue_ = pValue;
    this.drift = pValue <= this.config.alpha && statistic > 0.1;
    return this;
  }

  /** Empty the window and reseed the sampler, as River does on reset. */
  reset(): void {
    this.start = 0;
    this.len = 0;
    this.n = 0;
    this.pValue_ = 0;
    this.statistic_ = 0;
    this.rng = new PythonRandom(this.config.seed);
    this.drift = false;
  }

  /** Versioned copy of configuration, window and generator. */
  snapshot(): KswinSnapshot {
    const w = this.config.windowSize;
    const window: number[] = [];
    for (let i = 0; i < this.len; i++) window.push(this.ring[(this.start + i) % w]!);
    return {
      version: 1,
      kind: 'KSWIN',
      config: { ...this.config },
      state: {
        window,
        n: this.n,
        pValue: this.pValue_,
        statistic: this.statistic_,
        rng: this.rng.getState(),
        driftDetected: this.drift,
      },
    };
  }

  /** Load a snapshot written by {@link KSWIN.snapshot}. */
  restore(snapshot: unknown): this {
    const s = parseSnapshot(snapshotSchema, snapshot, 'KSWIN');
    parseAt(z.array(z.number()).max(s.config.windowSize), s.state.window, 'snapshot.state.window', 'store');
    const rng = PythonRandom.fromState(s.state.rng);
    const ring = new Float64Array(s.config.windowSize);
    ring.set(s.state.window);
    this.config = s.config;
    this.ring = ring;
    this.sampleBuf = new Float64Array(s.config.statSize);
    this.recentBuf = new Float64Array(s.config.statSize);
    this.start = 0;
    this.len = s.state.window.length;
    this.n = s.state.n;
    this.pValue_ = s.state.pValue;
    this.statistic_ = s.state.statistic;
    this.rng = rng;
    this.drift = s.state.driftDetected;
    return this;
  }

  /** A new detector from a snapshot. */
  static fromSnapshot(snapshot: unknown): KSWIN {
    return new KSWIN().restore(snapshot);
  }
}
