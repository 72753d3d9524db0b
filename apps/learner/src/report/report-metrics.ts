/** Summary numbers of an accuracy matrix R[i][j] (after task i, on task j ≤ i). */
export interface MatrixMetrics {
  /** Mean accuracy over all tasks after the last one. */
  acc: number;
  /** Backward transfer: mean of R[T][j] − R[j][j] over j < T, divided by T − 1 (null with one task). */
  bwt: number | null;
  /** Mean over j < T of max_{l<T} R[l][j] − R[T][j] (null with one task). */
  forgetting: number | null;
}

/** ACC, BWT and forgetting of a lower-triangular accuracy matrix (the conventions of REFERENCE §4). */
export function matrixMetrics(r: readonly (readonly number[])[]): MatrixMetrics {
  const T = r.length;
  if (T === 0) return { acc: Number.NaN, bwt: null, forgetting: null };
  const last = r[T - 1]!;
  const acc = last.reduce((s, v) => s + v, 0) / last.length;
  if (T === 1) return { acc, bwt: null, forgetting: null };
  let bwt = 0;
  let forgetting = 0;
  for (let j = 0; j < T - 1; j++) {
    bwt += last[j]! - r[j]![j]!;
    let best = -Infinity;
    for (let l = j; l < T - 1; l++) best = Math.max(best, r[l]![j]!);
    forgetting += best - last[j]!;
  }
  return { acc, bwt: bwt / (T - 1), forgetting: forgetting / (T - 1) };
}
