import { z } from 'zod';
import { parseAt } from '@retain/core';
import { checkBinary } from './check-input.js';
import type { BinaryDriftDetector, DetectorSnapshot } from './detector.js';
import { parseSnapshot } from './snapshot.js';

/** HDDM_A options; the defaults are River's. */
export interface HddmAOptions {
  /** Confidence of the drift test (default 0.001). */
  driftConfidence?: number;
  /** Confidence of the warning test (default 0.005). */
  warningConfidence?: number;
  /** Also watch for the error rate going down (default false). */
  twoSidedTest?: boolean;
}

const configSchema = z.object({
  driftConfidence: z.number().gt(0).lt(1).default(0.001),
  warningConfidence: z.number().gt(0).lt(1).default(0.005),
  twoSidedTest: z.boolean().default(false),
});
type HddmAConfig = z.output<typeof configSchema>;

const meanSchema = z.object({ n: z.number().int().min(0), mean: z.number() });
const snapshotSchema = z.object({
  version: z.literal(1),
  kind: z.literal('HDDM_A'),
  config: configSchema.required(),
  state: z.object({
    z: meanSchema,
    xMin: meanSchema,
    xMax: meanSchema,
    warningDetected: z.boolean(),
    driftDetected: z.boolean(),
  }),
});

/** Saved form of an {@link HDDM_A}. */
export type HddmASnapshot = DetectorSnapshot<'HDDM_A', HddmAConfig, z.output<typeof snapshotSchema>['state']>;

interface RunningMean {
  n: number;
  mean: number;
}

/**
 * HDDM_A (Frías-Blanco et al. 2014): Hoeffding bounds on the running mean against the prefix
 * whose mean (plus bound) was lowest, as in MOA and River.
 */
export class HDDM_A implements BinaryDriftDetector {
  readonly kind = 'HDDM_A';
  readonly binary = true;
  private config: HddmAConfig;
  private z: RunningMean = { n: 0, mean: 0 };
  private xMin: RunningMean = { n: 0, mean: 0 };
  private xMax: RunningMean = { n: 0, mean: 0 };
  private warning = false;
  private drift = false;

  constructor(options: HddmAOptions = {}) {
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

  private bound(n: number): number {
    return Math.sqrt((1.0 / (2 * n)) * Math.log(1.0 / this.config.driftConfidence));
  }

  /** Feed one outcome: 1 (or true) = error. */
  update(x: number | boolean): this {
    const e = checkBinary(x);
    if (this.drift) this.reset();
    const zt = this.z;
    zt.n += 1;
    zt.mean += (1 / zt.n) * (e - zt.mean);
    if (this.xMin.n === 0) this.xMin = { ...zt };
    if (this.xMax.n === 0) this.xMax = { ...zt };
    const epsZ = this.bound(zt.n);
    let epsX = this.bound(this.xMin.n);
    if (this.xMin.mean + epsX >= zt.mean + epsZ) this.xMin = { ...zt };
    epsX = this.bound(this.xMax.n);
    if (this.xMax.mean - epsX <= zt.mean - epsZ) this.xMax = { ...zt };
    const c = this.config;
    if (this.meanIncreased(c.driftConfidence)) {
      this.warning = false;
      this.drift = true;
    } else if (this.meanIncreased(c.warningConfidence)) {
      this.warning = true;
      this.drift = false;
    } else {
      this.warning = false;
      this.drift = false;
    }
    if (c.twoSidedTest) {
      if (this.meanDecreased(c.driftConfidence)) this.drift = true;
      else if (this.meanDecreased(c.warningConfidence)) this.warning = true;
    }
    return this;
  }

  private meanIncreased(confidence: number): boolean {
    if (this.xMin.n === this.z.n) return false;
    const m = ((this.z.n - this.xMin.n) / this.xMin.n) * (1.0 / this.z.n);
    const eps = Math.sqrt((m / 2) * Math.log(2.0 / confidence));
    return this.z.mean - this.xMin.mean >= eps;
  }

  private meanDecreased(confidence: number): boolean {
    if (this.xMax.n === this.z.n) return false;
    const m = ((this.z.n - this.xMax.n) / this.xMax.n) * (1.0 / this.z.n);
    const eps = Math.sqrt((m / 2) * Math.log(2.0 / confidence));
    return this.xMax.mean - this.z.mean >= eps;
  }

  /** Forget everything seen so far. */
  reset(): void {
    this.z = { n: 0, mean: 0 };
    this.xMin = { n: 0, mean: 0 };
    this.xMax = { n: 0, mean: 0 };
    this.warning = false;
    this.drift = false;
  }

  /** Versioned copy of configuration and state. */
  snapshot(): HddmASnapshot {
    return {
      version: 1,
      kind: 'HDDM_A',
      config: { ...this.config },
      state: {
        z: { ...this.z },
        xMin: { ...this.xMin },
        xMax: { ...this.xMax },
        warningDetected: this.warning,
        driftDetected: this.drift,
      },
    };
  }

  /** Load a snapshot written by {@link HDDM_A.snapshot}. */
  restore(snapshot: unknown): this {
    const s = parseSnapshot(snapshotSchema, snapshot, 'HDDM_A');
    this.config = s.config;
    this.z = { ...s.state.z };
    this.xMin = { ...s.state.xMin };
    this.xMax = { ...s.state.xMax };
    this.warning = s.state.warningDetected;
    this.drift = s.state.driftDetected;
    return this;
  }

  /** A new detector from a snapshot. */
  static fromSnapshot(snapshot: unknown): HDDM_A {
    return new HDDM_A().restore(snapshot);
  }
}
