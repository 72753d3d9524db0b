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
  const groups = distill?.classGroups;
  const rowWeights = distill?.rowWeights;
  const groupIds = groups === undefined ? [] : [...new Set(groups)].filter((id) => id >= 0).sort((a, b) => a - b);
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
    for (let c = 0; c < C; c++) {
      if (mask !== undefined && mask[go + c] === 0) {
        delta[zo + c] = 0;
        continue;
      }
      const p = Math.exp(z[zo + c]! - m) / sum;
      delta[zo + c] = g * (p - (c === y ? 1 : 0));
    }
    let kl = 0;
    const rowWeight = rowWeights === undefined ? 1 : rowWeights[i]!;
    const rowAlpha = alpha * rowWeight;
    // A row weighted 0 skips the term outright: its teacher row (which may hold NaN) is never read.
    if (teacher !== undefined && rowWeight !== 0) {
      if (groups === undefined) {
        const inMask = (c: number): boolean => mask === undefined || mask[go + c] !== 0;
        kl = distillGroup(z, zo, teacher, go, C, inMask, T, g * rowAlpha * T, delta);
      } else {
        const share = 1 / Math.max(1, groupIds.length);
        for (const id of groupIds) {
          kl += share * distillGroup(z, zo, teacher, go, C, (c) => groups[c] === id, T, g * rowAlpha * T * share, delta);
        }
      }
    }
    total += w * (ce + rowAlpha * T * T * kl);
  }
  return total;
}

/**
 * Student and teacher softmax at temperature T over the classes `inGroup` accepts (by their log-sum-exps): adds
 * k·(q − t) to `delta` there and returns KL(t ‖ q) over the group.
 */
function distillGroup(
  z: Float32Array,
  zo: number,
  teacher: Float32Array,
  go: number,
  C: number,
  inGroup: (c: number) => boolean,
  T: number,
  k: number,
  delta: Float32Array,
): number {
  let m = -Infinity;
  let tm = -Infinity;
  for (let c = 0; c < C; c++) {
    if (!inGroup(c)) continue;
    if (z[zo + c]! > m) m = z[zo + c]!;
    if (teacher[go + c]! > tm) tm = teacher[go + c]!;
  }
  let sq = 0;
  let st = 0;
  for (let c = 0; c < C; c++) {
    if (!inGroup(c)) continue;
    sq += Math.exp((z[zo + c]! - m) / T);
    st += Math.exp((teacher[go + c]! - tm) / T);
  }
  const logSq = Math.log(sq);
  const logSt = Math.log(st);
  let kl = 0;
  for (let c = 0; c < C; c++) {
    if (!inGroup(c)) continue;
    const logQ = (z[zo + c]! - m) / T - logSq;
    const logT = (teacher[go + c]! - tm) / T - logSt;
    const t = Math.exp(logT);
    if (t > 0) kl += t * (logT - logQ);
    delta[zo + c] = delta[zo + c]! + k * (Math.exp(logQ) - t);
  }
  return kl;
}
