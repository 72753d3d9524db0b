// Continual-learning metrics over an accuracy matrix (REFERENCE.md §4), in the paper convention.
import { InvalidArgumentError, ShapeError } from '@retain/core';

/** Metrics of one run; `null` where the matrix cannot define one (a single training stage). */
export interface ClMetrics {
  /** Mean accuracy over all tasks after the last stage. */
  acc: number;
  /** Backward transfer: mean over j < T of R[T][j] − R[j][j] (divided by T − 1, not GEM's code's T). */
  bwt: number | null;
  /** Forward transfer: mean over j ≥ 2 of R[j−1][j] − b[j], b the untrained model's accuracy (divided by T − 1). */
  fwt: number | null;
  /** Forgetting: mean over j < T of max over stages l < T of R[l][j] − R[T][j]. */
  forgetting: number | null;
}

function checkMatrix(matrix: readonly (readonly number[])[], tasks: number): void {
  if (matrix.length === 0) throw new InvalidArgumentError('matrix', 'needs at least one row');
  matrix.forEach((row, i) => {
    if (row.length !== tasks) throw new ShapeError(`matrix[${i}]`, tasks, row.length);
    row.forEach((v, j) => {
      if (!Number.isFinite(v)) throw new InvalidArgumentError(`matrix[${i}][${j}]`, `must be finite, got ${v}`);
    });
  });
}

/**
 * Metrics of `matrix` (rows: training stages, columns: tasks; R[i][j] = accuracy on task j after stage i).
 * A square matrix is the continual protocol; a single row (joint training) only defines ACC.
 */
export function clMetrics(matrix: readonly (readonly number[])[], baseline: readonly number[]): ClMetrics {
  const T = baseline.length;
  if (T === 0) throw new InvalidArgumentError('baseline', 'needs one accuracy per task');
  checkMatrix(matrix, T);
  const last = matrix[matrix.length - 1]!;
  const acc = mean(last);
  if (matrix.length !== T || T < 2) {
    if (matrix.length !== 1 && matrix.length !== T) throw new ShapeError('matrix', T, matrix.length);
    return { acc, bwt: null, fwt: null, forgetting: null };
  }
  let bwt = 0;
  let forgetting = 0;
  let fwt = 0;
  for (let j = 0; j < T - 1; j++) {
    bwt += last[j]! - matrix[j]![j]!;
    let best = -Infinity;
    for (let l = 0; l < T - 1; l++) best = Math.max(best, matrix[l]![j]!);
    forgetting += best - last[j]!;
  }
  for (let j = 1; j < T; j++) fwt += matrix[j - 1]![j]! - baseline[j]!;
  return { acc, bwt: bwt / (T - 1), fwt: fwt / (T - 1), forgetting: forgetting / (T - 1) };
}

/** Arithmetic mean (NaN for none). */
export function mean(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  let s = 0;
  for (const v of values) s += v;
  return s / values.length;
}

/** Mean and sample standard deviation (n − 1; 0 for a single value) of finite values. */
export function meanStd(values: readonly number[]): { mean: number; std: number; n: number } {
  const n = values.length;
  const m = mean(values);
  if (n < 2) return { mean: m, std: 0, n };
  let ss = 0;
  for (const v of values) ss += (v - m) ** 2;
  return { mean: m, std: Math.sqrt(ss / (n - 1)), n };
}
