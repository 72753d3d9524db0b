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

describe('initParams schemes', () => {
  it('torch: weights and biases uniform in ±1/√fan_in (PyTorch nn.Linear), every layer by its own fan-in', () => {
    const sizes = [400, 100, 10];
    const p = initParams(sizes, new Rng(3), 'relu', 'torch');
    expect(initParams(sizes, new Rng(3), 'relu', 'torch')).toEqual(p);
    for (const t of paramLayout(sizes)) {
      const fanIn = t.name.startsWith('fc0') ? 400 : 100;
      const limit = 1 / Math.sqrt(fanIn);
      const v = p.subarray(t.offset, t.offset + t.length);
      expect(v.every((x) => Math.abs(x) <= limit)).toBe(true);
      expect(v.some((x) => x !== 0)).toBe(true);
      if (t.length >= 1000) {
        const variance = v.reduce((s, x) => s + x * x, 0) / v.length;
        expect(variance / ((limit * limit) / 3)).toBeGreaterThan(0.93);
        expect(variance / ((limit * limit) / 3)).toBeLessThan(1.07);
      }
    }
  });

  it('auto is He for relu and Glorot for tanh, draw for draw; he and glorot force the rule', () => {
    const sizes = [30, 20, 5];
    expect(initParams(sizes, new Rng(9), 'relu', 'auto')).toEqual(initParams(sizes, new Rng(9), 'relu'));
    expect(initParams(sizes, new Rng(9), 'tanh', 'he')).toEqual(initParams(sizes, new Rng(9), 'relu'));
    expect(initParams(sizes, new Rng(9), 'relu', 'glorot')).toEqual(initParams(sizes, new Rng(9), 'tanh'));
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
