import { z } from 'zod';
import { InvalidArgumentError, parseAt } from '@retain/core';
import { parseSnapshot } from './parse-snapshot.js';

/** zod schema of the scheduler configuration; every trigger is optional, the first one due wins. */
export const schedulerConfigSchema = z
  .object({
    /** Due after this many examples since the last consolidation. */
    everyExamples: z.number().int().min(1).optional(),
    /** Due after this many ticks of the logical clock (training steps). */
    everySteps: z.number().int().min(1).optional(),
    /** Due after this many milliseconds of wall-clock time. */
    everyMs: z.number().positive().finite().optional(),
    /** Due as soon as a drift signal arrives. */
    onDrift: z.boolean().default(true),
  })
  .strict();
/** Scheduler configuration as written by the user. */
export type SchedulerConfig = z.input<typeof schedulerConfigSchema>;

/** Why a consolidation is due. */
export type ConsolidationReason = 'examples' | 'steps' | 'time' | 'drift';

const schedulerSnapshotSchema = z.object({
  version: z.literal(1),
  examples: z.number().int().min(0),
  steps: z.number().int().min(0),
  lastAt: z.number().finite(),
  drift: z.boolean(),
  consolidations: z.number().int().min(0),
});
/** Saved scheduler state: counters since the last consolidation and its wall-clock time. */
export type SchedulerSnapshot = z.output<typeof schedulerSnapshotSchema>;

/** Decides when to sleep: after N examples, N logical steps, a wall-clock duration or a drift signal. */
export class ConsolidationScheduler {
  readonly config: z.output<typeof schedulerConfigSchema>;
  private examples = 0;
  private steps = 0;
  private drift = false;
  private lastAt: number;
  private count = 0;

  /** `now` is the wall clock in ms (injectable for tests and simulations). */
  constructor(config: SchedulerConfig, private readonly now: () => number = Date.now) {
    this.config = parseAt(schedulerConfigSchema, config, 'scheduler', 'config');
    this.lastAt = now();
  }

  /** Count `n` examples seen. */
  observe(n = 1): void {
    checkCount(n);
    this.examples += n;
  }

  /** Advance the logical clock by `n` steps. */
  tick(n = 1): void {
    checkCount(n);
    this.steps += n;
  }

  /** A drift detector fired. */
  signalDrift(): void {
    this.drift = true;
  }

  /** The first trigger that is due (drift, examples, steps, time), or null. */
  reason(): ConsolidationReason | null {
    const c = this.config;
    if (c.onDrift && this.drift) return 'drift';
    if (c.everyExamples !== undefined && this.examples >= c.everyExamples) return 'examples';
    if (c.everySteps !== undefined && this.steps >= c.everySteps) return 'steps';
    if (c.everyMs !== undefined && this.now() - this.lastAt >= c.everyMs) return 'time';
    return null;
  }

  /** Whether a consolidation is due. */
  shouldConsolidate(): boolean {
    return this.reason() !== null;
  }

  /** Reset every trigger after a consolidation. */
  markConsolidated(): void {
    this.examples = 0;
    this.steps = 0;
    this.drift = false;
    this.lastAt = this.now();
    this.count++;
  }

  /** Consolidations marked so far. */
  get consolidations(): number {
    return this.count;
  }

  /** A copy of the state. */
  snapshot(): SchedulerSnapshot {
    return { version: 1, examples: this.examples, steps: this.steps, lastAt: this.lastAt, drift: this.drift, consolidations: this.count };
  }

  /** Restore a {@link ConsolidationScheduler.snapshot}. */
  restore(snapshot: unknown): void {
    const s = parseSnapshot(schedulerSnapshotSchema, snapshot, 'scheduler');
    this.examples = s.examples;
    this.steps = s.steps;
    this.lastAt = s.lastAt;
    this.drift = s.drift;
    this.count = s.consolidations;
  }
}

function checkCount(n: number): void {
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('n', `must be an integer ≥ 0, got ${String(n)}`);
}
