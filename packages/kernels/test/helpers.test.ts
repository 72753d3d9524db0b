// initParams and argmaxRows: the small helpers users need around the kernels.
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, Rng, ShapeError, paramLayout } from '@retain/core';
import { argmaxRows, initParams } from '../src/index.js';

describe('initParams', () => {
  it('draws He-normal weights (std √(2/fan_in)) and zero biases for relu, deterministically per seed', () => {
    const sizes = [200, 300, 10];
    const p = initParams(sizes, new Rng(5));
    expect(initParams(sizes, new Rng(5))).toEqual(p);
    expect(initParams(sizes, new Rng(6))).not.toEqual(p);
    const [w0, b0, , b1] = paramLayout(sizes);
    let s2 = 0;
    for (let k = 0; k < w0!.length; k++) s2 += p[w0!.offset + k]! ** 2;
    // 60,000 draws: the sample std is within 2% of √(2/200) = 0.1.
    expect(Math.sqrt(s2 / w0!.length)).toBeCloseTo(0.1, 2);
    expect(p.subarray(b0!.offset, b0!.offset + b0!.length).every((v) => v === 0)).toBe(true);
    expect(p.subarray(b1!.offset, b1!.offset + b1!.length).every((v) => v === 0)).toBe(true);
  });

  it('draws Glorot-uniform weights within ±√(6/(fan_in+fan_out)) for tanh', () => {
    const p = initParams([50, 100], new Rng(1), 'tanh');
    const limit = Math.sqrt(6 / 150);
    const w = p.subarray(0, 5000);
    expect(w.every((v) => Math.abs(v) <= limit)).toBe(true);
    // Uniform on [−L, L] has variance L²/3.
    const variance = w.reduce((s, v) => s + v * v, 0) / w.length;
    expect(variance / (limit * limit / 3)).toBeGreaterThan(0.95);
    expect(variance / (limit * limit / 3)).toBeLessThan(1.05);
  });
});

describe('argmaxRows', () => {
  it('returns the first maximal index per row and never picks −∞ over a finite value', () => {
    const v = Float32Array.of(1, 3, 3, -Infinity, -5, -Infinity, 0, 0, 0);
    expect(Array.from(argmaxRows(v, 3, 3))).toEqual([1, 1, 0]);
    const out = new Int32Array(3);
    expect(argmaxRows(v, 3, 3, out)).toBe(out);
  });

  it('rejects inconsistent shapes', () => {
    expect(() => argmaxRows(new Float32Array(5), 2, 3)).toThrow(ShapeError);
    expect(() => argmaxRows(new Float32Array(6), 2, 3, new Int32Array(3))).toThrow(ShapeError);
    expect(() => argmaxRows(new Float32Array(0), 0, 0)).toThrow(InvalidArgumentError);
  });
});
