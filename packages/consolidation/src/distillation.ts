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
  /** Absent in snapshots from before the teacher's classes were tracked: the term then uses the batch's mask. */
  classes: z
    .object({
      /** Classes trained on without an output mask (class- and domain-incremental). */
      seen: z.instanceof(Uint8Array),
      /** Distinct output masks trained under (task-incremental heads), each `classes` long. */
      heads: z.array(z.instanceof(Uint8Array)),
      /** The current teacher's softmax group per class, or null (the batch's mask). */
      groups: z.instanceof(Int32Array).nullable(),
    })
    .optional(),
});
/** Saved distillation state: the frozen teacher (or null before the first consolidation). */
export type DistillationSnapshot = z.output<typeof distillationSnapshotSchema>;

/**
 * Learning without Forgetting: a frozen copy of θ taken at consolidation acts as teacher; each step its logits
 * on the batch feed the kernels' fused distillation term α·T²·KL(teacher ‖ student).
 *
 * The term covers the outputs the teacher was trained on, not the batch's: every output mask seen in training
 * is a head (task-incremental), whose classes form one softmax group; the classes trained on without a mask
 * (class- and domain-incremental) form one more. The term is the mean of the groups' KLs (van de Ven & Tolias's
 * LwF), so a new task's outputs are free to learn and the old ones are held to the teacher. Before any batch
 * was observed the term falls back to the batch's allowed classes.
 */
export class Distillation implements Regularizer {
  readonly name = 'distillation';
  readonly config: z.output<typeof distillationConfigSchema>;
  private sizesValue: number[];
  private teacherParams: Float32Array | null = null;
  private logits = new Float32Array(0);
  private weightValue: number;
  private seen: Uint8Array;
  private heads: Uint8Array[] = [];
  private groups: Int32Array | null = null;

  constructor(private readonly kernels: Kernels, config: DistillationConfig) {
    this.config = parseAt(distillationConfigSchema, config, 'distillation', 'config');
    this.sizesValue = this.config.model.sizes.slice();
    this.weightValue = this.config.weight;
    this.seen = new Uint8Array(this.classes());
  }

  /** The current teacher's distillation group per class (−1: no term), or null (the batch's allowed classes). */
  get classGroups(): Int32Array | null {
    return this.groups ? this.groups.slice() : null;
  }

  /** Record the classes and output heads a training batch uses. */
  observe(batch: Batch): void {
    const C = this.classes();
    const mask = batch.outputMask;
    let last = -1;
    for (let i = 0; i < batch.batch; i++) {
      if (!mask) {
        this.seen[batch.targets[i]!] = 1;
        continue;
      }
      const row = mask.subarray(i * C, (i + 1) * C);
      if (last >= 0 && sameBytes(this.heads[last]!, row)) continue;
      last = this.heads.findIndex((h) => sameBytes(h, row));
      if (last < 0) {
        this.heads.push(row.slice());
        last = this.heads.length - 1;
      }
    }
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
    this.groups = this.buildGroups();
  }

  /** Teacher logits on `batch` for the fused term (undefined before the first teacher or at weight 0). */
  teacher(batch: Batch): DistillOptions | undefined {
    if (!this.teacherParams || this.weightValue === 0) return undefined;
    const logits = this.reserve(batch.batch);
    this.kernels.forward(this.forwardArgs(batch, logits));
    return this.options(logits);
  }

  /** {@link Distillation.teacher} through the async kernel. */
  async teacherAsync(batch: Batch): Promise<DistillOptions | undefined> {
    if (!this.teacherParams || this.weightValue === 0) return undefined;
    const logits = this.reserve(batch.batch);
    await this.kernels.forwardAsync(this.forwardArgs(batch, logits));
    return this.options(logits);
  }

  /** The teacher never saw the new classes: zero weights and a bias of {@link UNSEEN_CLASS_LOGIT}. */
  growOutput(newClasses: number, params: Float32Array): void {
    checkNewClasses(newClasses);
    const next = grownSizes(this.sizesValue, newClasses);
    if (params.length !== paramCount(next)) throw new ShapeError('params', paramCount(next), params.length);
    if (this.teacherParams) {
      this.teacherParams = growOutputBuffer(this.sizesValue, this.teacherParams, newClasses, { weight: 0, bias: UNSEEN_CLASS_LOGIT });
    }
    const C = this.classes();
    const widen = <T extends Uint8Array | Int32Array>(a: T, fill: number): T => {
      const out = new (a.constructor as new (n: number) => T)(C + newClasses);
      out.set(a);
      out.fill(fill, C);
      return out;
    };
    this.seen = widen(this.seen, 0);
    this.heads = this.heads.map((h) => widen(h, 0));
    if (this.groups) this.groups = widen(this.groups, -1);
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
      classes: { seen: this.seen.slice(), heads: this.heads.map((h) => h.slice()), groups: this.groups ? this.groups.slice() : null },
    };
  }

  /** Restore a {@link Distillation.snapshot}; its sizes are adopted. */
  restore(snapshot: unknown): void {
    const s = parseSnapshot(distillationSnapshotSchema, snapshot, 'distillation');
    if (s.sizes.length !== this.sizesValue.length) throw new InvalidArgumentError('distillation.sizes', 'a different number of layers');
    const n = paramCount(s.sizes);
    if (s.teacher && s.teacher.length !== n) throw new ShapeError('distillation.teacher', n, s.teacher.length);
    const C = s.sizes[s.sizes.length - 1]!;
    const k = s.classes;
    if (k) {
      if (k.seen.length !== C) throw new ShapeError('distillation.classes.seen', C, k.seen.length);
      k.heads.forEach((h, i) => {
        if (h.length !== C) throw new ShapeError(`distillation.classes.heads[${i}]`, C, h.length);
      });
      if (k.groups && k.groups.length !== C) throw new ShapeError('distillation.classes.groups', C, k.groups.length);
    }
    this.sizesValue = s.sizes.slice();
    this.weightValue = s.weight;
    this.teacherParams = s.teacher ? s.teacher.slice() : null;
    this.seen = k ? k.seen.slice() : new Uint8Array(C);
    this.heads = k ? k.heads.map((h) => h.slice()) : [];
    this.groups = k?.groups ? k.groups.slice() : null;
  }

  private classes(): number {
    return this.sizesValue[this.sizesValue.length - 1]!;
  }

  /** Each head's classes one group (first come, first kept), then the unmasked classes one more; null if none. */
  private buildGroups(): Int32Array | null {
    if (this.heads.length === 0 && !this.seen.includes(1)) return null;
    const groups = new Int32Array(this.classes()).fill(-1);
    let id = 0;
    for (const head of this.heads) {
      let used = false;
      head.forEach((on, c) => {
        if (on && groups[c] === -1) {
          groups[c] = id;
          used = true;
        }
      });
      if (used) id++;
    }
    this.seen.forEach((on, c) => {
      if (on && groups[c] === -1) groups[c] = id;
    });
    return groups;
  }

  private options(logits: Float32Array): DistillOptions {
    return {
      teacherLogits: logits,
      temperature: this.config.temperature,
      weight: this.weightValue,
      ...(this.groups ? { classGroups: this.groups } : {}),
    };
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
      // Grouped, the term reads the teacher's logits of masked-out (old) heads too.
      ...(batch.outputMask && !this.groups ? { outputMask: batch.outputMask } : {}),
    };
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
