import type { AdamArgs, SgdArgs } from '../types.js';

/** Global L2 norm of `g`, accumulated in float64. */
export function gradNorm(g: Float32Array): number {
  // Four accumulators so the adds pipeline instead of waiting on one another.
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  const n = g.length;
  let k = 0;
  for (; k + 4 <= n; k += 4) {
    s0 += g[k]! * g[k]!;
    s1 += g[k + 1]! * g[k + 1]!;
    s2 += g[k + 2]! * g[k + 2]!;
    s3 += g[k + 3]! * g[k + 3]!;
  }
  for (; k < n; k++) s0 += g[k]! * g[k]!;
  return Math.sqrt(s0 + s1 + (s2 + s3));
}

/** The factor applied to the gradient: min(1, clipNorm / (norm + 1e-6)), or 1 when clipping is off. */
export function clipCoefficient(norm: number, clipNorm: number | undefined): number {
  return clipNorm !== undefined && clipNorm > 0 ? Math.min(1, clipNorm / (norm + 1e-6)) : 1;
}

/** SGD with optional momentum / Nesterov / weight decay / global-norm clipping, in place. Returns the norm. */
export function sgdStepTs(args: SgdArgs): number {
  const { params, grad, velocity, lr } = args;
  const mu = args.momentum ?? 0;
  const wd = args.weightDecay ?? 0;
  const nesterov = args.nesterov ?? false;
  const norm = gradNorm(grad);
  const coef = clipCoefficient(norm, args.clipNorm);
  const n = params.length;
  if (mu === 0) {
    for (let k = 0; k < n; k++) params[k] = params[k]! - lr * (coef * grad[k]! + wd * params[k]!);
    return norm;
  }
  const v = velocity!;
  for (let k = 0; k < n; k++) {
    const g = coef * grad[k]! + wd * params[k]!;
    const vk = mu * v[k]! + g;
    v[k] = vk;
    params[k] = params[k]! - lr * (nesterov ? g + mu * vk : vk);
  }
  return norm;
}

/** Adam (PyTorch semantics: bias-corrected, L2 weight decay added to the gradient), in place. Returns the norm. */
export function adamStepTs(args: AdamArgs): number {
  const { params, grad, m, v, lr, step } = args;
  const b1 = args.beta1 ?? 0.9;
  const b2 = args.beta2 ?? 0.999;
  const eps = args.eps ?? 1e-8;
  const wd = args.weightDecay ?? 0;
  const norm = gradNorm(grad);
  const coef = clipCoefficient(norm, args.clipNorm);
  const bc1 = 1 - Math.pow(b1, step);
  const bc2 = 1 - Math.pow(b2, step);
  const n = params.length;
  for (let k = 0; k < n; k++) {
    const g = coef * grad[k]! + wd * params[k]!;
    const mk = b1 * m[k]! + (1 - b1) * g;
    const vk = b2 * v[k]! + (1 - b2) * g * g;
    m[k] = mk;
    v[k] = vk;
    params[k] = params[k]! - (lr * (mk / bc1)) / (Math.sqrt(vk / bc2) + eps);
  }
  return norm;
}
