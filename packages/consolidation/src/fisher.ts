import { InvalidArgumentError, type Rng, ShapeError } from '@retain/core';
import type { FisherArgs, Kernels } from '@retain/kernels';

/**
 * Which diagonal Fisher: `empirical` uses the data labels, `predicted` labels sampled from the model's own
 * softmax (the "sampled"/"true" Fisher estimated with one draw), `expected` the exact expectation over
 * classes under the model's softmax ("true" Fisher).
 */
export type FisherSource = 'empirical' | 'predicted' | 'expected';

/** Examples to estimate the Fisher over, in the kernels' layout. */
export interface FisherData {
  /** `batch × inputs`. */
  x: Float32Array;
  batch: number;
  /** Labels; required for `empirical`. */
  targets?: Int32Array | undefined;
  /** `batch × classes`. */
  outputMask?: Uint8Array | undefined;
}

/**
 * Estimates the mean diagonal Fisher (1/N)·Σᵢ (∂ℓᵢ/∂θ)² through the kernels, in chunks so the kernels'
 * scratch stays bounded; chunk buffers are reused across calls.
 */
export class FisherEstimator {
  private logits = new Float32Array(0);
  private labels = new Int32Array(0);

  constructor(
    private readonly kernels: Kernels,
    readonly source: FisherSource,
    readonly chunkSize: number,
  ) {}

  /** Overwrite `out` with the mean Fisher of `params` over `data`; `rng` draws `predicted` labels. */
  mean(sizes: readonly number[], activation: 'relu' | 'tanh', params: Float32Array, data: FisherData, rng: Rng, out: Float32Array): void {
    this.check(sizes, data, out);
    out.fill(0);
    for (let start = 0; start < data.batch; start += this.chunkSize) {
      const args = this.chunkArgs(sizes, activation, params, data, start, out);
      if (this.source === 'predicted') {
        this.kernels.forward({ ...args, logits: this.logits.subarray(0, args.batch * sizes[sizes.length - 1]!) });
        args.targets = this.sample(args.batch, sizes[sizes.length - 1]!, rng);
      }
      this.kernels.fisherDiag(args);
    }
    scale(out, 1 / data.batch);
  }

  /** {@link FisherEstimator.mean} through the kernels' async variants. */
  async meanAsync(
    sizes: readonly number[],
    activation: 'relu' | 'tanh',
    params: Float32Array,
    data: FisherData,
    rng: Rng,
    out: Float32Array,
  ): Promise<void> {
    this.check(sizes, data, out);
    out.fill(0);
    for (let start = 0; start < data.batch; start += this.chunkSize) {
      const args = this.chunkArgs(sizes, activation, params, data, start, out);
      if (this.source === 'predicted') {
        await this.kernels.forwardAsync({ ...args, logits: this.logits.subarray(0, args.batch * sizes[sizes.length - 1]!) });
        args.targets = this.sample(args.batch, sizes[sizes.length - 1]!, rng);
      }
      await this.kernels.fisherDiagAsync(args);
    }
    scale(out, 1 / data.batch);
  }

  private check(sizes: readonly number[], data: FisherData, out: Float32Array): void {
    if (!Number.isInteger(data.batch) || data.batch < 1) {
      throw new InvalidArgumentError('data.batch', `must be an integer ≥ 1, got ${String(data.batch)}`);
    }
    if (data.x.length !== data.batch * sizes[0]!) throw new ShapeError('data.x', data.batch * sizes[0]!, data.x.length);
    if (this.source === 'empirical' && data.targets === undefined) {
      throw new InvalidArgumentError('data.targets', 'required for the empirical Fisher');
    }
    if (out.length === 0) throw new ShapeError('fisher', 1, 0);
    const classes = sizes[sizes.length - 1]!;
    const need = Math.min(this.chunkSize, data.batch);
    if (this.source === 'predicted' && this.logits.length < need * classes) {
      this.logits = new Float32Array(need * classes);
      this.labels = new Int32Array(need);
    }
  }

  private chunkArgs(
    sizes: readonly number[],
    activation: 'relu' | 'tanh',
    params: Float32Array,
    data: FisherData,
    start: number,
    out: Float32Array,
  ): FisherArgs {
    const n = Math.min(this.chunkSize, data.batch - start);
    const inputs = sizes[0]!;
    const classes = sizes[sizes.length - 1]!;
    const args: FisherArgs = {
      sizes,
      activation,
      params,
      x: data.x.subarray(start * inputs, (start + n) * inputs),
      batch: n,
      kind: this.source === 'expected' ? 'expected' : 'empirical',
      fisher: out,
    };
    if (this.source === 'empirical') args.targets = data.targets!.subarray(start, start + n);
    if (data.outputMask) args.outputMask = data.outputMask.subarray(start * classes, (start + n) * classes);
    return args;
  }

  /** Draw one label per row from softmax(logits) (masked entries are −∞ and never drawn). */
  private sample(n: number, classes: number, rng: Rng): Int32Array {
    const labels = this.labels.subarray(0, n);
    for (let i = 0; i < n; i++) {
      const row = i * classes;
      let max = -Infinity;
      for (let c = 0; c < classes; c++) max = Math.max(max, this.logits[row + c]!);
      let total = 0;
      for (let c = 0; c < classes; c++) total += Math.exp(this.logits[row + c]! - max);
      let u = rng.float() * total;
      let pick = -1;
      for (let c = 0; c < classes; c++) {
        const z = this.logits[row + c]!;
        if (z === -Infinity) continue;
        pick = c;
        u -= Math.exp(z - max);
        if (u < 0) break;
      }
      labels[i] = pick;
    }
    return labels;
  }
}

function scale(buf: Float32Array, s: number): void {
  for (let i = 0; i < buf.length; i++) buf[i] = buf[i]! * s;
}
