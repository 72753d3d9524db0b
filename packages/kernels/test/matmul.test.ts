// The TS backend's GEMM and transposes against a naive triple loop, over every remainder path.
import { describe, expect, it } from 'vitest';
import { Rng } from '@retain/core';
import { gemmABt, transpose, transposeSquared } from '../src/ts/matmul.js';
import { maxRelErr } from './problem.js';

const rng = new Rng(77);
const rand = (n: number) => Float32Array.from({ length: n }, () => rng.normal());

describe('gemmABt', () => {
  it('computes C = A·Btᵀ and C += A·Btᵀ at offsets for every M, N mod 4 and small K', () => {
    for (const M of [1, 3, 4, 5, 8]) {
      for (const N of [1, 2, 4, 7]) {
        for (const K of [1, 3, 17]) {
          const A = rand(2 + M * K);
          const Bt = rand(3 + N * K);
          const C = rand(5 + M * N);
          const before = C.slice();
          const ref = new Float64Array(M * N);
          for (let i = 0; i < M; i++) {
            for (let j = 0; j < N; j++) {
              let s = 0;
              for (let k = 0; k < K; k++) s += A[2 + i * K + k]! * Bt[3 + j * K + k]!;
              ref[i * N + j] = s;
            }
          }
          gemmABt(M, N, K, A, 2, Bt, 3, C, 5, false);
          expect(maxRelErr(C.subarray(5), ref)).toBeLessThan(1e-6);
          expect(Array.from(C.subarray(0, 5))).toEqual(Array.from(before.subarray(0, 5)));
          gemmABt(M, N, K, A, 2, Bt, 3, C, 5, true);
          expect(maxRelErr(C.subarray(5), ref.map((v) => 2 * v))).toBeLessThan(1e-6);
        }
      }
    }
  });
});

describe('transpose', () => {
  it('transposes (and squares) a rows × cols block read from an offset, for shapes across tile edges', () => {
    for (const [rows, cols] of [
      [1, 1],
      [3, 9],
      [17, 8],
      [9, 20],
    ] as const) {
      const src = rand(4 + rows * cols);
      const t = new Float32Array(rows * cols);
      const sq = new Float32Array(rows * cols);
      transpose(src, 4, rows, cols, t);
      transposeSquared(src, 4, rows, cols, sq);
      for (let r = 0; r < rows; r++) {
        for (let c = 0; c < cols; c++) {
          expect(t[c * rows + r]).toBe(src[4 + r * cols + c]);
          expect(sq[c * rows + r]).toBe(Math.fround(src[4 + r * cols + c]! ** 2));
        }
      }
    }
  });
});
