import { z } from 'zod';
import { InvalidArgumentError, LockedError, Rng, parseAt, rngStateSchema } from '@retain/core';
import { BatchBuffer, type Batch, type EncodedExample } from './batch.js';
import type { ConsolidationScheduler } from './consolidation-scheduler.js';
import type { Distillation } from './distillation.js';
import type { EWC } from './ewc.js';
import { seedSchema } from './model-spec.js';
import { parseSnapshot } from './parse-snapshot.js';
import type { SynapticIntelligence } from './synaptic-intelligence.js';
import type { TrainStep } from './train-step.js';

/** zod schema of the sleep-phase configuration. */
export const consolidatorConfigSchema = z
  .object({
    /** Training steps per consolidation. */
    steps: z.number().int().min(0).default(50),
    batchSize: z.number().int().min(1).default(32),
    /** Share of each batch drawn from `sample` (replay); the rest comes from `recent`. */
    replayFraction: z.number().min(0).max(1).default(0.5),
    /** Recompute the EWC Fisher every k-th consolidation (the anchors move every time). */
    fisherEvery: z.number().int().min(1).default(1),
    /** Replayed examples added to `recent` for the Fisher estimate. */
    fisherSamples: z.number().int().min(0).default(256),
    /** Seed of the Rng that orders the recent examples. */
    seed: seedSchema.default(0),
  })
  .strict();
/** Sleep-phase configuration as written by the user. */
export type ConsolidatorConfig = z.input<typeof consolidatorConfigSchema>;

/** The parts a consolidation touches; only `trainStep` is required. */
export interface ConsolidatorParts {
  trainStep: TrainStep;
  ewc?: EWC;
  si?: SynapticIntelligence;
  distillation?: Distillation;
  scheduler?: ConsolidationScheduler;
}

/** What a consolidation is given by its caller. */
export interface ConsolidateInput {
  /** Up to `n` replayed examples (fewer is fine). */
  sample: (n: number) => readonly EncodedExample[];
  /** The examples seen since the last consolidation. */
  recent: readonly EncodedExample[];
  /** Persist the consolidated state; called last. */
  checkpoint?: () => void | Promise<void>;
}

/** What one consolidation did. */
export interface ConsolidationReport {
  /** 0-based index of this consolidation. */
  index: number;
  steps: number;
  examplesTrained: number;
  /** Mean total loss over the steps (NaN with no steps). */
  meanLoss: number;
  lastLoss: number;
  fisherRefreshed: boolean;
  fisherExamples: number;
  durationMs: number;
}

const consolidatorSnapshotSchema = z.object({ version: z.literal(1), count: z.number().int().min(0), rng: rngStateSchema });
/** Saved sleep-phase state: how many consolidations ran and the ordering Rng. */
export type ConsolidatorSnapshot = z.output<typeof consolidatorSnapshotSchema>;

/**
 * The sleep phase: train on a replay/recent mix with the one TrainStep, refresh the EWC Fisher every k-th time
 * (otherwise move its anchor), snapshot the distillation teacher, close the SI task, mark the scheduler, then
 * checkpoint.
 */
export class Consolidator {
  readonly config: z.output<typeof consolidatorConfigSchema>;
  private rng: Rng;
  private count = 0;
  private busy = false;
  private readonly trainBuffer: BatchBuffer;
  private readonly fisherBuffer: BatchBuffer;
  private readonly mix: EncodedExample[] = [];

  constructor(private readonly parts: ConsolidatorParts, config: ConsolidatorConfig = {}) {
    this.config = parseAt(consolidatorConfigSchema, config, 'consolidator', 'config');
    this.rng = new Rng(this.config.seed);
    const inputs = parts.trainStep.sizes[0]!;
    this.trainBuffer = new BatchBuffer(inputs);
    this.fisherBuffer = new BatchBuffer(inputs);
  }

  /** Consolidations run so far. */
  get consolidations(): number {
    return this.count;
  }

  /** Run one consolidation with the synchronous kernels; `checkpoint` must not return a promise. */
  consolidate(input: ConsolidateInput): ConsolidationReport {
    const t0 = performance.now();
    if (input?.checkpoint?.constructor?.name === 'AsyncFunction') {
      throw new InvalidArgumentError('checkpoint', 'is async: use consolidateAsync');
    }
    this.enter(input);
    try {
      const { trainStep } = this.parts;
      const order = this.order(input.recent.length);
      let total = 0;
      let last = Number.NaN;
      let trained = 0;
      let steps = 0;
      for (let s = 0; s < this.config.steps; s++) {
        const batch = this.nextBatch(input, order, s);
        if (!batch) break;
        last = trainStep.step(batch).loss;
        total += last;
        trained += batch.batch;
        steps++;
      }
      const fisher = this.fisherData(input);
      const refresh = this.parts.ewc ? this.refreshDue(fisher) : false;
      if (this.parts.ewc) {
        if (refresh) this.parts.ewc.consolidate(trainStep.params, fisher!);
        else if (this.parts.ewc.taskCount > 0) this.parts.ewc.moveAnchor(trainStep.params);
      }
      const report = this.finish(steps, trained, total, last, refresh, fisher, t0);
      const pending = input.checkpoint?.();
      if (pending instanceof Promise) throw new InvalidArgumentError('checkpoint', 'returned a promise: use consolidateAsync');
      return report;
    } finally {
      this.busy = false;
    }
  }

  /** {@link Consolidator.consolidate} with the async kernels; awaits `checkpoint`. */
  async consolidateAsync(input: ConsolidateInput): Promise<ConsolidationReport> {
    const t0 = performance.now();
    this.enter(input);
    try {
      const { trainStep } = this.parts;
      const order = this.order(input.recent.length);
      let total = 0;
      let last = Number.NaN;
      let trained = 0;
      let steps = 0;
      for (let s = 0; s < this.config.steps; s++) {
        const batch = this.nextBatch(input, order, s);
        if (!batch) break;
        last = (await trainStep.stepAsync(batch)).loss;
        total += last;
        trained += batch.batch;
        steps++;
      }
      const fisher = this.fisherData(input);
      const refresh = this.parts.ewc ? this.refreshDue(fisher) : false;
      if (this.parts.ewc) {
        if (refresh) await this.parts.ewc.consolidateAsync(trainStep.params, fisher!);
        else if (this.parts.ewc.taskCount > 0) this.parts.ewc.moveAnchor(trainStep.params);
      }
      const report = this.finish(steps, trained, total, last, refresh, fisher, t0);
      await input.checkpoint?.();
      return report;
    } finally {
      this.busy = false;
    }
  }

  /** A copy of the state. */
  snapshot(): ConsolidatorSnapshot {
    return { version: 1, count: this.count, rng: this.rng.getState() };
  }

  /** Restore a {@link Consolidator.snapshot}. */
  restore(snapshot: unknown): void {
    const s = parseSnapshot(consolidatorSnapshotSchema, snapshot, 'consolidator');
    this.rng = Rng.fromState(s.rng);
    this.count = s.count;
  }

  private enter(input: ConsolidateInput): void {
    if (this.busy) throw new LockedError('consolidator', 'a consolidation is running');
    if (typeof input?.sample !== 'function') throw new InvalidArgumentError('input.sample', 'must be a function (n) => examples');
    if (!Array.isArray(input.recent)) throw new InvalidArgumentError('input.recent', 'must be an array of examples');
    if (input.checkpoint !== undefined && typeof input.checkpoint !== 'function') {
      throw new InvalidArgumentError('input.checkpoint', 'must be a function');
    }
    this.busy = true;
  }

  /** A shuffled visiting order of the recent examples (drawn from the saved Rng). */
  private order(n: number): Uint32Array {
    const order = new Uint32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    this.rng.shuffle(order);
    return order;
  }

  /** Batch `s`: `replayFraction` from `sample`, the rest cycling through the shuffled recent examples. */
  private nextBatch(input: ConsolidateInput, order: Uint32Array, s: number): Batch | undefined {
    const size = this.config.batchSize;
    const recent = input.recent;
    const wantReplay = recent.length === 0 ? size : Math.round(size * this.config.replayFraction);
    const mix = this.mix;
    mix.length = 0;
    if (wantReplay > 0) {
      const replayed = input.sample(wantReplay);
      for (let i = 0; i < replayed.length && i < wantReplay; i++) mix.push(replayed[i]!);
    }
    if (recent.length > 0) {
      const fromRecent = size - mix.length;
      const base = s * (size - wantReplay);
      for (let i = 0; i < fromRecent; i++) mix.push(recent[order[(base + i) % recent.length]!]!);
    }
    if (mix.length === 0) return undefined;
    return this.trainBuffer.pack(mix, this.parts.trainStep.sizes.at(-1)!, 'consolidation batch');
  }

  private fisherData(input: ConsolidateInput): Batch | undefined {
    if (!this.parts.ewc) return undefined;
    const all = this.mix;
    all.length = 0;
    for (const e of input.recent) all.push(e);
    if (this.config.fisherSamples > 0) for (const e of input.sample(this.config.fisherSamples).slice(0, this.config.fisherSamples)) all.push(e);
    if (all.length === 0) return undefined;
    return this.fisherBuffer.pack(all, this.parts.trainStep.sizes.at(-1)!, 'fisher examples');
  }

  private refreshDue(fisher: Batch | undefined): boolean {
    if (!fisher) return false;
    return this.count % this.config.fisherEvery === 0 || this.parts.ewc!.taskCount === 0;
  }

  private finish(steps: number, trained: number, total: number, last: number, refresh: boolean, fisher: Batch | undefined, t0: number): ConsolidationReport {
    const { trainStep, distillation, si, scheduler } = this.parts;
    distillation?.takeTeacher(trainStep.params);
    si?.closeTask(trainStep.params);
    scheduler?.markConsolidated();
    const index = this.count++;
    return {
      index,
      steps,
      examplesTrained: trained,
      meanLoss: steps > 0 ? total / steps : Number.NaN,
      lastLoss: last,
      fisherRefreshed: refresh,
      fisherExamples: refresh && fisher ? fisher.batch : 0,
      durationMs: performance.now() - t0,
    };
  }
}
