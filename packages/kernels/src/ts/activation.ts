import type { Activation } from '@retain/core';

/** Applies the hidden activation in place to `n` entries of `h` from offset 0. */
export function activate(activation: Activation, h: Float32Array, n: number): void {
  if (activation === 'relu') {
    for (let k = 0; k < n; k++) if (!(h[k]! > 0)) h[k] = 0;
  } else {
    for (let k = 0; k < n; k++) h[k] = Math.tanh(h[k]!);
  }
}

/**
 * `delta ∘= act'(z)` expressed through the activation's output h (relu: h > 0, so the derivative at 0 is 0;
 * tanh: 1 − h²). `hRows` maps delta row r to the row of h that produced it (virtual Fisher rows share one).
 */
export function multiplyActivationGrad(
  activation: Activation,
  delta: Float32Array,
  h: Float32Array,
  rows: number,
  width: number,
  rowsPerH: number,
): void {
  for (let r = 0; r < rows; r++) {
    const d = r * width;
    const o = ((r / rowsPerH) | 0) * width;
    if (activation === 'relu') {
      for (let j = 0; j < width; j++) if (!(h[o + j]! > 0)) delta[d + j] = 0;
    } else {
      for (let j = 0; j < width; j++) {
        const v = h[o + j]!;
        delta[d + j] = delta[d + j]! * (1 - v * v);
      }
    }
  }
}
