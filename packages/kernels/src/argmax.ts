import { InvalidArgumentError, ShapeError } from '@retain/core';

/**
 * Index of the largest entry of each row of `values` (rows × cols), first index on ties; −∞ entries (masked
 * logits) never win over finite ones. Writes into `out` when given.
 */
export function argmaxRows(values: Float32Array, rows: number, cols: number, out?: Int32Array): Int32Array {
  if (!Number.isSafeInteger(rows) || rows < 0) throw new InvalidArgumentError('rows', `must be an integer ≥ 0, got ${rows}`);
  if (!Number.isSafeInteger(cols) || cols < 1) throw new InvalidArgumentError('cols', `must be an integer ≥ 1, got ${cols}`);
  if (values.length !== rows * cols) throw new ShapeError('values', rows * cols, values.length);
  const result = out ?? new Int32Array(rows);
  if (result.length !== rows) throw new ShapeError('out', rows, result.length);
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let best = 0;
    let bestV = values[o]!;
    for (let c = 1; c < cols; c++) {
      const v = values[o + c]!;
      if (v > bestV) {
        bestV = v;
        best = c;
      }
    }
    result[r] = best;
  }
  return result;
}
