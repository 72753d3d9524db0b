import type { DistillOptions } from '../types.js';

/**
 * Softmax cross-entropy (+ fused distillation) of a chunk of logits `z` (rows × C from offset 0), whose
 * first row is example `rowStart` of the batch. Writes d(batch loss)/dz into `delta` (rows × C), the
 * unweighted cross-entropy into `perExampleLoss`, and returns Σ_rows wᵢ·Lᵢ (the caller divides by B).
 * All reductions are in float64; masked classes get p = 0 and no gradient.
 */
export function softmaxXentChunk(
  z: Float32Array,
  rowStart: number,
  rows: number,
  classes: number,
  targets: Int32Array,
  mask: Uint8Array | undefined,
  weights: Float32Array | undefined,
  batch: number,
  distill: DistillOptions | undefined,
  delta: Float32Array,
  perExampleLoss: Float32Array | undefined,
): number {
  let total = 0;
  const C = classes;
  const T = distill === undefined ? 1 : distill.temperature;
  const alpha = distill === undefined ? 0 : distill.weight;
  const teacher = distill?.teacherLogits;
  for (let r = 0; r < rows; r++) {
    const i = rowStart + r;
    const zo = r * C;
    const go = i * C;
    let m = -Infinity;
    for (let c = 0; c < C; c++) if ((mask === undefined || mask[go + c] !== 0) && z[zo + c]! > m) m = z[zo + c]!;
    let sum = 0;
    for (let c = 0; c < C; c++) if (mask === undefined || mask[go + c] !== 0) sum += Math.exp(z[zo + c]! - m);
    const y = targets[i]!;
    const lse = Math.log(sum) + m;
    const ce = lse - z[zo + y]!;
    if (perExampleLoss !== undefined) perExampleLoss[i] = ce;
    const w = weights === undefined ? 1 : weights[i]!;
    const g = w / batch;
    let kl = 0;
    if (teacher !== undefined) {
      // Student and teacher softmax at temperature T over the allowed classes, by their log-sum-exps.
      let tm = -Infinity;
      for (let c = 0; c < C; c++) if ((mask === undefined || mask[go + c] !== 0) && teacher[go + c]! > tm) tm = teacher[go + c]!;
      let sq = 0;
      let st = 0;
      for (let c = 0; c < C; c++) {
        if (mask !== undefined && mask[go + c] === 0) continue;
        sq += Math.exp((z[zo + c]! - m) / T);
        st += Math.exp((teacher[go + c]! - tm) / T);
      }
      const logSq = Math.log(sq);
      const logSt = Math.log(st);
      for (let c = 0; c < C; c++) {
        if (mask !== undefined && mask[go + c] === 0) {
          delta[zo + c] = 0;
          continue;
        }
        const logQ = (z[zo + c]! - m) / T - logSq;
        const logT = (teacher[go + c]! - tm) / T - logSt;
        const q = Math.exp(logQ);
        const t = Math.exp(logT);
        if (t > 0) kl += t * (logT - logQ);
        const p = Math.exp(z[zo + c]! - m) / sum;
        delta[zo + c] = g * (p - (c === y ? 1 : 0) + alpha * T * (q - t));
      }
    } else {
      for (let c = 0; c < C; c++) {
        if (mask !== undefined && mask[go + c] === 0) {
          delta[zo + c] = 0;
          continue;
        }
        const p = Math.exp(z[zo + c]! - m) / sum;
        delta[zo + c] = g * (p - (c === y ? 1 : 0));
      }
    }
    total += w * (ce + alpha * T * T * kl);
  }
  return total;
}
