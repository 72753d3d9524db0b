import { z } from 'zod';
import { InvalidArgumentError, ShapeError, float32ArraySchema, paramCount, parseAt } from '@retain/core';
import type { DistillOptions, Kernels } from '@retain/kernels';
import type { Batch } from './batch.js';
import { checkNewClasses, growOutputBuffer } from './grow-output.js';
import { grownSizes, modelSpecSchema } from './model-spec.js';
import { parseSnapshot } from './parse-snapshot.js';
import type { Regularizer } from './regularizer.js';

/**
 * Bias of output units the teacher never had: far enough below any real logit that the teacher's softmax
 * gives them probability 0 at any temperature the config allows (exp underflows in f32).
 */
export const UNSEEN_CLASS_LOGIT = -1e6;

/** zod schema of the distillation (LwF) configuration. */
export const distillationConfigSchema = z
  .object({
    model: modelSpecSchema,
    /** Softmax temperature T (the KL term is scaled by T²). */
    temperature: z.number().positive().max(1000).default(2),
    /** Weight α of α·T²·KL(teacher ‖ student). */
    weight: z.number().finite().min(0).default(1),
  })
  .strict();
/** Distillation configuration as written by the user. */
export type DistillationConfig = z.input<typeof distillationConfigSchema>;

const distillationSnapshotSchema = z.object({
  version: z.literal(1),
  sizes: z.array(z.number().int().min(1)).min(2),
  temperature: z.number().positive(),
  weight: z.number().finite().min(0),
  teacher: float32ArraySchema.nullable(),
});
/** Saved distillation state: the frozen teacher (or null before the first consolidation). */
export type DistillationSnapshot = z.output<typeof distillationSnapshotSchema>;

/**
 * Learning without Forgetting: a frozen copy of θ taken at consolidation acts as teacher; each step its logits
 * on the batch feed the kernels' fused distillation term α·T²·KL(teacher ‖ student).
 */
export class Distillation implements Regularizer {
  readonly name = 'distillation';
  readonly config: z.output<typeof distillationConfigSchema>;
  private sizesValue: number[];
  private teacherParams: Float32Array | null = null;
  private logits = new Float32Array(0);
  private weightValue: number;

  constructor(private readonly kernels: Kernels, config: DistillationConfig) {
    this.config = parseAt(distillationConfigSchema, config, 'distillation', 'config');
    this.sizesValue = this.config.model.sizes.slice();
    this.weightValue = this.config.weight;
  }

  /** Current layer sizes. */
  get sizes(): readonly number[] {
    return this.sizesValue;
  }

  /** Whether a teacher has been taken. */
  get hasTeacher(): boolean {
    return this.teacherParams !== null;
  }

  /** Weight α of the distillation term. */
  get weight(): number {
    return this.weightValue;
  }

  set weight(value: number) {
    if (!(value >= 0) || !Number.isFinite(value)) throw new InvalidArgumentError('weight', `must be finite and ≥ 0, got ${value}`);
    this.weightValue = value;
  }

  /** Freeze a copy of θ as the teacher. */
  takeTeacher(params: Float32Array): void {
    const n = paramCount(this.sizesValue);
    if (params.length !== n) throw new ShapeError('params', n, params.length);
    if (this.teacherParams) this.teacherParams.set(params);
    else this.teacherParams = params.slice();
  }

  /** Teacher logits on `batch` for the fused term (undefined before the first teacher or at weight 0). */
  teacher(batch: Batch): DistillOptions | undefined {
    if (!this.teacherParams || this.weightValue === 0) return undefined;
    const logits = this.reserve(batch.batch);
    this.kernels.forward(this.forwardArgs(batch, logits));
    return { teacherLogits: logits, temperature: this.config.temperature, weight: this.weightValue };
  }

  /** {@link Distillation.teacher} through the async kernel. */
  async teacherAsync(batch: Batch): Promise<DistillOptions | undefined> {
    if (!this.teacherParams || this.weightValue === 0) return undefined;
    const logits = this.reserve(batch.batch);
    await this.kernels.forwardAsync(this.forwardArgs(batch, logits));
    return { teacherLogits: logits, temperature: this.config.temperature, weight: this.weightValue };
  }

  /** The teacher never saw the new classes: zero weights and a bias of {@link UNSEEN_CLASS_LOGIT}. */
  growOutput(newClasses: number, params: Float32Array): void {
    checkNewClasses(newClasses);
    const next = grownSizes(this.sizesValue, newClasses);
    if (params.length !== paramCount(next)) throw new ShapeError('params', paramCount(next), params.length);
    if (this.teacherParams) {
      this.teacherParams = growOutputBuffer(this.sizesValue, this.teacherParams, newClasses, { weight: 0, bias: UNSEEN_CLASS_LOGIT });
    }
    this.sizesValue = next;
  }

  /** A copy of the state. */
  snapshot(): DistillationSnapshot {
    return {
      version: 1,
      sizes: this.sizesValue.slice(),
      temperature: this.config.temperature,
      weight: this.weightValue,
      teacher: this.teacherParams ? this.teacherParams.slice() : null,
    };
  }

  /** Restore a {@link Distillation.snapshot}; its sizes are adopted. */
  restore(snapshot: unknown): void {
    const s = parseSnapshot(distillationSnapshotSchema, snapshot, 'distillation');
    if (s.sizes.length !== this.sizesValue.length) throw new InvalidArgumentError('distillation.sizes', 'a different number of layers');
    const n = paramCount(s.sizes);
    if (s.teacher && s.teacher.length !== n) throw new ShapeError('distillation.teacher', n, s.teacher.length);
    this.sizesValue = s.sizes.slice();
    this.weightValue = s.weight;
    this.teacherParams = s.teacher ? s.teacher.slice() : null;
  }

  private reserve(batch: number): Float32Array {
    const need = batch * this.sizesValue[this.sizesValue.length - 1]!;
    if (this.logits.length < need) this.logits = new Float32Array(need);
    return this.logits.subarray(0, need);
  }

  private forwardArgs(batch: Batch, logits: Float32Array) {
    return {
      sizes: this.sizesValue,
      activation: this.config.model.activation,
      params: this.teacherParams!,
      x: batch.x,
      batch: batch.batch,
      logits,
      ...(batch.outputMask ? { outputMask: batch.outputMask } : {}),
    };
  }
}
