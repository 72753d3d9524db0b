import { z } from 'zod';
import { parseAt } from '@retain/core';
import { checkFinite } from './check-input.js';
import type { DetectorSnapshot, DriftDetector } from './detector.js';
import { parseSnapshot } from './snapshot.js';

/** PeriodicTrigger options. */
export interface PeriodicTriggerOptions {
  /** Fire on every `period`-th update (default 500). */
  period?: number;
}

const configSchema = z.object({ period: z.number().int().min(1).default(500) });
type PeriodicTriggerConfig = z.output<typeof configSchema>;

const snapshotSchema = z.object({
  version: z.literal(1),
  kind: z.literal('PeriodicTrigger'),
  config: configSchema.required(),
  state: z.object({ n: z.number().int().min(0), driftDetected: z.boolean() }),
});

/** Saved form of a {@link PeriodicTrigger}. */
export type PeriodicTriggerSnapshot = DetectorSnapshot<
  'PeriodicTrigger',
  PeriodicTriggerConfig,
  z.output<typeof snapshotSchema>['state']
>;

/**
 * The no-information baseline: "drift" every `period` updates whatever the data say. A detector
 * worth running must beat it on F1 and delay at a comparable false-alarm rate.
 */
export class PeriodicTrigger implements DriftDetector {
  readonly kind = 'PeriodicTrigger';
  private config: PeriodicTriggerConfig;
  private n = 0;
  private drift = false;

  constructor(options: PeriodicTriggerOptions = {}) {
    this.config = parseAt(configSchema, options, 'options', 'config');
  }

  /** True on every `period`-th update. */
  get driftDetected(): boolean {
    return this.drift;
  }
  /** No warning zone. */
  get warningDetected(): boolean {
    return false;
  }

  /** Count one value (validated like every detector's input). */
  update(x: number | boolean): this {
    if (typeof x !== 'boolean') checkFinite(x);
    // Restarting the count after each firing keeps the schedule and the reset-after-drift contract.
    if (this.drift) this.reset();
    this.n += 1;
    this.drift = this.n % this.config.period === 0;
    return this;
  }

  /** Restart the schedule. */
  reset(): void {
    this.n = 0;
    this.drift = false;
  }

  /** Versioned copy of configuration and state. */
  snapshot(): PeriodicTriggerSnapshot {
    return { version: 1, kind: 'PeriodicTrigger', config: { ...this.config }, state: { n: this.n, driftDetected: this.drift } };
  }

  /** Load a snapshot written by {@link PeriodicTrigger.snapshot}. */
  restore(snapshot: unknown): this {
    const s = parseSnapshot(snapshotSchema, snapshot, 'PeriodicTrigger');
    this.config = s.config;
    this.n = s.state.n;
    this.drift = s.state.driftDetected;
    return this;
  }
}
