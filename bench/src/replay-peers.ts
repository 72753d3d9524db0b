// The peers the replay benchmark measures the library against, in the same run.

/** The textbook O(n) weighted sampler: one linear scan of the weights per draw. */
export function naiveLinearSample(weights: Float64Array, u01: readonly number[], out: Int32Array): void {
  let total = 0;
  for (let i = 0; i < weights.length; i++) total += weights[i]!;
  for (let d = 0; d < u01.length; d++) {
    const u = u01[d]! * total;
    let acc = 0;
    let pick = weights.length - 1;
    for (let i = 0; i < weights.length; i++) {
      acc += weights[i]!;
      if (u < acc) {
        pick = i;
        break;
      }
    }
    out[d] = pick;
  }
}

/** The better O(n) sampler: one prefix-sum pass per batch, then a binary search per draw. */
export function prefixSumSample(weights: Float64Array, prefix: Float64Array, u01: readonly number[], out: Int32Array): void {
  let acc = 0;
  for (let i = 0; i < weights.length; i++) {
    acc += weights[i]!;
    prefix[i] = acc;
  }
  for (let d = 0; d < u01.length; d++) {
    const u = u01[d]! * acc;
    let lo = 0;
    let hi = weights.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (prefix[mid]! > u) hi = mid;
      else lo = mid + 1;
    }
    out[d] = lo;
  }
}

/** Brute-force top-k cosine: score everything, then sort all indices. */
export function bruteForceRecall(keys: Float32Array, dim: number, n: number, query: Float32Array, k: number): number[] {
  let qn = 0;
  for (let i = 0; i < dim; i++) qn += query[i]! * query[i]!;
  const scores = new Float64Array(n);
  for (let s = 0; s < n; s++) {
    let d = 0;
    let kn = 0;
    for (let i = 0; i < dim; i++) {
      const v = keys[s * dim + i]!;
      d += v * query[i]!;
      kn += v * v;
    }
    scores[s] = d / Math.sqrt(qn * kn);
  }
  const idx = Array.from({ length: n }, (_, i) => i);
  idx.sort((a, b) => scores[b]! - scores[a]!);
  return idx.slice(0, k);
}
