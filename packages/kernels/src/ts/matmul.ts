// Dense row-major GEMM on Float32Array, written for V8: a 4×4 register block of float64 accumulators over
// a k-contiguous dot product. Both operands are read along their rows (C = A·Bᵀ), so the inner loop does
// 8 sequential loads per 16 multiply-adds and no stores. Measured on Node 20 (x64): 1.1–1.9 GMAC/s, against
// 0.5–1.0 for the axpy (i-k-j) form, whose inner loop does 4 loads and 4 stores per 4 multiply-adds; a
// 4×2 block was as fast only until V8 reoptimized it after seeing data with zeros, and packing the operands
// k-interleaved or unrolling k gained nothing. Callers that need A·B pass Bᵀ from `transpose`, O(n²) work
// against the O(n³) product.

/**
 * `C[M×N] (+)= A[M×K] · Bt[N×K]ᵀ`, all row-major and contiguous, starting at the given offsets.
 * With `accumulate` false C is overwritten; with true the product is added to it.
 */
export function gemmABt(
  M: number,
  N: number,
  K: number,
  A: Float32Array,
  aOff: number,
  Bt: Float32Array,
  bOff: number,
  C: Float32Array,
  cOff: number,
  accumulate: boolean,
): void {
  if (!accumulate) C.fill(0, cOff, cOff + M * N);
  let i = 0;
  for (; i + 4 <= M; i += 4) {
    const a0 = aOff + i * K;
    const a1 = a0 + K;
    const a2 = a1 + K;
    const a3 = a2 + K;
    const c0 = cOff + i * N;
    const c1 = c0 + N;
    const c2 = c1 + N;
    const c3 = c2 + N;
    let j = 0;
    for (; j + 4 <= N; j += 4) {
      const b0 = bOff + j * K;
      const b1 = b0 + K;
      const b2 = b1 + K;
      const b3 = b2 + K;
      // Accumulators start from C (zeroed above when overwriting), so one loop serves both modes and the
      // K-long sum is rounded to float32 once.
      let s00 = C[c0 + j]!, s01 = C[c0 + j + 1]!, s02 = C[c0 + j + 2]!, s03 = C[c0 + j + 3]!; // prettier-ignore
      let s10 = C[c1 + j]!, s11 = C[c1 + j + 1]!, s12 = C[c1 + j + 2]!, s13 = C[c1 + j + 3]!; // prettier-ignore
      let s20 = C[c2 + j]!, s21 = C[c2 + j + 1]!, s22 = C[c2 + j + 2]!, s23 = C[c2 + j + 3]!; // prettier-ignore
      let s30 = C[c3 + j]!, s31 = C[c3 + j + 1]!, s32 = C[c3 + j + 2]!, s33 = C[c3 + j + 3]!; // prettier-ignore
      for (let k = 0; k < K; k++) {
        const x0 = A[a0 + k]!;
        const x1 = A[a1 + k]!;
        const x2 = A[a2 + k]!;
        const x3 = A[a3 + k]!;
        let y = Bt[b0 + k]!;
        s00 += x0 * y; s10 += x1 * y; s20 += x2 * y; s30 += x3 * y; // prettier-ignore
        y = Bt[b1 + k]!;
        s01 += x0 * y; s11 += x1 * y; s21 += x2 * y; s31 += x3 * y; // prettier-ignore
        y = Bt[b2 + k]!;
        s02 += x0 * y; s12 += x1 * y; s22 += x2 * y; s32 += x3 * y; // prettier-ignore
        y = Bt[b3 + k]!;
        s03 += x0 * y; s13 += x1 * y; s23 += x2 * y; s33 += x3 * y; // prettier-ignore
      }
      C[c0 + j] = s00; C[c0 + j + 1] = s01; C[c0 + j + 2] = s02; C[c0 + j + 3] = s03; // prettier-ignore
      C[c1 + j] = s10; C[c1 + j + 1] = s11; C[c1 + j + 2] = s12; C[c1 + j + 3] = s13; // prettier-ignore
      C[c2 + j] = s20; C[c2 + j + 1] = s21; C[c2 + j + 2] = s22; C[c2 + j + 3] = s23; // prettier-ignore
      C[c3 + j] = s30; C[c3 + j + 1] = s31; C[c3 + j + 2] = s32; C[c3 + j + 3] = s33; // prettier-ignore
    }
    for (; j < N; j++) {
      const b = bOff + j * K;
      C[c0 + j] = dotAt(A, a0, Bt, b, K, C[c0 + j]!);
      C[c1 + j] = dotAt(A, a1, Bt, b, K, C[c1 + j]!);
      C[c2 + j] = dotAt(A, a2, Bt, b, K, C[c2 + j]!);
      C[c3 + j] = dotAt(A, a3, Bt, b, K, C[c3 + j]!);
    }
  }
  for (; i < M; i++) {
    const a = aOff + i * K;
    const c = cOff + i * N;
    for (let j = 0; j < N; j++) {
      C[c + j] = dotAt(A, a, Bt, bOff + j * K, K, C[c + j]!);
    }
  }
}

/** `init + Σ_k x[xOff+k]·y[yOff+k]`, four independent accumulators so the adds pipeline. */
export function dotAt(x: Float32Array, xOff: number, y: Float32Array, yOff: number, n: number, init: number): number {
  let s0 = init;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let k = 0;
  for (; k + 4 <= n; k += 4) {
    s0 += x[xOff + k]! * y[yOff + k]!;
    s1 += x[xOff + k + 1]! * y[yOff + k + 1]!;
    s2 += x[xOff + k + 2]! * y[yOff + k + 2]!;
    s3 += x[xOff + k + 3]! * y[yOff + k + 3]!;
  }
  for (; k < n; k++) s0 += x[xOff + k]! * y[yOff + k]!;
  return s0 + s1 + (s2 + s3);
}

/** `dst[cols×rows] = src[rows×cols]ᵀ` (src read from `srcOff`), in 8×8 tiles to keep both sides in cache. */
export function transpose(src: Float32Array, srcOff: number, rows: number, cols: number, dst: Float32Array): void {
  const T = 8;
  for (let r0 = 0; r0 < rows; r0 += T) {
    const r1 = r0 + T < rows ? r0 + T : rows;
    for (let c0 = 0; c0 < cols; c0 += T) {
      const c1 = c0 + T < cols ? c0 + T : cols;
      for (let r = r0; r < r1; r++) {
        const s = srcOff + r * cols;
        for (let c = c0; c < c1; c++) dst[c * rows + r] = src[s + c]!;
      }
    }
  }
}

/** Like {@link transpose} but writes the squares of the entries (Fisher accumulation needs (a∘a)ᵀ). */
export function transposeSquared(src: Float32Array, srcOff: number, rows: number, cols: number, dst: Float32Array): void {
  const T = 8;
  for (let r0 = 0; r0 < rows; r0 += T) {
    const r1 = r0 + T < rows ? r0 + T : rows;
    for (let c0 = 0; c0 < cols; c0 += T) {
      const c1 = c0 + T < cols ? c0 + T : cols;
      for (let r = r0; r < r1; r++) {
        const s = srcOff + r * cols;
        for (let c = c0; c < c1; c++) {
          const v = src[s + c]!;
          dst[c * rows + r] = v * v;
        }
      }
    }
  }
}
