import { InvalidArgumentError } from './errors.js';

/** Hidden-layer activation of an MLP. */
export type Activation = 'relu' | 'tanh';

/** An MLP: `sizes = [input, hidden..., output]`; two sizes is a linear model. */
export interface ModelSpec {
  sizes: readonly number[];
  activation: Activation;
}

/** Where one tensor lives in the flat parameter vector. */
export interface TensorSlice {
  /** PyTorch `Linear` naming: `fc{l}.weight` (out × in, row-major) or `fc{l}.bias`. */
  name: string;
  offset: number;
  length: number;
  shape: readonly number[];
}

/**
 * The fixed parameter layout of retain: layer by layer, the weight matrix (out × in, row-major) then
 * the bias, so a safetensors export loads straight into a PyTorch `nn.Sequential` of `Linear`s.
 */
export function paramLayout(sizes: readonly number[]): TensorSlice[] {
  validateSizes(sizes);
  const slices: TensorSlice[] = [];
  let offset = 0;
  for (let l = 0; l + 1 < sizes.length; l++) {
    const nIn = sizes[l]!;
    const nOut = sizes[l + 1]!;
    slices.push({ name: `fc${l}.weight`, offset, length: nOut * nIn, shape: [nOut, nIn] });
    offset += nOut * nIn;
    slices.push({ name: `fc${l}.bias`, offset, length: nOut, shape: [nOut] });
    offset += nOut;
  }
  return slices;
}

/** Total number of parameters of an MLP with these layer sizes. */
export function paramCount(sizes: readonly number[]): number {
  validateSizes(sizes);
  let n = 0;
  for (let l = 0; l + 1 < sizes.length; l++) n += sizes[l + 1]! * (sizes[l]! + 1);
  return n;
}

/** Throws unless `sizes` has at least two positive integer entries. */
export function validateSizes(sizes: readonly number[], field = 'sizes'): void {
  if (!Array.isArray(sizes) || sizes.length < 2) {
    throw new InvalidArgumentError(field, 'needs at least [input, output]');
  }
  for (let i = 0; i < sizes.length; i++) {
    const s = sizes[i];
    if (typeof s !== 'number' || !Number.isInteger(s) || s < 1) {
      throw new InvalidArgumentError(`${field}[${i}]`, `must be a positive integer, got ${String(s)}`);
    }
  }
}
