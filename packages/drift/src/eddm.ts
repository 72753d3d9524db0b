import { z } from 'zod';
import { parseAt } from '@retain/core';
import { checkBinary } from './check-input.js';
import type { BinaryDriftDetector, DetectorSnapshot } from './detector.js';
import { parseSnapshot } from './snapshot.js';

/** EDDM options; the defaults are River's. */
export interface EddmOptions {
  /** Errors (and updates) needed before warning or drift may be reported (default 30). */
  warmStart?: number;
  /** Warning when (p′ + 2s′)/(p′ + 2s′)_max < alpha (default 0.95). */
  alpha?: number;
  /** Drift when that ratio < beta (default 0.9). */
  beta?: number;
}

const configSchema = z
  .object({
    warmStart: z.number().int().min(0).default(30),
    alpha: z.number().gt(0).lt(1).default(0.95),
    beta: z.number().gt(0).lt(1).default(0.9),
  })
  .refine((c) => c.alpha >= c.beta, { message: 'alpha must be ≥ beta', path: ['beta'] });
type EddmConfig = z.output<typeof configSchema>;

const snapshotSchema = z.object({
  version: z.literal(1),
  kind: z.literal('EDDM'),
  config: configSchema,
  state: z.object({
    n: z.number().int().min(0),
    lastError: z.number().int().min(0),
    nErrors: z.number().int().min(0),
    distN: z.number().int().min(0),
    distMean: z.number(),
    distVar: z.number(),
    p2sMax: z.number(),
    warningDetected: z.boolean(),
    driftDetected: z.boolean(),
  }),
});

/** Saved form of an {@link EDDM}. */
export type EddmSnapshot = DetectorSnapshot<'EDDM', EddmConfig, z.output<typeof snapshotSchema>['state']>;

/** EDDM (Baena-García et al. 2006): watches the mean and spread of the distance between errors. */
export class EDDM implements BinaryDriftDetector {
  readonly kind = 'EDDM';
  readonly binary = true;
  private config: EddmConfig;
  private n = 0;
  private lastError = 0;
  private nErrors = 0;
  // Welford running mean and sample variance (ddof = 1) of the distances, as River's stats.Var.
  private distN = 0;
  private distMean = 0;
  private distVar = 0;
  private p2sMax = -1;
  private warning = false;
  private drift = false;

  constructor(options: EddmOptions = {}) {
    this.config = parseAt(configSchema, options, 'options', 'config');
  }

  /** True only right after the update that detected a drift. */
  get driftDetected(): boolean {
    return this.drift;
  }
  /** True while the distance statistic sits in the warning band. */
  get warningDetected(): boolean {
    return this.warning;
  }

  /** Feed one outcome: 1 (or true) = error. */
  update(x: number | boolean): this {
    const e = checkBinary(x);
    if (this.drift) this.reset();
    this.n += 1;
    if (e !== 1) return this;
    this.nErrors += 1;
    const dist = this.n - this.lastError;
    const oldMean = this.distMean;
    this.distN += 1;
    this.distMean += (1 / this.distN) * (dist - oldMean);
    if (this.distN > 1) {
      this.distVar += (1 * ((dist - oldMean) * (dist - this.distMean) - this.distVar)) / (this.distN - 1);
    }
    const c = this.config;
    if (this.n > c.warmStart) {
      const p2s = this.distMean + 2 * Math.sqrt(this.distVar);
      if (p2s > this.p2sMax) {
        this.p2sMax = p2s;
      } else if (this.nErrors > c.warmStart) {
        const level = p2s / this.p2sMax;
        if (level < c.beta) this.drift = true;
        else if (level < c.alpha) this.warning = true;
        else this.warning = false;
      }
    }
    this.lastError = this.n;
    return this;
  }

  /** Forget everything seen so far. */
  reset(): void {
    this.n = 0;
    this.lastError = 0;
    this.nErrors = 0;
    this.distN = 0;
    this.distMean = 0;
    this.distVar = 0;
    this.p2sMax = -1;
    this.warning = false;
    this.drift = false;
  }

  /** Versioned copy of configuration and state. */
  snapshot(): EddmSnapshot {
    return {
      version: 1,
      kind: 'EDDM',
      config: { ...this.config },
      state: {
        n: this.n,
        lastError: this.lastError,
        nErrors: this.nErrors,
        distN: this.distN,
        distMean: this.distMean,
        distVar: this.distVar,
        p2sMax: this.p2sMax,
        warningDetected: this.warning,
        driftDetected: this.drift,
      },
    };
  }

  /** Load a snapshot written by {@link EDDM.snapshot}. */
  restore(snapshot: unknown): this {
    const s = parseSnapshot(snapshotSchema, snapshot, 'EDDM');
    this.config = s.config;
    Object.assign(this, {
      n: s.state.n,
      lastError: s.state.lastError,
      nErrors: s.state.nErrors,
      distN: s.state.distN,
      distMean: s.state.distMean,
      distVar: s.state.distVar,
      p2sMax: s.state.p2sMax,
      warning: s.state.warningDetected,
      drift: s.state.driftDetected,
    });
    return this;
  }

  /** A new detector from a snapshot. */
  static fromSnapshot(snapshot: unknown): EDDM {
    return new EDDM().restore(snapshot);
  }
}
