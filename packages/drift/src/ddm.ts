import { z } from 'zod';
import { parseAt } from '@retain/core';
import { checkBinary } from './check-input.js';
import type { BinaryDriftDetector, DetectorSnapshot } from './detector.js';
import { parseSnapshot } from './snapshot.js';

/** DDM options; the defaults are River's. */
export interface DdmOptions {
  /** Updates before warning or drift may be reported (default 30). */
  warmStart?: number;
  /** Warning when p + s > p_min + warningThreshold·s_min (default 2). */
  warningThreshold?: number;
  /** Drift when p + s > p_min + driftThreshold·s_min (default 3). */
  driftThreshold?: number;
}

const configSchema = z
  .object({
    warmStart: z.number().int().min(0).default(30),
    warningThreshold: z.number().gt(0).default(2),
    driftThreshold: z.number().gt(0).default(3),
  })
  .refine((c) => c.driftThreshold >= c.warningThreshold, {
    message: 'driftThreshold must be ≥ warningThreshold',
    path: ['driftThreshold'],
  });
type DdmConfig = z.output<typeof configSchema>;

const snapshotSchema = z.object({
  version: z.literal(1),
  kind: z.literal('DDM'),
  config: configSchema,
  state: z.object({
    n: z.number().int().min(0),
    p: z.number().min(0).max(1),
    pMin: z.number().nullable(),
    sMin: z.number().nullable(),
    psMin: z.number().or(z.literal('Infinity')),
    warningDetected: z.boolean(),
    driftDetected: z.boolean(),
  }),
});

/** Saved form of a {@link DDM}. */
export type DdmSnapshot = DetectorSnapshot<'DDM', DdmConfig, z.output<typeof snapshotSchema>['state']>;

/** DDM (Gama et al. 2004): error rate p and its binomial deviation s against their recorded minimum. */
export class DDM implements BinaryDriftDetector {
  readonly kind = 'DDM';
  readonly binary = true;
  private config: DdmConfig;
  private n = 0;
  private p = 0;
  private pMin: number | null = null;
  private sMin: number | null = null;
  private psMin = Infinity;
  private warning = false;
  private drift = false;

  constructor(options: DdmOptions = {}) {
    this.config = parseAt(configSchema, options, 'options', 'config');
  }

  /** True only right after the update that detected a drift. */
  get driftDetected(): boolean {
    return this.drift;
  }
  /** True while p + s is above the warning level. */
  get warningDetected(): boolean {
    return this.warning;
  }
  /** Error rate since the last reset. */
  get errorRate(): number {
    return this.p;
  }

  /** Feed one outcome: 1 (or true) = error. */
  update(x: number | boolean): this {
    const e = checkBinary(x);
    if (this.drift) this.reset();
    this.n += 1;
    this.p += (1 / this.n) * (e - this.p);
    const p = this.p;
    const s = Math.sqrt((p * (1 - p)) / this.n);
    const c = this.config;
    if (this.n > c.warmStart) {
      if (p + s <= this.psMin) {
        this.pMin = p;
        this.sMin = s;
        this.psMin = p + s;
      }
      const pMin = this.pMin!;
      const sMin = this.sMin!;
      this.warning = p + s > pMin + c.warningThreshold * sMin;
      if (p + s > pMin + c.driftThreshold * sMin) {
        this.drift = true;
        this.warning = false;
      }
    }
    return this;
  }

  /** Forget everything seen so far. */
  reset(): void {
    this.n = 0;
    this.p = 0;
    this.pMin = null;
    this.sMin = null;
    this.psMin = Infinity;
    this.warning = false;
    this.drift = false;
  }

  /** Versioned copy of configuration and state. */
  snapshot(): DdmSnapshot {
    return {
      version: 1,
      kind: 'DDM',
      config: { ...this.config },
      state: {
        n: this.n,
        p: this.p,
        pMin: this.pMin,
        sMin: this.sMin,
        psMin: this.psMin === Infinity ? 'Infinity' : this.psMin,
        warningDetected: this.warning,
        driftDetected: this.drift,
      },
    };
  }

  /** Load a snapshot written by {@link DDM.snapshot}. */
  restore(snapshot: unknown): this {
    const s = parseSnapshot(snapshotSchema, snapshot, 'DDM');
    this.config = s.config;
    this.n = s.state.n;
    this.p = s.state.p;
    this.pMin = s.state.pMin;
    this.sMin = s.state.sMin;
    this.psMin = s.state.psMin === 'Infinity' ? Infinity : s.state.psMin;
    this.warning = s.state.warningDetected;
    this.drift = s.state.driftDetected;
    return this;
  }

  /** A new detector from a snapshot. */
  static fromSnapshot(snapshot: unknown): DDM {
    return new DDM().restore(snapshot);
  }
}
