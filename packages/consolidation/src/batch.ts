import { InvalidArgumentError, InvalidExampleError, ShapeError } from '@retain/core';
import type { DistillOptions } from '@retain/kernels';

/** A training batch in the kernels' layout (row-major, `batch` examples). */
export interface Batch {
  /** `batch × inputs` features. */
  x: Float32Array;
  /** Class index per example, `batch` long. */
  targets: Int32Array;
  batch: number;
  /** Per-example weights (importance or replay weighting), `batch` long. */
  weights?: Float32Array | undefined;
  /** `batch × classes`, nonzero where the class is allowed. */
  outputMask?: Uint8Array | undefined;
  /**
   * Distillation targets that come with the batch instead of from a regularizer: dark experience replay's
   * logits stored with the replayed examples (`rowWeights` 0 on the rows without any). A batch teacher and a
   * regularizer's teacher (LwF) cannot be combined in one step.
   */
  teacher?: DistillOptions | undefined;
}

/** One example already encoded as numbers: features and a class index (the learner does the encoding). */
export interface EncodedExample {
  x: Float32Array | readonly number[];
  target: number;
  /** Importance weight (prioritized replay), default 1. */
  weight?: number;
  /** Classes this example may be predicted as; all when absent. */
  allowedClasses?: readonly number[];
  /** Curriculum level. */
  level?: number;
}

/** Throws a typed error unless `batch` is well formed for `inputs` features and `classes` outputs. */
export function checkBatch(batch: Batch, inputs: number, classes: number, field = 'batch'): void {
  const n = batch.batch;
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${field}.batch`, `must be an integer ≥ 1, got ${String(n)}`);
  if (!(batch.x instanceof Float32Array)) throw new InvalidArgumentError(`${field}.x`, 'must be a Float32Array');
  if (batch.x.length !== n * inputs) throw new ShapeError(`${field}.x`, n * inputs, batch.x.length);
  if (!(batch.targets instanceof Int32Array)) throw new InvalidArgumentError(`${field}.targets`, 'must be an Int32Array');
  if (batch.targets.length !== n) throw new ShapeError(`${field}.targets`, n, batch.targets.length);
  for (let i = 0; i < n; i++) {
    const t = batch.targets[i]!;
    if (t < 0 || t >= classes) throw new InvalidArgumentError(`${field}.targets[${i}]`, `class ${t} is not in [0, ${classes})`);
  }
  if (batch.weights !== undefined) {
    if (batch.weights.length !== n) throw new ShapeError(`${field}.weights`, n, batch.weights.length);
    for (let i = 0; i < n; i++) {
      const w = batch.weights[i]!;
      if (!(w >= 0) || !Number.isFinite(w)) throw new InvalidArgumentError(`${field}.weights[${i}]`, `must be finite and ≥ 0, got ${w}`);
    }
  }
  const teacher = batch.teacher;
  if (teacher !== undefined) {
    if (!(teacher.teacherLogits instanceof Float32Array)) throw new InvalidArgumentError(`${field}.teacher.teacherLogits`, 'must be a Float32Array');
    if (teacher.teacherLogits.length !== n * classes) throw new ShapeError(`${field}.teacher.teacherLogits`, n * classes, teacher.teacherLogits.length);
    if (teacher.rowWeights !== undefined && teacher.rowWeights.length !== n) throw new ShapeError(`${field}.teacher.rowWeights`, n, teacher.rowWeights.length);
  }
  const mask = batch.outputMask;
  if (mask !== undefined) {
    if (mask.length !== n * classes) throw new ShapeError(`${field}.outputMask`, n * classes, mask.length);
    for (let i = 0; i < n; i++) {
      if (mask[i * classes + batch.targets[i]!] === 0) {
        throw new InvalidArgumentError(`${field}.targets[${i}]`, `class ${batch.targets[i]} is masked out`);
      }
    }
  }
}

/**
 * Packs encoded examples into reusable batch arrays: sized once, regrown only when a larger batch (or a
 * wider output layer) arrives, so steady-state packing allocates nothing but the returned views.
 */
export class BatchBuffer {
  private x = new Float32Array(0);
  private targets = new Int32Array(0);
  private weights = new Float32Array(0);
  private mask = new Uint8Array(0);
  private capacity = 0;

  constructor(readonly inputs: number) {
    if (!Number.isInteger(inputs) || inputs < 1) throw new InvalidArgumentError('inputs', `must be a positive integer, got ${String(inputs)}`);
  }

  /** Pack `examples` for a model with `classes` outputs; the returned views are valid until the next pack. */
  pack(examples: readonly EncodedExample[], classes: number, field = 'examples'): Batch {
    const n = examples.length;
    if (n < 1) throw new InvalidArgumentError(field, 'needs at least one example');
    this.reserve(n, classes);
    let anyWeight = false;
    let anyMask = false;
    for (let i = 0; i < n; i++) {
      const ex = examples[i]!;
      const xs = ex.x;
      if (xs.length !== this.inputs) throw new ShapeError(`${field}[${i}].x`, this.inputs, xs.length);
      const base = i * this.inputs;
      for (let j = 0; j < this.inputs; j++) {
        const v = xs[j]!;
        if (!Number.isFinite(v)) throw new InvalidExampleError(`${field}[${i}].x[${j}]`, `must be finite, got ${v}`);
        this.x[base + j] = v;
      }
      const t = ex.target;
      if (!Number.isInteger(t) || t < 0 || t >= classes) {
        throw new InvalidExampleError(`${field}[${i}].target`, `must be a class index in [0, ${classes}), got ${String(t)}`);
      }
      this.targets[i] = t;
      const w = ex.weight ?? 1;
      if (!Number.isFinite(w) || w < 0) throw new InvalidExampleError(`${field}[${i}].weight`, `must be finite and ≥ 0, got ${w}`);
      this.weights[i] = w;
      if (ex.weight !== undefined) anyWeight = true;
      const row = this.mask.subarray(i * classes, (i + 1) * classes);
      if (ex.allowedClasses === undefined) {
        row.fill(1);
      } else {
        anyMask = true;
        row.fill(0);
        for (const c of ex.allowedClasses) {
          if (!Number.isInteger(c) || c < 0 || c >= classes) {
            throw new InvalidExampleError(`${field}[${i}].allowedClasses`, `class ${String(c)} is not in [0, ${classes})`);
          }
          row[c] = 1;
        }
        if (row[t] === 0) throw new InvalidExampleError(`${field}[${i}].allowedClasses`, `does not allow its target ${t}`);
      }
    }
    return {
      x: this.x.subarray(0, n * this.inputs),
      targets: this.targets.subarray(0, n),
      batch: n,
      weights: anyWeight ? this.weights.subarray(0, n) : undefined,
      outputMask: anyMask ? this.mask.subarray(0, n * classes) : undefined,
    };
  }

  private reserve(n: number, classes: number): void {
    if (n > this.capacity) {
      this.capacity = n;
      this.x = new Float32Array(n * this.inputs);
      this.targets = new Int32Array(n);
      this.weights = new Float32Array(n);
    }
    if (this.mask.length < this.capacity * classes) this.mask = new Uint8Array(this.capacity * classes);
  }
}
