import { type Rng, paramCount } from '@retain/core';

/**
 * Fill `out` with PyTorch's default `nn.Linear` initialization: every weight and bias of layer l drawn
 * from U(−1/√n_l, 1/√n_l), in layout order, from `rng` (so the same seed gives the same network).
 */
export function initParams(sizes: readonly number[], rng: Rng, out?: Float32Array): Float32Array {
  const params = out ?? new Float32Array(paramCount(sizes));
  let offset = 0;
  for (let l = 0; l + 1 < sizes.length; l++) {
    const bound = 1 / Math.sqrt(sizes[l]!);
    const n = sizes[l + 1]! * (sizes[l]! + 1);
    for (let i = 0; i < n; i++) params[offset + i] = (2 * rng.float() - 1) * bound;
    offset += n;
  }
  return params;
}
