import { z } from 'zod';
import { InvalidArgumentError, Rng, ShapeError, float32ArraySchema, paramCount, parseAt, rngStateSchema } from '@retain/core';
import type { Kernels } from '@retain/kernels';
import { CurvatureLimit } from './curvature-limit.js';
import { FisherEstimator, type FisherData } from './fisher.js';
import { checkNewClasses, copyNewOutputs, growOutputBuffer } from './grow-output.js';
import { grownSizes, modelSpecSchema, seedSchema } from './model-spec.js';
import { parseSnapshot } from './parse-snapshot.js';
import type { Regularizer } from './regularizer.js';

/** zod schema of the EWC configuration. */
export const ewcConfigSchema = z
  .object({
    model: modelSpecSchema,
    /** `separate`: one (F, θ*) per consolidation, penalties summed. `online`: F ← γF + F_new, θ* ← θ. */
    mode: z.enum(['separate', 'online']).default('online'),
    /** Penalty strength λ in Σ ½λF(θ−θ*)² (per-example mean Fisher; Avalanche's λ does not transfer). */
    lambda: z.number().finite().min(0),
    /** Online decay γ of the running Fisher. */
    gamma: z.number().min(0).max(1).default(1),
    fisher: z.enum(['empirical', 'predicted', 'expected']).default('empirical'),
    /** Examples per kernel call while estimating the Fisher. */
    chunkSize: z.number().int().min(1).default(256),
    /** Seed of the Rng that draws `predicted` labels. */
    seed: seedSchema.default(0),
    /**
     * `separate` mode: at most this many (F, θ*) pairs; beyond it the two oldest merge into one with
     * F = F₁ + F₂ and θ* = (F₁θ₁* + F₂θ₂*)/(F₁ + F₂), which leaves the gradient exactly as it was (the
     * penalty changes by a constant). Bounds memory at maxTasks × 2 × params floats.
     */
    maxTasks: z.number().int().min(1).optional(),
  })
  .strict();
/** EWC configuration as written by the user. */
export type EwcConfig = z.input<typeof ewcConfigSchema>;

const ewcSnapshotSchema = z.object({
  version: z.literal(1),
  sizes: z.array(z.number().int().min(1)).min(2),
  mode: z.enum(['separate', 'online']),
  lambda: z.number().finite().min(0),
  tasks: z.array(z.object({ fisher: float32ArraySchema, anchor: float32ArraySchema })),
  rng: rngStateSchema,
});
/** Saved EWC state: every (Fisher, anchor) pair and the label-sampling Rng. */
export type EwcSnapshot = z.output<typeof ewcSnapshotSchema>;

interface EwcTask {
  fisher: Float32Array;
  anchor: Float32Array;
}

/**
 * Elastic weight consolidation (Kirkpatrick 2017; online form, Schwarz 2018): penalty Σ ½λF(θ−θ*)² with a
 * mean diagonal Fisher F from the kernels, computed and applied through the kernels' fused EWC function.
 */
export class EWC implements Regularizer {
  readonly name = 'ewc';
  readonly config: z.output<typeof ewcConfigSchema>;
  private sizesValue: number[];
  private lambdaValue: number;
  private tasks: EwcTask[] = [];
  private rng: Rng;
  private readonly estimator: FisherEstimator;
  private scratch: Float32Array;
  private readonly limit = new CurvatureLimit();

  constructor(private readonly kernels: Kernels, config: EwcConfig) {
    this.config = parseAt(ewcConfigSchema, config, 'ewc', 'config');
    this.sizesValue = this.config.model.sizes.slice();
    this.lambdaValue = this.config.lambda;
    this.rng = new Rng(this.config.seed);
    this.estimator = new FisherEstimator(kernels, this.config.fisher, this.config.chunkSize);
    this.scratch = new Float32Array(paramCount(this.sizesValue));
  }

  /** Current layer sizes (the output layer widens through `growOutput`). */
  get sizes(): readonly number[] {
    return this.sizesValue;
  }

  /** Number of (Fisher, anchor) pairs held: consolidations in `separate` mode, at most 1 in `online`. */
  get taskCount(): number {
    return this.tasks.length;
  }

  /** Penalty strength λ. */
  get lambda(): number {
    return this.lambdaValue;
  }

  set lambda(value: number) {
    if (!(value >= 0) || !Number.isFinite(value)) throw new InvalidArgumentError('lambda', `must be finite and ≥ 0, got ${value}`);
    this.lambdaValue = value;
  }

  /** A copy of task `i`'s mean Fisher and anchor θ*. */
  task(i: number): { fisher: Float32Array; anchor: Float32Array } {
    const t = this.tasks[i];
    if (!t) throw new InvalidArgumentError('i', `no task ${i}; ${this.tasks.length} held`);
    return { fisher: t.fisher.slice(), anchor: t.anchor.slice() };
  }

  /** The mean diagonal Fisher of `params` over `data` (into `out` when given). */
  computeFisher(params: Float32Array, data: FisherData, out?: Float32Array): Float32Array {
    const fisher = this.fisherOut(params, out);
    this.estimator.mean(this.sizesValue, this.config.model.activation, params, data, this.rng, fisher);
    return fisher;
  }

  /** {@link EWC.computeFisher} through the kernels' async variants. */
  async computeFisherAsync(params: Float32Array, data: FisherData, out?: Float32Array): Promise<Float32Array> {
    const fisher = this.fisherOut(params, out);
    await this.estimator.meanAsync(this.sizesValue, this.config.model.activation, params, data, this.rng, fisher);
    return fisher;
  }

  /** Compute the Fisher over `data` and consolidate: `separate` adds a task, `online` merges into the running F. */
  consolidate(params: Float32Array, data: FisherData): void {
    this.addTask(params, this.computeFisher(params, data, this.scratch));
  }

  /** {@link EWC.consolidate} with the async kernels. */
  async consolidateAsync(params: Float32Array, data: FisherData): Promise<void> {
    this.addTask(params, await this.computeFisherAsync(params, data, this.scratch));
  }

  /** Consolidate with a precomputed mean Fisher: push (F, θ) (`separate`) or F ← γF + F_new, θ* ← θ (`online`). */
  addTask(params: Float32Array, fisher: Float32Array): void {
    const n = this.scratch.length;
    if (params.length !== n) throw new ShapeError('params', n, params.length);
    if (fisher.length !== n) throw new ShapeError('fisher', n, fisher.length);
    const online = this.tasks[0];
    if (this.config.mode === 'online' && online) {
      const g = this.config.gamma;
      for (let i = 0; i < n; i++) online.fisher[i] = g * online.fisher[i]! + fisher[i]!;
      online.anchor.set(params);
    } else {
      this.tasks.push({ fisher: fisher.slice(), anchor: params.slice() });
      const max = this.config.maxTasks;
      if (max !== undefined && this.tasks.length > max) this.mergeOldest();
    }
    this.limit.apply(this.tasks.map((t) => t.fisher), this.lambdaValue);
  }

  /** See {@link Regularizer.bindStepSize}: with SGD, Σ_tasks λF ≤ 1/lr on every coordinate after each consolidation. */
  bindStepSize(stepSize: () => number | null): void {
    this.limit.bind(stepSize);
  }

  /** Fisher entries the last consolidation capped so that an SGD step cannot overshoot the anchor (0 with Adam). */
  get curvatureClamped(): number {
    return this.limit.capped;
  }

  /** Move the newest anchor to θ without refreshing the Fisher (consolidations between Fisher refreshes). */
  moveAnchor(params: Float32Array): void {
    const last = this.tasks[this.tasks.length - 1];
    if (!last) throw new InvalidArgumentError('ewc', 'no Fisher yet: consolidate with data first');
    if (params.length !== last.anchor.length) throw new ShapeError('params', last.anchor.length, params.length);
    last.anchor.set(params);
  }

  /** Σ_tasks ½λF(θ−θ*)², its gradient added into `grad` by the kernels' fused EWC function. */
  penaltyGrad(params: Float32Array, grad: Float32Array): number {
    if (this.lambdaValue === 0) return 0;
    let penalty = 0;
    for (const t of this.tasks) {
      penalty += this.kernels.ewcPenaltyGrad({ params, anchor: t.anchor, fisher: t.fisher, lambda: this.lambdaValue, grad });
    }
    return penalty;
  }

  /** {@link EWC.penaltyGrad} through the async kernel. */
  async penaltyGradAsync(params: Float32Array, grad: Float32Array): Promise<number> {
    if (this.lambdaValue === 0) return 0;
    let penalty = 0;
    for (const t of this.tasks) {
      penalty += await this.kernels.ewcPenaltyGradAsync({ params, anchor: t.anchor, fisher: t.fisher, lambda: this.lambdaValue, grad });
    }
    return penalty;
  }

  /** New outputs get Fisher 0 (no importance yet) and the new θ as anchor. */
  growOutput(newClasses: number, params: Float32Array): void {
    checkNewClasses(newClasses);
    const next = grownSizes(this.sizesValue, newClasses);
    if (params.length !== paramCount(next)) throw new ShapeError('params', paramCount(next), params.length);
    const old = this.sizesValue;
    this.tasks = this.tasks.map((t) => {
      const anchor = growOutputBuffer(old, t.anchor, newClasses, 0);
      copyNewOutputs(next, newClasses, params, anchor);
      return { fisher: growOutputBuffer(old, t.fisher, newClasses, 0), anchor };
    });
    this.sizesValue = next;
    this.scratch = new Float32Array(params.length);
  }

  /** A copy of the state. */
  snapshot(): EwcSnapshot {
    return {
      version: 1,
      sizes: this.sizesValue.slice(),
      mode: this.config.mode,
      lambda: this.lambdaValue,
      tasks: this.tasks.map((t) => ({ fisher: t.fisher.slice(), anchor: t.anchor.slice() })),
      rng: this.rng.getState(),
    };
  }

  /** Restore an {@link EWC.snapshot}; the snapshot's sizes are adopted (a checkpoint may postdate growth). */
  restore(snapshot: unknown): void {
    const s = parseSnapshot(ewcSnapshotSchema, snapshot, 'ewc');
    if (s.mode !== this.config.mode) throw new InvalidArgumentError('ewc.mode', `snapshot is ${s.mode}, EWC is ${this.config.mode}`);
    if (s.sizes.length !== this.sizesValue.length) throw new InvalidArgumentError('ewc.sizes', 'a different number of layers');
    const n = paramCount(s.sizes);
    s.tasks.forEach((t, i) => {
      if (t.fisher.length !== n) throw new ShapeError(`ewc.tasks[${i}].fisher`, n, t.fisher.length);
      if (t.anchor.length !== n) throw new ShapeError(`ewc.tasks[${i}].anchor`, n, t.anchor.length);
    });
    if (s.mode === 'online' && s.tasks.length > 1) throw new InvalidArgumentError('ewc.tasks', 'online EWC holds at most one task');
    this.sizesValue = s.sizes.slice();
    this.lambdaValue = s.lambda;
    this.tasks = s.tasks.map((t) => ({ fisher: t.fisher.slice(), anchor: t.anchor.slice() }));
    this.rng = Rng.fromState(s.rng);
    this.scratch = new Float32Array(n);
  }

  /** Fold task 0 into task 1: the sum of two quadratics is one quadratic plus a constant. */
  private mergeOldest(): void {
    const [a, b] = this.tasks as [EwcTask, EwcTask];
    for (let i = 0; i < a.fisher.length; i++) {
      const fa = a.fisher[i]!;
      const fb = b.fisher[i]!;
      const f = fa + fb;
      if (f > 0) b.anchor[i] = (fa * a.anchor[i]! + fb * b.anchor[i]!) / f;
      b.fisher[i] = f;
    }
    this.tasks.shift();
  }

  private fisherOut(params: Float32Array, out: Float32Array | undefined): Float32Array {
    const n = this.scratch.length;
    if (params.length !== n) throw new ShapeError('params', n, params.length);
    const fisher = out ?? new Float32Array(n);
    if (fisher.length !== n) throw new ShapeError('out', n, fisher.length);
    return fisher;
  }
}
