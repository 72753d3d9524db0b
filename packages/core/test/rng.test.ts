import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, Rng } from '../src/index.js';

describe('Rng', () => {
  it('produces the same sequence for the same seed and different ones for different seeds', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const c = new Rng(43);
    const sa = Array.from({ length: 8 }, () => a.nextU32());
    const sb = Array.from({ length: 8 }, () => b.nextU32());
    const sc = Array.from({ length: 8 }, () => c.nextU32());
    expect(sa).toEqual(sb);
    expect(sa).not.toEqual(sc);
    for (const x of sa) expect(x).toBeGreaterThanOrEqual(0);
  });

  it('continues identically after getState / fromState, including the cached normal', () => {
    const a = new Rng(7);
    for (let i = 0; i < 10; i++) a.float();
    a.normal(); // leaves a spare cached
    const b = Rng.fromState(JSON.parse(JSON.stringify(a.getState())));
    for (let i = 0; i < 100; i++) expect(b.normal()).toBe(a.normal());
    for (let i = 0; i < 100; i++) expect(b.int(17)).toBe(a.int(17));
  });

  it('int(n) is uniform: chi-square over 100k draws stays under the 0.999 quantile', () => {
    const rng = new Rng(1);
    const n = 10;
    const counts = new Array<number>(n).fill(0);
    const draws = 100_000;
    for (let i = 0; i < draws; i++) counts[rng.int(n)]!++;
    const expected = draws / n;
    const chi2 = counts.reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
    expect(chi2).toBeLessThan(27.88); // chi-square 0.999 quantile, 9 dof
  });

  it('float() is in [0, 1) with mean near 1/2 and normal() has mean 0, variance 1', () => {
    const rng = new Rng(3);
    let sum = 0;
    let min = 1;
    let max = 0;
    for (let i = 0; i < 50_000; i++) {
      const u = rng.float();
      sum += u;
      min = Math.min(min, u);
      max = Math.max(max, u);
    }
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    expect(Math.abs(sum / 50_000 - 0.5)).toBeLessThan(0.01);
    let m = 0;
    let m2 = 0;
    for (let i = 0; i < 50_000; i++) {
      const z = rng.normal();
      m += z;
      m2 += z * z;
    }
    expect(Math.abs(m / 50_000)).toBeLessThan(0.02);
    expect(Math.abs(m2 / 50_000 - 1)).toBeLessThan(0.03);
  });

  it('rejects a bad seed and a corrupt state with a typed error naming the field', () => {
    expect(() => new Rng(-1)).toThrow(InvalidArgumentError);
    expect(() => new Rng(1.5)).toThrow(/seed/);
    expect(() => Rng.fromState({ version: 1, algorithm: 'xoshiro128**', s: [1, 2, 3], spare: null })).toThrow(
      /rngState\.s/,
    );
    expect(() => Rng.fromState({ version: 2 })).toThrow(InvalidArgumentError);
  });

  it('shuffle permutes every element exactly once', () => {
    const rng = new Rng(9);
    const xs = Array.from({ length: 100 }, (_, i) => i);
    rng.shuffle(xs);
    expect([...xs].sort((p, q) => p - q)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(xs).not.toEqual(Array.from({ length: 100 }, (_, i) => i));
  });
});
