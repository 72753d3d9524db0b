// The seeded problems every backend of the kernels benchmark runs on, so all of them do the same work.
import { paramCount, Rng } from '@retain/core';

/** One MLP problem: layer sizes, He-initialised flat parameters (retain layout), a batch and its labels. */
export interface MlpProblem {
  sizes: readonly number[];
  batch: number;
  /** Flat parameters in the retain layout: per layer `W` (out × in, row-major) then `b`. */
  params: Float32Array;
  /** `batch × sizes[0]`, row-major. */
  x: Float32Array;
  /** One class index per example. */
  targets: Int32Array;
}

/** Builds an MLP problem from a seed: weights ~ N(0, 2/fanIn), biases 0, inputs ~ N(0, 1), uniform labels. */
export function mlpProblem(sizes: readonly number[], batch: number, seed: number): MlpProblem {
  const rng = new Rng(seed);
  const params = new Float32Array(paramCount(sizes));
  let offset = 0;
  for (let l = 0; l + 1 < sizes.length; l++) {
    const nIn = sizes[l]!;
    const nOut = sizes[l + 1]!;
    const std = Math.sqrt(2 / nIn);
    for (let i = 0; i < nOut * nIn; i++) params[offset + i] = std * rng.normal();
    offset += nOut * nIn + nOut; // biases stay 0
  }
  const x = new Float32Array(batch * sizes[0]!);
  for (let i = 0; i < x.length; i++) x[i] = rng.normal();
  const classes = sizes[sizes.length - 1]!;
  const targets = new Int32Array(batch);
  for (let i = 0; i < batch; i++) targets[i] = rng.int(classes);
  return { sizes, batch, params, x, targets };
}

/** The arrays of an EWC penalty call over `n` parameters; `grad` is accumulated into by every call. */
export interface EwcProblem {
  params: Float32Array;
  anchor: Float32Array;
  fisher: Float32Array;
  grad: Float32Array;
  lambda: number;
}

/** Builds an EWC problem: θ ~ N(0,1), θ* = θ + N(0, 0.01²), F ~ U[0, 1), grad 0. */
export function ewcProblem(n: number, seed: number): EwcProblem {
  const rng = new Rng(seed);
  const params = new Float32Array(n);
  const anchor = new Float32Array(n);
  const fisher = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const p = rng.normal();
    params[i] = p;
    anchor[i] = p + 0.01 * rng.normal();
    fisher[i] = rng.float();
  }
  return { params, anchor, fisher, grad: new Float32Array(n), lambda: 1 };
}
