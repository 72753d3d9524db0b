import { Rng, paramCount } from '@retain/core';
import type { Batch } from '../src/index.js';

/** A seeded random batch for a model with `inputs` features and `classes` outputs. */
export function randomBatch(rng: Rng, n: number, inputs: number, classes: number, opts: { weights?: boolean; mask?: boolean } = {}): Batch {
  const x = new Float32Array(n * inputs);
  for (let i = 0; i < x.length; i++) x[i] = rng.normal();
  const targets = new Int32Array(n);
  for (let i = 0; i < n; i++) targets[i] = rng.int(classes);
  const batch: Batch = { x, targets, batch: n };
  if (opts.weights) {
    batch.weights = new Float32Array(n);
    for (let i = 0; i < n; i++) batch.weights[i] = 0.25 + rng.float() * 1.5;
  }
  if (opts.mask) {
    const mask = new Uint8Array(n * classes);
    for (let i = 0; i < n; i++) {
      for (let c = 0; c < classes; c++) mask[i * classes + c] = rng.float() < 0.7 ? 1 : 0;
      mask[i * classes + targets[i]!] = 1;
    }
    batch.outputMask = mask;
  }
  return batch;
}

/** Seeded random vector of `n` floats in [lo, hi). */
export function randomVector(rng: Rng, n: number, lo = -1, hi = 1): Float32Array {
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = lo + (hi - lo) * rng.float();
  return v;
}

/** Random params for `sizes`. */
export function randomParams(rng: Rng, sizes: readonly number[], scale = 0.5): Float32Array {
  return randomVector(rng, paramCount(sizes), -scale, scale);
}

/** |a − b| ≤ atol + rtol·max(|a|, |b|) for every entry, with the first offending index in the message. */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol = 1e-5, atol = 1e-7): void {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} != ${expected.length}`);
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!;
    const b = expected[i]!;
    if (!(Math.abs(a - b) <= atol + rtol * Math.max(Math.abs(a), Math.abs(b)))) {
      throw new Error(`entry ${i}: ${a} vs ${b}`);
    }
  }
}
