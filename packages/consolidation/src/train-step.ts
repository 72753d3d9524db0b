import { z } from 'zod';
import {
  InvalidArgumentError,
  InvalidConfigError,
  LockedError,
  Rng,
  ShapeError,
  float32ArraySchema,
  paramCount,
  parseAt,
  rngStateSchema,
  type RngState,
} from '@retain/core';
import { type DistillOptions, type InitScheme, type Kernels, type LossGradArgs, initParams } from '@retain/kernels';
import { type Batch, checkBatch } from './batch.js';
import { type GrowFill, checkNewClasses, growOutputBuffer } from './grow-output.js';
import { grownSizes, modelSpecSchema, sameSizes, seedSchema } from './model-spec.js';
import { Optimizer, type OptimizerSnapshot, optimizerConfigSchema } from './optimizer.js';
import { parseSnapshot } from './parse-snapshot.js';
import type { Regularizer } from './regularizer.js';

/** zod schema of the plain part of a TrainStep configuration. */
export const trainStepConfigSchema = z
  .object({
    model: modelSpecSchema,
    optimizer: optimizerConfigSchema,
    /** Inverted dropout on hidden layers during training steps; a fresh mask seed per step from the Rng. */
    dropout: z.number().min(0).lt(1).default(0),
    /** How θ (when not given) and new output units are drawn: `initParams`' schemes of @retain/kernels. */
    init: z.enum(['auto', 'he', 'glorot', 'torch']).default('auto'),
    /** Seed of the Rng that initializes θ (when not given), draws dropout seeds and new output units. */
    seed: seedSchema.default(0),
  })
  .strict();

/** Options of {@link TrainStep}. */
export interface TrainStepOptions extends z.input<typeof trainStepConfigSchema> {
  kernels: Kernels;
  /** Initial θ in the fixed layout (copied); `initParams` of @retain/kernels from `seed` when absent. */
  params?: Float32Array;
  /** Composable parts of the objective, applied in order; names must be unique. */
  regularizers?: readonly Regularizer[];
}

/** What one step cost and did. `perExampleLoss` is a view valid until the next step. */
export interface StepResult {
  /** Task loss + distillation + every penalty. */
  loss: number;
  /** (1/B)·Σ wᵢ·ℓᵢ, the weighted cross-entropy. */
  taskLoss: number;
  /** The fused distillation term (0 without a teacher). */
  distillLoss: number;
  /** Sum of the regularizers' penalties. */
  penalty: number;
  /** Each penalty by regularizer name. */
  penalties: Record<string, number>;
  /** Global gradient norm before clipping (0 from `gradient`, which does not update). */
  gradNorm: number;
  /** Unweighted cross-entropy of each example (replay priorities). */
  perExampleLoss: Float32Array;
  /**
   * The logits of this step's forward pass, `batch × classes` (masked entries −∞; with dropout when training),
   * a view valid until the next step: what dark experience replay stores with each new example.
   */
  logits: Float32Array;
  /**
   * True when the loss was not finite (diverging training, an extreme input): the update was skipped, so θ,
   * the optimizer and the regularizers' path integrals are as they were before the step.
   */
  skipped: boolean;
}

const trainStepSnapshotSchema = z.object({
  version: z.literal(1),
  sizes: z.array(z.number().int().min(1)).min(2),
  activation: z.enum(['relu', 'tanh']),
  params: float32ArraySchema,
  optimizer: z.unknown(),
  rng: rngStateSchema,
  steps: z.number().int().min(0),
  regularizers: z.record(z.string(), z.unknown()),
});
/** Saved training state: θ, optimizer, Rng, step count and each regularizer's snapshot by name. */
export interface TrainStepSnapshot {
  version: 1;
  sizes: number[];
  activation: 'relu' | 'tanh';
  params: Float32Array;
  optimizer: OptimizerSnapshot;
  rng: RngState;
  steps: number;
  regularizers: Record<string, unknown>;
}

/**
 * The one training step of retain: forward/backward on a batch through the kernels (weights, masks, dropout,
 * fused distillation), every regularizer's penalty and gradient, then the optimizer update. Ordinary learning
 * and the sleep phase both call it. Buffers are sized once and regrown only when the batch grows.
 */
export class TrainStep {
  readonly kernels: Kernels;
  readonly optimizer: Optimizer;
  readonly regularizers: readonly Regularizer[];
  readonly dropout: number;
  private sizesValue: number[];
  private readonly activation: 'relu' | 'tanh';
  private paramsValue: Float32Array;
  private readonly init: InitScheme;
  private grad: Float32Array;
  private perExample = new Float32Array(0);
  private logitsOut = new Float32Array(0);
  private rng: Rng;
  private stepCount = 0;
  private skippedCount = 0;
  private busy = false;

  constructor(options: TrainStepOptions) {
    const { kernels, params, regularizers = [], ...plain } = options;
    const config = parseAt(trainStepConfigSchema, plain, 'trainStep', 'config');
    if (!kernels || typeof kernels.lossGrad !== 'function') throw new InvalidConfigError('trainStep.kernels', 'must be a Kernels instance');
    this.kernels = kernels;
    this.sizesValue = config.model.sizes.slice();
    this.activation = config.model.activation;
    this.dropout = config.dropout;
    this.rng = new Rng(config.seed);
    const n = paramCount(this.sizesValue);
    if (params !== undefined && !(params instanceof Float32Array)) throw new InvalidConfigError('trainStep.params', 'must be a Float32Array');
    if (params !== undefined && params.length !== n) throw new ShapeError('trainStep.params', n, params.length);
    const names = new Set<string>();
    regularizers.forEach((r, i) => {
      if (names.has(r.name)) throw new InvalidConfigError(`trainStep.regularizers[${i}].name`, `duplicate name ${r.name}`);
      names.add(r.name);
      if (!sameSizes(r.sizes, this.sizesValue)) {
        throw new InvalidConfigError(`trainStep.regularizers[${i}].sizes`, `[${r.sizes.join(', ')}] differ from the model's [${this.sizesValue.join(', ')}]`);
      }
    });
    this.optimizer = new Optimizer(config.optimizer, n, 'trainStep.optimizer');
    this.regularizers = regularizers.slice();
    const optimizer = this.optimizer;
    for (const r of this.regularizers) r.bindStepSize?.(() => (optimizer.config.kind === 'sgd' ? optimizer.lr : null));
    this.init = config.init;
    this.paramsValue = params ? params.slice() : initParams(this.sizesValue, this.rng, this.activation, this.init);
    this.grad = new Float32Array(n);
  }

  /** Live θ (replaced by `growOutput` and `restore`; read it again after those). */
  get params(): Float32Array {
    return this.paramsValue;
  }

  /** The total gradient of the last `step`/`gradient` call (live buffer). */
  get lastGradient(): Float32Array {
    return this.grad;
  }

  /** Current layer sizes. */
  get sizes(): readonly number[] {
    return this.sizesValue;
  }

  /** Steps skipped because their loss was not finite (counted since construction; not part of snapshots). */
  get skippedSteps(): number {
    return this.skippedCount;
  }

  /** Optimizer updates applied. */
  get steps(): number {
    return this.stepCount;
  }

  /** One update on `batch`: loss and gradient, penalties, optimizer. */
  step(batch: Batch): StepResult {
    this.enter();
    try {
      this.checkStepBatch(batch);
      for (const r of this.regularizers) r.observe?.(batch);
      const distill = this.teacher(batch);
      const args = this.lossArgs(batch, distill, true);
      const loss = this.kernels.lossGrad(args);
      const result = this.afterLoss(batch, loss);
      for (const r of this.regularizers) r.beforeUpdate?.(this.paramsValue, this.grad);
      const penalty = this.penalties(result);
      if (!Number.isFinite(loss + penalty)) return this.skip(result, penalty);
      for (const r of this.regularizers) r.beforeOptimizer?.(this.paramsValue, this.grad);
      result.gradNorm = this.optimizer.step(this.kernels, this.paramsValue, this.grad);
      for (const r of this.regularizers) r.afterUpdate?.(this.paramsValue);
      this.stepCount++;
      result.penalty = penalty;
      result.loss += penalty;
      return result;
    } finally {
      this.busy = false;
    }
  }

  /** {@link TrainStep.step} through the kernels' async variants; one step at a time (LockedError otherwise). */
  async stepAsync(batch: Batch): Promise<StepResult> {
    this.enter();
    try {
      this.checkStepBatch(batch);
      for (const r of this.regularizers) r.observe?.(batch);
      let distill: DistillOptions | undefined = batch.teacher;
      for (const r of this.regularizers) {
        const d = r.teacherAsync ? await r.teacherAsync(batch) : r.teacher?.(batch);
        distill = this.oneTeacher(distill, d, r);
      }
      const args = this.lossArgs(batch, distill, true);
      const loss = await this.kernels.lossGradAsync(args);
      const result = this.afterLoss(batch, loss);
      for (const r of this.regularizers) r.beforeUpdate?.(this.paramsValue, this.grad);
      let penalty = 0;
      for (const r of this.regularizers) {
        const p = r.penaltyGradAsync
          ? await r.penaltyGradAsync(this.paramsValue, this.grad)
          : r.penaltyGrad?.(this.paramsValue, this.grad);
        if (p !== undefined) {
          result.penalties[r.name] = p;
          penalty += p;
        }
      }
      if (!Number.isFinite(loss + penalty)) return this.skip(result, penalty);
      for (const r of this.regularizers) r.beforeOptimizer?.(this.paramsValue, this.grad);
      result.gradNorm = await this.optimizer.stepAsync(this.kernels, this.paramsValue, this.grad);
      for (const r of this.regularizers) r.afterUpdate?.(this.paramsValue);
      this.stepCount++;
      result.penalty = penalty;
      result.loss += penalty;
      return result;
    } finally {
      this.busy = false;
    }
  }

  /**
   * The total loss and its gradient (into the buffer `lastGradient` returns) at the current θ, without dropout
   * and without updating anything: for evaluation and gradient checks.
   */
  gradient(batch: Batch): StepResult {
    this.enter();
    try {
      this.checkStepBatch(batch);
      const loss = this.kernels.lossGrad(this.lossArgs(batch, this.teacher(batch), false));
      const result = this.afterLoss(batch, loss);
      result.penalty = this.penalties(result);
      result.loss += result.penalty;
      return result;
    } finally {
      this.busy = false;
    }
  }

  /**
   * Add `newClasses` output units: θ's new rows/bias from `fill` (default a fresh draw from the step's Rng,
   * `initParams`' scheme), and every per-parameter buffer (optimizer moments, Fisher, anchors, ω/Ω, teacher) carried.
   */
  growOutput(newClasses: number, fill: GrowFill = this.rng): void {
    checkNewClasses(newClasses);
    if (this.busy) throw new LockedError('trainStep', 'a step is running');
    const old = this.sizesValue;
    const params = growOutputBuffer(old, this.paramsValue, newClasses, fill, this.activation, this.init);
    this.optimizer.growOutput(old, newClasses);
    for (const r of this.regularizers) r.growOutput(newClasses, params);
    this.paramsValue = params;
    this.grad = new Float32Array(params.length);
    this.sizesValue = grownSizes(old, newClasses);
  }

  /** A copy of the whole training state, regularizers included. */
  snapshot(): TrainStepSnapshot {
    const regularizers: Record<string, unknown> = {};
    for (const r of this.regularizers) regularizers[r.name] = r.snapshot();
    return {
      version: 1,
      sizes: this.sizesValue.slice(),
      activation: this.activation,
      params: this.paramsValue.slice(),
      optimizer: this.optimizer.snapshot(),
      rng: this.rng.getState(),
      steps: this.stepCount,
      regularizers,
    };
  }

  /** Restore a {@link TrainStep.snapshot}; on any error every part keeps its previous state. */
  restore(snapshot: unknown): void {
    if (this.busy) throw new LockedError('trainStep', 'a step is running');
    const s = parseSnapshot(trainStepSnapshotSchema, snapshot, 'trainStep');
    if (s.activation !== this.activation) throw new InvalidArgumentError('trainStep.activation', `snapshot is ${s.activation}`);
    const n = paramCount(s.sizes);
    if (s.params.length !== n) throw new ShapeError('trainStep.params', n, s.params.length);
    for (const r of this.regularizers) {
      if (!(r.name in s.regularizers)) throw new InvalidArgumentError(`trainStep.regularizers.${r.name}`, 'missing from the snapshot');
    }
    const rng = Rng.fromState(s.rng);
    const before = this.regularizers.map((r) => r.snapshot());
    const optimizerBefore = this.optimizer.snapshot();
    try {
      this.optimizer.restore(s.optimizer, n);
      for (const r of this.regularizers) {
        r.restore(s.regularizers[r.name]);
        if (!sameSizes(r.sizes, s.sizes)) throw new InvalidArgumentError(`trainStep.regularizers.${r.name}.sizes`, 'differ from the snapshot θ');
      }
    } catch (err) {
      this.optimizer.restore(optimizerBefore, this.paramsValue.length);
      this.regularizers.forEach((r, i) => r.restore(before[i]));
      throw err;
    }
    this.sizesValue = s.sizes.slice();
    this.paramsValue = s.params.slice();
    this.grad = new Float32Array(n);
    this.rng = rng;
    this.stepCount = s.steps;
  }

  private classes(): number {
    return this.sizesValue[this.sizesValue.length - 1]!;
  }

  private enter(): void {
    if (this.busy) throw new LockedError('trainStep', 'a step is already running; await it first');
    this.busy = true;
  }

  private teacher(batch: Batch): DistillOptions | undefined {
    let distill: DistillOptions | undefined = batch.teacher;
    for (const r of this.regularizers) distill = this.oneTeacher(distill, r.teacher?.(batch), r);
    return distill;
  }

  private oneTeacher(have: DistillOptions | undefined, next: DistillOptions | undefined, r: Regularizer): DistillOptions | undefined {
    if (have && next) throw new InvalidConfigError(`trainStep.regularizers.${r.name}`, 'only one regularizer may supply a distillation teacher');
    return next ?? have;
  }

  /** Checks the batch, and that a batch teacher meets no regularizer that supplies teachers (before any is observed). */
  private checkStepBatch(batch: Batch): void {
    checkBatch(batch, this.sizesValue[0]!, this.classes());
    if (batch.teacher === undefined) return;
    const r = this.regularizers.find((x) => x.teacher !== undefined || x.teacherAsync !== undefined);
    if (r) throw new InvalidConfigError(`trainStep.regularizers.${r.name}`, 'supplies the distillation teacher; a batch cannot bring its own (batch.teacher)');
  }

  private lossArgs(batch: Batch, distill: DistillOptions | undefined, training: boolean): LossGradArgs {
    if (this.perExample.length < batch.batch) this.perExample = new Float32Array(batch.batch);
    const cells = batch.batch * this.classes();
    if (this.logitsOut.length < cells) this.logitsOut = new Float32Array(cells);
    const args: LossGradArgs = {
      sizes: this.sizesValue,
      activation: this.activation,
      params: this.paramsValue,
      x: batch.x,
      batch: batch.batch,
      targets: batch.targets,
      grad: this.grad,
      perExampleLoss: this.perExample.subarray(0, batch.batch),
      logits: this.logitsOut.subarray(0, cells),
    };
    if (batch.weights) args.weights = batch.weights;
    if (batch.outputMask) args.outputMask = batch.outputMask;
    if (distill) args.distill = distill;
    // The seed is drawn only after the batch passed every check, so a rejected batch leaves the Rng as it was.
    if (training && this.dropout > 0) args.dropout = { rate: this.dropout, seed: this.rng.nextU32() };
    return args;
  }

  private afterLoss(batch: Batch, loss: number): StepResult {
    const per = this.perExample.subarray(0, batch.batch);
    let task = 0;
    for (let i = 0; i < batch.batch; i++) task += (batch.weights ? batch.weights[i]! : 1) * per[i]!;
    task /= batch.batch;
    const logits = this.logitsOut.subarray(0, batch.batch * this.classes());
    return { loss, taskLoss: task, distillLoss: loss - task, penalty: 0, penalties: {}, gradNorm: 0, perExampleLoss: per, logits, skipped: false };
  }

  private skip(result: StepResult, penalty: number): StepResult {
    this.skippedCount++;
    result.penalty = penalty;
    result.loss += penalty;
    result.skipped = true;
    return result;
  }

  private penalties(result: StepResult): number {
    let penalty = 0;
    for (const r of this.regularizers) {
      if (!r.penaltyGrad) continue;
      const p = r.penaltyGrad(this.paramsValue, this.grad);
      result.penalties[r.name] = p;
      penalty += p;
    }
    return penalty;
  }
}
