import { type Activation, InvalidArgumentError, Rng, ShapeError, paramCount } from '@retain/core';
import { drawWeights, resolveInit, type InitScheme } from '@retain/kernels';

/**
 * How new output units are filled: one constant for weights and biases, separate constants, or a fresh draw
 * from the given Rng by the scheme of `initParams` in @retain/kernels (`init`; `auto`: weights He-normal for
 * relu, Glorot-uniform for tanh, biases zero; `torch`: weights and biases uniform in ±1/√fan_in).
 */
export type GrowFill = number | { weight: number; bias: number } | Rng;

/** Throws unless `newClasses` is a positive integer. */
export function checkNewClasses(newClasses: number, field = 'newClasses'): void {
  if (!Number.isInteger(newClasses) || newClasses < 1) {
    throw new InvalidArgumentError(field, `must be a positive integer, got ${String(newClasses)}`);
  }
}

/**
 * Remap a per-parameter buffer (params, moments, Fisher, anchors, ω/Ω, teacher) laid out for `sizes`
 * (`[..., C]`) to `[..., C + newClasses]`: every old entry keeps its value, the new output rows of the last
 * weight matrix and the new bias entries are filled by `fill`. Returns a new buffer.
 */
export function growOutputBuffer(
  sizes: readonly number[],
  buffer: Float32Array,
  newClasses: number,
  fill: GrowFill,
  activation: Activation = 'relu',
  init: InitScheme = 'auto',
): Float32Array {
  checkNewClasses(newClasses);
  const expected = paramCount(sizes);
  if (buffer.length !== expected) throw new ShapeError('buffer', expected, buffer.length);
  const nIn = sizes[sizes.length - 2]!;
  const classes = sizes[sizes.length - 1]!;
  const prefix = expected - classes * (nIn + 1);
  const oldWeightEnd = prefix + classes * nIn;
  const newWeightEnd = prefix + (classes + newClasses) * nIn;
  const out = new Float32Array(expected + newClasses * (nIn + 1));
  // The last layer sits at the end of the layout, so earlier layers and the old rows copy unchanged.
  out.set(buffer.subarray(0, oldWeightEnd), 0);
  out.set(buffer.subarray(oldWeightEnd), newWeightEnd);
  const newBiasStart = newWeightEnd + classes;
  if (fill instanceof Rng) {
    const rule = resolveInit(init, activation);
    drawWeights(rule, fill, nIn, classes + newClasses, out, oldWeightEnd, newWeightEnd);
    if (rule === 'torch') {
      const limit = 1 / Math.sqrt(nIn);
      for (let i = newBiasStart; i < out.length; i++) out[i] = (2 * fill.float() - 1) * limit;
    }
  } else {
    const w = typeof fill === 'number' ? fill : fill.weight;
    const b = typeof fill === 'number' ? fill : fill.bias;
    out.fill(w, oldWeightEnd, newWeightEnd);
    out.fill(b, newBiasStart);
  }
  return out;
}

/** Copy the entries of the `newClasses` newest output units from `src` into `dst` (both laid out for `sizes`). */
export function copyNewOutputs(sizes: readonly number[], newClasses: number, src: Float32Array, dst: Float32Array): void {
  const nIn = sizes[sizes.length - 2]!;
  const classes = sizes[sizes.length - 1]!;
  const end = src.length;
  const biasStart = end - classes;
  const weightEnd = biasStart;
  const firstNewRow = weightEnd - newClasses * nIn;
  dst.set(src.subarray(firstNewRow, weightEnd), firstNewRow);
  dst.set(src.subarray(end - newClasses), end - newClasses);
}
