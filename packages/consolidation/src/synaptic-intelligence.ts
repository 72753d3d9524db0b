import { z } from 'zod';
import { InvalidArgumentError, ShapeError, float32ArraySchema, paramCount, parseAt } from '@retain/core';
import type { Kernels } from '@retain/kernels';
import { CurvatureLimit } from './curvature-limit.js';
import { checkNewClasses, copyNewOutputs, growOutputBuffer } from './grow-output.js';
import { grownSizes, modelSpecSchema } from './model-spec.js';
import { parseSnapshot } from './parse-snapshot.js';
import type { Regularizer } from './regularizer.js';

/** zod schema of the Synaptic Intelligence configuration. */
export const siConfigSchema = z
  .object({
    model: modelSpecSchema,
    /** Strength c of the penalty c·Σ Ω(θ − θ*)². */
    c: z.number().finite().min(0),
    /** Damping ξ in Ω += ω/((Δθ)² + ξ). */
    xi: z.number().positive().finite().default(0.1),
    /** Drop negative per-task importances (ω < 0 means the path moved uphill); off in the paper. */
    clampNegative: z.boolean().default(false),
    /**
     * The gradient g in ω −= g·Δθ: `data` (default) the data loss's, as Zenke et al.'s code; `total` the loss
     * with every penalty, SI's own included, as van de Ven & Tolias's code (p.grad after the total backward).
     */
    gradient: z.enum(['data', 'total']).default('data'),
  })
  .strict();
/** Synaptic Intelligence configuration as written by the user. */
export type SiConfig = z.input<typeof siConfigSchema>;

const siSnapshotSchema = z.object({
  version: z.literal(1),
  sizes: z.array(z.number().int().min(1)).min(2),
  c: z.number().finite().min(0),
  started: z.boolean(),
  tasksClosed: z.number().int().min(0),
  omega: float32ArraySchema,
  importance: float32ArraySchema,
  anchor: float32ArraySchema,
});
/** Saved SI state: running ω, importance Ω, the anchor θ* and the task count. */
export type SiSnapshot = z.output<typeof siSnapshotSchema>;

/**
 * Synaptic Intelligence (Zenke 2017): each update adds −g·Δθ to the path integral ω (g the data-loss gradient,
 * Δθ the update); closing a task adds ω/((θ − θ*)² + ξ) to the importance Ω and moves θ* to θ; the penalty
 * c·Σ Ω(θ − θ*)² runs through the kernels' fused EWC function (λ = 2c, F = Ω).
 */
export class SynapticIntelligence implements Regularizer {
  readonly name = 'si';
  readonly config: z.output<typeof siConfigSchema>;
  private sizesValue: number[];
  private cValue: number;
  private started = false;
  private closed = 0;
  private omega: Float32Array;
  private importanceBuf: Float32Array;
  private anchor: Float32Array;
  private prev: Float32Array;
  private grad: Float32Array;
  private readonly limit = new CurvatureLimit();

  constructor(private readonly kernels: Kernels, config: SiConfig) {
    this.config = parseAt(siConfigSchema, config, 'si', 'config');
    this.sizesValue = this.config.model.sizes.slice();
    this.cValue = this.config.c;
    const n = paramCount(this.sizesValue);
    this.omega = new Float32Array(n);
    this.importanceBuf = new Float32Array(n);
    this.anchor = new Float32Array(n);
    this.prev = new Float32Array(n);
    this.grad = new Float32Array(n);
  }

  /** Current layer sizes. */
  get sizes(): readonly number[] {
    return this.sizesValue;
  }

  /** Tasks closed so far. */
  get tasksClosed(): number {
    return this.closed;
  }

  /** Penalty strength c. */
  get c(): number {
    return this.cValue;
  }

  set c(value: number) {
    if (!(value >= 0) || !Number.isFinite(value)) throw new InvalidArgumentError('c', `must be finite and ≥ 0, got ${value}`);
    this.cValue = value;
  }

  /** Copies of the running path integral ω, the importance Ω and the anchor θ*. */
  state(): { omega: Float32Array; importance: Float32Array; anchor: Float32Array } {
    return { omega: this.omega.slice(), importance: this.importanceBuf.slice(), anchor: this.anchor.slice() };
  }

  /** Start the current task at θ (done lazily by the first update when not called). */
  begin(params: Float32Array): void {
    this.checkLength(params, 'params');
    this.anchor.set(params);
    this.started = true;
  }

  /** Remember θ and (gradient `data`) the data gradient g of this step. */
  beforeUpdate(params: Float32Array, dataGrad: Float32Array): void {
    if (!this.started) this.begin(params);
    this.prev.set(params);
    if (this.config.gradient === 'data') this.grad.set(dataGrad);
  }

  /** Gradient `total`: remember the gradient with every penalty as g. */
  beforeOptimizer(_params: Float32Array, totalGrad: Float32Array): void {
    if (this.config.gradient === 'total') this.grad.set(totalGrad);
  }

  /** ω += −g·(θ_after − θ_before), through the kernels (native: threaded, the same float32 bits as ts). */
  afterUpdate(params: Float32Array): void {
    this.kernels.siAccumulate({ omega: this.omega, grad: this.grad, before: this.prev, after: params });
  }

  /** Close the task at θ: Ω += ω/((θ − θ*)² + ξ), ω ← 0, θ* ← θ. */
  closeTask(params: Float32Array): void {
    this.checkLength(params, 'params');
    if (this.started) {
      const { omega, anchor } = this;
      const imp = this.importanceBuf;
      const xi = this.config.xi;
      for (let i = 0; i < omega.length; i++) {
        const d = params[i]! - anchor[i]!;
        const add = omega[i]! / (d * d + xi);
        imp[i] = imp[i]! + (this.config.clampNegative && add < 0 ? 0 : add);
      }
      this.closed++;
      this.limit.apply([this.importanceBuf], 2 * this.cValue);
    }
    this.omega.fill(0);
    this.anchor.set(params);
    this.started = true;
  }

  /** See {@link Regularizer.bindStepSize}: with SGD, 2cΩ ≤ 1/lr on every coordinate after each closed task. */
  bindStepSize(stepSize: () => number | null): void {
    this.limit.bind(stepSize);
  }

  /** Importances the last closed task capped so that an SGD step cannot overshoot the anchor (0 with Adam). */
  get curvatureClamped(): number {
    return this.limit.capped;
  }

  /** c·Σ Ω(θ − θ*)², gradient 2cΩ(θ − θ*) added into `grad`. */
  penaltyGrad(params: Float32Array, grad: Float32Array): number {
    if (this.closed === 0 || this.cValue === 0) return 0;
    return this.kernels.ewcPenaltyGrad({ params, anchor: this.anchor, fisher: this.importanceBuf, lambda: 2 * this.cValue, grad });
  }

  /** {@link SynapticIntelligence.penaltyGrad} through the async kernel. */
  async penaltyGradAsync(params: Float32Array, grad: Float32Array): Promise<number> {
    if (this.closed === 0 || this.cValue === 0) return 0;
    return this.kernels.ewcPenaltyGradAsync({ params, anchor: this.anchor, fisher: this.importanceBuf, lambda: 2 * this.cValue, grad });
  }

  /** New outputs start with ω = Ω = 0 and their anchor at the new θ. */
  growOutput(newClasses: number, params: Float32Array): void {
    checkNewClasses(newClasses);
    const next = grownSizes(this.sizesValue, newClasses);
    if (params.length !== paramCount(next)) throw new ShapeError('params', paramCount(next), params.length);
    const old = this.sizesValue;
    this.omega = growOutputBuffer(old, this.omega, newClasses, 0);
    this.importanceBuf = growOutputBuffer(old, this.importanceBuf, newClasses, 0);
    this.anchor = growOutputBuffer(old, this.anchor, newClasses, 0);
    copyNewOutputs(next, newClasses, params, this.anchor);
    this.prev = new Float32Array(params.length);
    this.grad = new Float32Array(params.length);
    this.sizesValue = next;
  }

  /** A copy of the state. */
  snapshot(): SiSnapshot {
    return {
      version: 1,
      sizes: this.sizesValue.slice(),
      c: this.cValue,
      started: this.started,
      tasksClosed: this.closed,
      omega: this.omega.slice(),
      importance: this.importanceBuf.slice(),
      anchor: this.anchor.slice(),
    };
  }

  /** Restore a {@link SynapticIntelligence.snapshot}; its sizes are adopted. */
  restore(snapshot: unknown): void {
    const s = parseSnapshot(siSnapshotSchema, snapshot, 'si');
    if (s.sizes.length !== this.sizesValue.length) throw new InvalidArgumentError('si.sizes', 'a different number of layers');
    const n = paramCount(s.sizes);
    for (const key of ['omega', 'importance', 'anchor'] as const) {
      if (s[key].length !== n) throw new ShapeError(`si.${key}`, n, s[key].length);
    }
    this.sizesValue = s.sizes.slice();
    this.cValue = s.c;
    this.started = s.started;
    this.closed = s.tasksClosed;
    this.omega = s.omega.slice();
    this.importanceBuf = s.importance.slice();
    this.anchor = s.anchor.slice();
    this.prev = new Float32Array(n);
    this.grad = new Float32Array(n);
  }

  private checkLength(buf: Float32Array, field: string): void {
    if (buf.length !== this.omega.length) throw new ShapeError(field, this.omega.length, buf.length);
  }
}
