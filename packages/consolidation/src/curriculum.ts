import { z } from 'zod';
import { InvalidArgumentError, parseAt } from '@retain/core';
import { parseSnapshot } from './parse-snapshot.js';

/** zod schema of the curriculum configuration. */
export const curriculumConfigSchema = z
  .object({
    /** Accuracy on the current level that admits the next one. */
    threshold: z.number().gt(0).max(1),
    /** Outcomes the accuracy is measured over (the most recent ones at the current level). */
    window: z.number().int().min(1).default(100),
    /** Outcomes needed at a level before it can be passed (default: the window). */
    minExamples: z.number().int().min(1).optional(),
    /** First admitted level. */
    startLevel: z.number().int().default(0),
    /** Highest level; admission stops there. */
    maxLevel: z.number().int().optional(),
  })
  .strict()
  .refine((c) => c.maxLevel === undefined || c.maxLevel >= c.startLevel, { message: 'must be ≥ startLevel', path: ['maxLevel'] })
  .refine((c) => c.minExamples === undefined || c.minExamples <= c.window, { message: 'must be ≤ window', path: ['minExamples'] });
/** Curriculum configuration as written by the user. */
export type CurriculumConfig = z.input<typeof curriculumConfigSchema>;

const curriculumSnapshotSchema = z.object({
  version: z.literal(1),
  level: z.number().int(),
  outcomes: z.instanceof(Uint8Array),
  count: z.number().int().min(0),
  head: z.number().int().min(0),
});
/** Saved curriculum state: the admitted level and the outcome window. */
export type CurriculumSnapshot = z.output<typeof curriculumSnapshotSchema>;

/**
 * Incremental curriculum: examples carry a `level` (absent = the start level); levels up to the current one
 * are admitted, and the next is admitted once accuracy over the recent outcomes at the current level passes
 * the threshold.
 */
export class Curriculum {
  readonly config: z.output<typeof curriculumConfigSchema>;
  private levelValue: number;
  private outcomes: Uint8Array;
  private count = 0;
  private head = 0;
  private correct = 0;

  constructor(config: CurriculumConfig) {
    this.config = parseAt(curriculumConfigSchema, config, 'curriculum', 'config');
    this.levelValue = this.config.startLevel;
    this.outcomes = new Uint8Array(this.config.window);
  }

  /** The highest admitted level. */
  get level(): number {
    return this.levelValue;
  }

  /** Accuracy over the window at the current level (NaN before any outcome). */
  get accuracy(): number {
    return this.count === 0 ? Number.NaN : this.correct / this.count;
  }

  /** Whether an example of `level` may be trained on now. */
  admits(level: number | undefined): boolean {
    return (level ?? this.config.startLevel) <= this.levelValue;
  }

  /** The admitted subset of `examples`, order kept. */
  filter<T extends { level?: number | undefined }>(examples: readonly T[]): T[] {
    return examples.filter((e) => this.admits(e.level));
  }

  /** Record a prediction outcome; returns true when it admitted the next level. */
  record(level: number | undefined, correct: boolean): boolean {
    const l = level ?? this.config.startLevel;
    if (!Number.isInteger(l)) throw new InvalidArgumentError('level', `must be an integer, got ${String(level)}`);
    // Only outcomes at the frontier count: easier levels passing says nothing about the current one.
    if (l !== this.levelValue) return false;
    const w = this.config.window;
    if (this.count === w) this.correct -= this.outcomes[this.head]!;
    else this.count++;
    this.outcomes[this.head] = correct ? 1 : 0;
    this.correct += correct ? 1 : 0;
    this.head = (this.head + 1) % w;
    const need = this.config.minExamples ?? w;
    const max = this.config.maxLevel;
    if (this.count >= need && this.correct / this.count >= this.config.threshold && (max === undefined || this.levelValue < max)) {
      this.levelValue++;
      this.count = 0;
      this.head = 0;
      this.correct = 0;
      return true;
    }
    return false;
  }

  /** A copy of the state. */
  snapshot(): CurriculumSnapshot {
    return { version: 1, level: this.levelValue, outcomes: this.outcomes.slice(), count: this.count, head: this.head };
  }

  /** Restore a {@link Curriculum.snapshot}. */
  restore(snapshot: unknown): void {
    const s = parseSnapshot(curriculumSnapshotSchema, snapshot, 'curriculum');
    const w = this.config.window;
    if (s.outcomes.length !== w) throw new InvalidArgumentError('curriculum.outcomes', `length ${s.outcomes.length}, window is ${w}`);
    if (s.count > w || s.head >= w) throw new InvalidArgumentError('curriculum.count', 'outside the window');
    this.levelValue = s.level;
    this.outcomes = s.outcomes.slice();
    this.count = s.count;
    this.head = s.head;
    let correct = 0;
    // Only the filled part of the ring counts: it is the first `count` slots until the ring wraps.
    for (let i = 0; i < s.count; i++) correct += this.outcomes[i]!;
    this.correct = correct;
  }
}
