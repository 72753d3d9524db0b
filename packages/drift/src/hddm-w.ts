import { z } from 'zod';
import { parseAt } from '@retain/core';
import { checkBinary } from './check-input.js';
import type { BinaryDriftDetector, DetectorSnapshot } from './detector.js';
import { parseSnapshot } from './snapshot.js';

/** HDDM_W options; the defaults are River's. */
export interface HddmWOptions {
  /** Confidence of the drift test (default 0.001). */
  driftConfidence?: number;
  /** Confidence of the warning test (default 0.005). */
  warningConfidence?: number;
  /** Weight λ of the newest value in the EWMA (default 0.05). */
  lambda?: number;
  /** Also watch for the error rate going down (default false). */
  twoSidedTest?: boolean;
}

const configSchema = z.object({
  driftConfidence: z.number().gt(0).lt(1).default(0.001),
  warningConfidence: z.number().gt(0).lt(1).default(0.005),
  lambda: z.number().gt(0).max(1).default(0.05),
  twoSidedTest: z.boolean().default(false),
});
type HddmWConfig = z.output<typeof configSchema>;

const sampleSchema = z.object({ ewma: z.number(), ibc: z.number(), init: z.boolean() });
const snapshotSchema = z.object({
  version: z.literal(1),
  kind: z.literal('HDDM_W'),
  config: configSchema.required(),
  state: z.object({
    total: sampleSchema,
    s1Incr: sampleSchema,
    s2Incr: sampleSchema,
    s1Decr: sampleSchema,
    s2Decr: sampleSchema,
    incrCutpoint: z.number().or(z.literal('Infinity')),
    decrCutpoint: z.number().or(z.literal('-Infinity')),
    warningDetected: z.boolean(),
    driftDetected: z.boolean(),
  }),
});

/** Saved form of an {@link HDDM_W}. */
export type HddmWSnapshot = DetectorSnapshot<'HDDM_W', HddmWConfig, z.output<typeof snapshotSchema>['state']>;

/** EWMA of a sub-stream with its independent-bound condition (McDiarmid). */
interface SampleInfo {
  ewma: number;
  ibc: number;
  init: boolean;
}

const fresh = (): SampleInfo => ({ ewma: 0, ibc: 1, init: false });

/**
 * HDDM_W (Frías-Blanco et al. 2014): McDiarmid bounds on exponentially weighted means, as in MOA
 * and River 0.26 (whose EWMean starts from the first value).
 */
export class HDDM_W implements BinaryDriftDetector {
  readonly kind = 'HDDM_W';
  readonly binary = true;
  private config: HddmWConfig;
  private total = fresh();
  private s1Incr = fresh();
  private s2Incr = fresh();
  private s1Decr = fresh();
  private s2Decr = fresh();
  private incrCutpoint = Infinity;
  private decrCutpoint = -Infinity;
  private warning = false;
  private drift = false;

  constructor(options: HddmWOptions = {}) {
    this.config = parseAt(configSchema, options, 'options', 'config');
  }

  /** True only right after the update that detected a drift. */
  get driftDetected(): boolean {
    return this.drift;
  }
  /** True while the warning test rejects but the drift test does not. */
  get warningDetected(): boolean {
    return this.warning;
  }

  private push(s: SampleInfo, x: number): void {
    const l = this.config.lambda;
    // River 0.26's EWMean takes its first value as the mean, then fades.
    s.ewma = s.init ? l * x + (1 - l) * s.ewma : x;
    s.init = true;
    s.ibc = l * l + (1 - l) * (1 - l) * s.ibc;
  }

  private static bound(ibc: number, confidence: number): number {
    return Math.sqrt((ibc * Math.log(1 / confidence)) / 2);
  }

  private static changed(s1: SampleInfo, s2: SampleInfo, confidence: number): boolean {
    if (!(s1.init && s2.init)) return false;
    return s2.ewma - s1.ewma > HDDM_W.bound(s1.ibc + s2.ibc, confidence);
  }

  /** Feed one outcome: 1 (or true) = error. */
  update(x: number | boolean): this {
    const e = checkBinary(x);
    if (this.drift) this.reset();
    const c = this.config;
    this.push(this.total, e);

    const epsI = HDDM_W.bound(this.total.ibc, c.driftConfidence);
    if (this.total.ewma + epsI < this.incrCutpoint) {
      this.incrCutpoint = this.total.ewma + epsI;
      this.s1Incr = { ...this.total };
      this.s2Incr = fresh();
    } else {
      this.push(this.s2Incr, e);
    }
    if (HDDM_W.changed(this.s1Incr, this.s2Incr, c.driftConfidence)) {
      this.warning = false;
      this.drift = true;
    } else if (HDDM_W.changed(this.s1Incr, this.s2Incr, c.warningConfidence)) {
      this.warning = true;
      this.drift = false;
    } else {
      this.warning = false;
      this.drift = false;
    }

    const epsD = HDDM_W.bound(this.total.ibc, c.driftConfidence);
    if (this.total.ewma - epsD > this.decrCutpoint) {
      this.decrCutpoint = this.total.ewma - epsD;
      this.s1Decr = { ...this.total };
      this.s2Decr = fresh();
    } else {
      this.push(this.s2Decr, e);
    }
    if (c.twoSidedTest) {
      if (HDDM_W.changed(this.s2Decr, this.s1Decr, c.driftConfidence)) this.drift = true;
      else if (HDDM_W.changed(this.s2Decr, this.s1Decr, c.warningConfidence)) this.warning = true;
    }
    return this;
  }

  /** Forget everything seen so far. */
  reset(): void {
    this.total = fresh();
    this.s1Incr = fresh();
    this.s2Incr = fresh();
    this.s1Decr = fresh();
    this.s2Decr = fresh();
    this.incrCutpoint = Infinity;
    this.decrCutpoint = -Infinity;
    this.warning = false;
    this.drift = false;
  }

  /** Versioned copy of configuration and state. */
  snapshot(): HddmWSnapshot {
    return {
      version: 1,
      kind: 'HDDM_W',
      config: { ...this.config },
      state: {
        total: { ...this.total },
        s1Incr: { ...this.s1Incr },
        s2Incr: { ...this.s2Incr },
        s1Decr: { ...this.s1Decr },
        s2Decr: { ...this.s2Decr },
        incrCutpoint: this.incrCutpoint === Infinity ? 'Infinity' : this.incrCutpoint,
        decrCutpoint: this.decrCutpoint === -Infinity ? '-Infinity' : this.decrCutpoint,
        warningDetected: this.warning,
        driftDetected: this.drift,
      },
    };
  }

  /** Load a snapshot written by {@link HDDM_W.snapshot}. */
  restore(snapshot: unknown): this {
    const s = parseSnapshot(snapshotSchema, snapshot, 'HDDM_W');
    this.config = s.config;
    this.total = { ...s.state.total };
    this.s1Incr = { ...s.state.s1Incr };
    this.s2Incr = { ...s.state.s2Incr };
    this.s1Decr = { ...s.state.s1Decr };
    this.s2Decr = { ...s.state.s2Decr };
    this.incrCutpoint = s.state.incrCutpoint === 'Infinity' ? Infinity : s.state.incrCutpoint;
    this.decrCutpoint = s.state.decrCutpoint === '-Infinity' ? -Infinity : s.state.decrCutpoint;
    this.warning = s.state.warningDetected;
    this.drift = s.state.driftDetected;
    return this;
  }

  /** A new detector from a snapshot. */
  static fromSnapshot(snapshot: unknown): HDDM_W {
    return new HDDM_W().restore(snapshot);
  }
}
