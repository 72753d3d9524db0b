import { z } from 'zod';
import { InvalidArgumentError, ShapeError, float32ArraySchema, parseAt } from '@retain/core';
import type { Kernels } from '@retain/kernels';
import { growOutputBuffer } from './grow-output.js';
import { parseSnapshot } from './parse-snapshot.js';

const lr = z.number().positive().finite();
const decay = z.number().min(0).finite().default(0);
const clip = z.number().min(0).finite().default(0);

const sgdSchema = z
  .object({
    kind: z.literal('sgd'),
    lr,
    momentum: z.number().min(0).lt(1).default(0),
    nesterov: z.boolean().default(false),
    weightDecay: decay,
    clipNorm: clip,
  })
  .strict()
  .refine((c) => !c.nesterov || c.momentum > 0, { message: 'nesterov needs momentum > 0', path: ['nesterov'] });

const adamSchema = z
  .object({
    kind: z.literal('adam'),
    lr,
    beta1: z.number().min(0).lt(1).default(0.9),
    beta2: z.number().min(0).lt(1).default(0.999),
    eps: z.number().positive().finite().default(1e-8),
    weightDecay: decay,
    clipNorm: clip,
  })
  .strict();

/** zod schema of an optimizer configuration (`sgd` with momentum/Nesterov, or `adam`; both clip by global norm). */
export const optimizerConfigSchema = z.discriminatedUnion('kind', [sgdSchema, adamSchema]);
/** Optimizer configuration as the user writes it (defaults filled in by the schema). */
export type OptimizerConfig = z.input<typeof optimizerConfigSchema>;
/** Optimizer configuration with every default resolved. */
export type ResolvedOptimizerConfig = z.output<typeof optimizerConfigSchema>;

const optimizerSnapshotSchema = z.object({
  version: z.literal(1),
  kind: z.enum(['sgd', 'adam']),
  lr: lr,
  step: z.number().int().min(0),
  velocity: float32ArraySchema.nullable(),
  m: float32ArraySchema.nullable(),
  v: float32ArraySchema.nullable(),
});
/** Saved optimizer state: step count, learning rate and moment buffers. */
export type OptimizerSnapshot = z.output<typeof optimizerSnapshotSchema>;

/** SGD or Adam state over one flat parameter vector, updated through the kernels. */
export class Optimizer {
  readonly config: ResolvedOptimizerConfig;
  private lrValue: number;
  private stepCount = 0;
  private velocity: Float32Array | null;
  private m: Float32Array | null;
  private v: Float32Array | null;

  constructor(config: OptimizerConfig, private paramLength: number, field = 'optimizer') {
    this.config = parseAt(optimizerConfigSchema, config, field, 'config');
    this.lrValue = this.config.lr;
    const usesVelocity = this.config.kind === 'sgd' && this.config.momentum > 0;
    this.velocity = usesVelocity ? new Float32Array(paramLength) : null;
    this.m = this.config.kind === 'adam' ? new Float32Array(paramLength) : null;
    this.v = this.config.kind === 'adam' ? new Float32Array(paramLength) : null;
  }

  /** Number of updates applied. */
  get steps(): number {
    return this.stepCount;
  }

  /** Current learning rate. */
  get lr(): number {
    return this.lrValue;
  }

  /** Change the learning rate (schedules, a gentler sleep phase). */
  set lr(value: number) {
    if (!(value > 0) || !Number.isFinite(value)) throw new InvalidArgumentError('lr', `must be finite and > 0, got ${value}`);
    this.lrValue = value;
  }

  /** Apply one update in place; returns the global gradient norm before clipping. */
  step(kernels: Kernels, params: Float32Array, grad: Float32Array): number {
    const norm = this.config.kind === 'sgd' ? kernels.sgdStep(this.sgdArgs(params, grad)) : kernels.adamStep(this.adamArgs(params, grad));
    this.stepCount++;
    return norm;
  }

  /** {@link Optimizer.step} through the kernels' async variant; do not touch the arrays until it settles. */
  async stepAsync(kernels: Kernels, params: Float32Array, grad: Float32Array): Promise<number> {
    const norm =
      this.config.kind === 'sgd'
        ? await kernels.sgdStepAsync(this.sgdArgs(params, grad))
        : await kernels.adamStepAsync(this.adamArgs(params, grad));
    this.stepCount++;
    return norm;
  }

  /** Widen the moment buffers for `newClasses` more outputs (new entries start at zero). */
  growOutput(sizes: readonly number[], newClasses: number): void {
    if (this.velocity) this.velocity = growOutputBuffer(sizes, this.velocity, newClasses, 0);
    if (this.m) this.m = growOutputBuffer(sizes, this.m, newClasses, 0);
    if (this.v) this.v = growOutputBuffer(sizes, this.v, newClasses, 0);
    this.paramLength += newClasses * (sizes[sizes.length - 2]! + 1);
  }

  /** A copy of the state (versioned plain structure with typed arrays). */
  snapshot(): OptimizerSnapshot {
    return {
      version: 1,
      kind: this.config.kind,
      lr: this.lrValue,
      step: this.stepCount,
      velocity: this.velocity ? this.velocity.slice() : null,
      m: this.m ? this.m.slice() : null,
      v: this.v ? this.v.slice() : null,
    };
  }

  /** Restore a {@link Optimizer.snapshot} taken for a parameter vector of `paramLength` entries. */
  restore(snapshot: unknown, paramLength = this.paramLength): void {
    const s = parseSnapshot(optimizerSnapshotSchema, snapshot, 'optimizer');
    if (s.kind !== this.config.kind) throw new InvalidArgumentError('optimizer.kind', `snapshot is ${s.kind}, optimizer is ${this.config.kind}`);
    for (const [name, mine, theirs] of [
      ['velocity', this.velocity, s.velocity],
      ['m', this.m, s.m],
      ['v', this.v, s.v],
    ] as const) {
      if ((mine === null) !== (theirs === null)) throw new InvalidArgumentError(`optimizer.${name}`, 'present in one of snapshot and optimizer only');
      if (theirs && theirs.length !== paramLength) throw new ShapeError(`optimizer.${name}`, paramLength, theirs.length);
    }
    this.lrValue = s.lr;
    this.stepCount = s.step;
    this.velocity = s.velocity ? s.velocity.slice() : null;
    this.m = s.m ? s.m.slice() : null;
    this.v = s.v ? s.v.slice() : null;
    this.paramLength = paramLength;
  }

  private sgdArgs(params: Float32Array, grad: Float32Array) {
    const c = this.config as z.output<typeof sgdSchema>;
    return {
      params,
      grad,
      lr: this.lrValue,
      momentum: c.momentum,
      nesterov: c.nesterov,
      weightDecay: c.weightDecay,
      clipNorm: c.clipNorm,
      ...(this.velocity ? { velocity: this.velocity } : {}),
    };
  }

  private adamArgs(params: Float32Array, grad: Float32Array) {
    const c = this.config as z.output<typeof adamSchema>;
    return {
      params,
      grad,
      m: this.m!,
      v: this.v!,
      step: this.stepCount + 1,
      lr: this.lrValue,
      beta1: c.beta1,
      beta2: c.beta2,
      eps: c.eps,
      weightDecay: c.weightDecay,
      clipNorm: c.clipNorm,
    };
  }
}
