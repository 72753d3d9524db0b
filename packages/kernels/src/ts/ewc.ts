import type { EwcArgs } from '../types.js';

/** Σ ½λF(θ−θ*)² (float64) and grad += λF(θ−θ*), in one pass. */
export function ewcPenaltyGradTs(args: EwcArgs): number {
  const { params, anchor, fisher, grad, lambda } = args;
  let penalty = 0;
  const n = params.length;
  for (let k = 0; k < n; k++) {
    const d = params[k]! - anchor[k]!;
    const lf = lambda * fisher[k]!;
    penalty += lf * d * d;
    grad[k] = grad[k]! + lf * d;
  }
  return 0.5 * penalty;
}
