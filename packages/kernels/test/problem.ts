// Seeded random problems for the conformance suite.
import { Rng, paramCount, type Activation } from '@retain/core';
import { initParams } from '../src/index.js';

export interface Problem {
  sizes: number[];
  activation: Activation;
  params: Float32Array;
  x: Float32Array;
  batch: number;
  targets: Int32Array;
  grad: Float32Array;
  /** Optional extras, deliberately not named like kernel arguments so `...problem` passes none of them. */
  w: Float32Array;
  mask: Uint8Array;
  teacher: Float32Array;
}

/** A random MLP, batch, labels, weights, teacher logits and a mask allowing each row's target plus random classes. */
export function makeProblem(seed: number, sizes: number[], batch: number, activation: Activation = 'relu'): Problem {
  const rng = new Rng(seed);
  const C = sizes[sizes.length - 1]!;
  const params = initParams(sizes, rng, activation);
  // Non-zero biases so the bias paths are exercised.
  for (let k = 0; k < params.length; k++) params[k] = params[k]! + 0.1 * rng.normal();
  const x = Float32Array.from({ length: batch * sizes[0]! }, () => rng.normal());
  const targets = Int32Array.from({ length: batch }, () => rng.int(C));
  const weights = Float32Array.from({ length: batch }, () => 2 * rng.float());
  const outputMask = new Uint8Array(batch * C);
  for (let i = 0; i < batch; i++) {
    for (let c = 0; c < C; c++) outputMask[i * C + c] = rng.float() < 0.6 ? 1 : 0;
    outputMask[i * C + targets[i]!] = 1;
  }
  const teacherLogits = Float32Array.from({ length: batch * C }, () => 2 * rng.normal());
  return {
    sizes,
    activation,
    params,
    x,
    batch,
    targets,
    grad: new Float32Array(paramCount(sizes)),
    w: weights,
    mask: outputMask,
    teacher: teacherLogits,
  };
}

/** Largest |a−b| / max(floor, |a|, |b|) over two arrays. */
export function maxRelErr(a: ArrayLike<number>, b: ArrayLike<number>, floor = 1): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let worst = 0;
  for (let k = 0; k < a.length; k++) {
    const x = a[k]!;
    const y = b[k]!;
    if (x === y) continue;
    const e = Math.abs(x - y) / Math.max(floor, Math.abs(x), Math.abs(y));
    if (!(e <= worst)) worst = e;
  }
  return worst;
}
