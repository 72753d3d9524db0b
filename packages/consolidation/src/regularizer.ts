import type { DistillOptions } from '@retain/kernels';
import type { Batch } from './batch.js';

/**
 * One composable part of the training objective (EWC, SI, distillation, your own). TrainStep calls the
 * hooks it implements, in this order each step: `observe` (the training batch), `teacher` (a fused distillation term for the kernels'
 * lossGrad), `beforeUpdate` (sees the data gradient), `penaltyGrad` (adds its gradient), `beforeOptimizer` (sees the total
 * gradient), then the optimizer update, then `afterUpdate`. Every per-parameter buffer it holds follows the model through `growOutput`.
 */
export interface Regularizer {
  /** Unique name; the key of its penalty in step results and of its state in TrainStep snapshots. */
  readonly name: string;
  /** Layer sizes of the model it regularizes. */
  readonly sizes: readonly number[];
  /** Sees every training batch before its step (not the batches of `TrainStep.gradient`). */
  observe?(batch: Batch): void;
  /** Teacher logits and settings for this batch's fused distillation term, or undefined for none. */
  teacher?(batch: Batch): DistillOptions | undefined;
  /** Async form of `teacher`. */
  teacherAsync?(batch: Batch): Promise<DistillOptions | undefined>;
  /** Adds d(penalty)/dθ into `grad` and returns the penalty. */
  penaltyGrad?(params: Float32Array, grad: Float32Array): number;
  /** Async form of `penaltyGrad`. */
  penaltyGradAsync?(params: Float32Array, grad: Float32Array): Promise<number>;
  /** Called with θ before the update and the gradient of the data loss (cross-entropy + distillation). */
  beforeUpdate?(params: Float32Array, dataGrad: Float32Array): void;
  /** Called with θ and the total gradient (data loss + every penalty) right before the optimizer update. */
  beforeOptimizer?(params: Float32Array, totalGrad: Float32Array): void;
  /** Called with θ after the update. */
  afterUpdate?(params: Float32Array): void;
  /**
   * TrainStep calls this once with a getter of its plain-gradient step size: SGD's learning rate, or null for
   * Adam (whose per-coordinate scaling keeps a penalty's step bounded). A quadratic penalty with coefficient k
   * on a coordinate diverges under an explicit step of size s when s·k > 2; a regularizer that supports this
   * caps its coefficients at 1/s whenever it adds importance, so a penalty step never overshoots its anchor.
   */
  bindStepSize?(stepSize: () => number | null): void;
  /** Widen every per-parameter buffer for `newClasses` more outputs; `params` is the already grown θ. */
  growOutput(newClasses: number, params: Float32Array): void;
  /** Versioned plain copy of the state. */
  snapshot(): unknown;
  /** Restore a snapshot; throws a typed error and keeps the state when it does not fit. */
  restore(snapshot: unknown): void;
}
