// Native kernels flush subnormal floats to zero inside a call (SPEC "Subnormal floats"); JavaScript keeps them.
import { describe, expect, it } from 'vitest';
import { nativeKernels } from './backends.js';
import { loadKernels } from '../src/index.js';

const TINY = 1.176e-38; // β1·TINY and β2·TINY are below 2^-126: subnormal float32 results.

/** Adam with a zero gradient from moments at TINY, on `n` parameters: m and v decay into the subnormal range. */
function decayed(k: ReturnType<typeof loadKernels>, n: number): { m: Float32Array; v: Float32Array } {
  const params = new Float32Array(n).fill(0.5);
  const m = new Float32Array(n).fill(TINY);
  const v = new Float32Array(n).fill(TINY);
  k.adamStep({ params, grad: new Float32Array(n), m, v, step: 2, lr: 1e-3 });
  return { m, v };
}

describe.skipIf(!nativeKernels)('native subnormals', () => {
  it('are flushed to zero on the calling thread and on the pool threads, and JavaScript keeps its own', () => {
    const k = nativeKernels!;
    const before = k.threads();
    try {
      for (const [threads, n] of [
        [1, 64],
        [2, 1 << 19],
      ] as const) {
        k.setThreads(threads);
        const { m, v } = decayed(k, n);
        expect(m.every((x) => x === 0)).toBe(true);
        expect(v.every((x) => x === 0)).toBe(true);
      }
    } finally {
      k.setThreads(before);
    }
    // After native calls, double and float32 subnormals still exist in JavaScript (V8 relies on IEEE semantics).
    const tiny = Number(process.env['RETAIN_TEST_TINY'] ?? '1e-310');
    expect(tiny * 1).toBe(1e-310);
    expect(Math.fround(TINY * 0.9)).toBeGreaterThan(0);
  });
});

describe('ts subnormals', () => {
  it('are kept (the only place the backends may differ)', () => {
    const { m, v } = decayed(loadKernels({ backend: 'ts' }), 64);
    expect(m[0]).toBeGreaterThan(0);
    expect(m[0]).toBeLessThan(1.1754943508222875e-38);
    expect(v[0]).toBeGreaterThan(0);
  });
});
