import { describe, expect, it } from 'vitest';
import { ks2Samp, PythonRandom } from '../src/index.js';

function binom(n: number, k: number): number {
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return r;
}

function statistic(a: number[], b: number[]): number {
  const all = [...a, ...b];
  let d = 0;
  for (const v of all) {
    const fa = a.filter((x) => x <= v).length / a.length;
    const fb = b.filter((x) => x <= v).length / b.length;
    d = Math.max(d, Math.abs(fa - fb));
  }
  return d;
}

// Exact permutation p-value: the share of all splits of the pooled values with D ≥ observed.
function bruteForceP(a: number[], b: number[]): number {
  const pooled = [...a, ...b];
  const n = pooled.length;
  const d0 = statistic(a, b);
  let hit = 0;
  let total = 0;
  const pick = (start: number, chosen: number[]): void => {
    if (chosen.length === a.length) {
      const set = new Set(chosen);
      const x = chosen.map((i) => pooled[i]!);
      const y = pooled.filter((_, i) => !set.has(i));
      total += 1;
      if (statistic(x, y) >= d0 - 1e-12) hit += 1;
      return;
    }
    for (let i = start; i < n; i++) pick(i + 1, [...chosen, i]);
  };
  pick(0, []);
  return hit / total;
}

describe('ks2Samp (SciPy ks_2samp, method auto → exact)', () => {
  it('gives D = 1 and p = 2 / C(2n, n) for two separated samples of equal size', () => {
    const r = ks2Samp([1, 2, 3, 4, 5], [6, 7, 8, 9, 10]);
    expect(r.statistic).toBe(1);
    expect(r.pValue).toBeCloseTo(2 / binom(10, 5), 15);
  });

  it('gives p = 1 for identical samples', () => {
    expect(ks2Samp([1, 2, 3], [3, 2, 1])).toEqual({ statistic: 0, pValue: 1 });
  });

  it('matches a brute-force permutation count for equal sizes', () => {
    const r = new PythonRandom(5);
    const a = Array.from({ length: 6 }, () => r.random());
    const b = Array.from({ length: 6 }, () => r.random() + 0.3);
    expect(ks2Samp(a, b).pValue).toBeCloseTo(bruteForceP(a, b), 12);
  });

  it('matches a brute-force permutation count for unequal sizes (lattice-path method)', () => {
    const r = new PythonRandom(11);
    for (let trial = 0; trial < 3; trial++) {
      const a = Array.from({ length: 4 }, () => r.random());
      const b = Array.from({ length: 7 }, () => r.random() + 0.2);
      const got = ks2Samp(a, b);
      expect(got.statistic).toBeCloseTo(statistic(a, b), 12);
      expect(got.pValue).toBeCloseTo(bruteForceP(a, b), 12);
    }
  });

  it('rejects an empty sample with a typed error', () => {
    expect(() => ks2Samp([], [1])).toThrowError(expect.objectContaining({ code: 'E_INVALID_ARGUMENT', field: 'a' }));
  });
});
