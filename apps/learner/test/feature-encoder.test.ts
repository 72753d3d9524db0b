import { describe, expect, it } from 'vitest';
import murmurhash from 'murmurhash';
import { InvalidExampleError } from '@retain/core';
import { FeatureEncoder, LabelVocabulary } from '../src/index.js';

describe('FeatureEncoder', () => {
  it('passes dense inputs through and names the bad index', () => {
    const enc = new FeatureEncoder({ size: 3, standardize: false });
    const out = new Float32Array(3);
    enc.encode([1, 2, 3], out);
    expect([...out]).toEqual([1, 2, 3]);
    expect(() => enc.encode([1, Number.NaN, 3], out)).toThrow(/input\[1\]/);
    expect(() => enc.encode([1, 2], out)).toThrow(InvalidExampleError);
    expect(() => enc.encode(new Float32Array([1, 2, Infinity]), out)).toThrow(/input\[2\]/);
  });

  it('hashes named fields into signed slots as scikit-learn FeatureHasher does', () => {
    const size = 16;
    const enc = new FeatureEncoder({ size, standardize: false });
    const out = new Float32Array(size);
    enc.encode({ amount: 2.5, country: 'fr', vip: true }, out);
    const expected = new Float32Array(size);
    for (const [key, value] of [
      ['amount', 2.5],
      ['country=fr', 1],
      ['vip', 1],
    ] as const) {
      const h = murmurhash.v3(new TextEncoder().encode(key), 0) | 0;
      expected[Math.abs(h) % size] += h >= 0 ? value : -value;
    }
    expect([...out]).toEqual([...expected]);
    expect(() => enc.encode({ amount: Number.POSITIVE_INFINITY }, out)).toThrow(/input\.amount/);
    expect(() => enc.encode({ tags: [1] as unknown as number }, out)).toThrow(/input\.tags/);
  });

  it('standardizes with running mean and unbiased variance, and restores exactly', () => {
    const enc = new FeatureEncoder({ size: 2, standardize: true });
    const raw = new Float32Array(2);
    for (const row of [
      [1, 10],
      [2, 10],
      [3, 10],
    ]) {
      enc.encodeRaw(row, raw);
      enc.observe(raw);
    }
    const out = new Float32Array(2);
    enc.encode([4, 12], out);
    expect(out[0]).toBeCloseTo((4 - 2) / 1, 6); // mean 2, sample variance 1
    expect(out[1]).toBeCloseTo(12 - 10, 6); // zero variance: scale 1
    const copy = FeatureEncoder.restore(enc.snapshot());
    const out2 = new Float32Array(2);
    copy.encode([4, 12], out2);
    expect([...out2]).toEqual([...out]);
  });
});

describe('LabelVocabulary', () => {
  it('assigns string labels the next free index and peeks without changing state', () => {
    const v = new LabelVocabulary();
    expect(v.peek('spam')).toEqual({ index: 0, isNew: true });
    expect(v.size).toBe(0);
    expect(v.commit('spam')).toBe(0);
    expect(v.commit(2)).toBe(2);
    expect(v.commit('ham')).toBe(3);
    expect(v.labelOf(3)).toBe('ham');
    expect(v.labelOf(1)).toBe(1);
    expect(() => v.peek(-1)).toThrow(/target/);
    expect(() => v.peek('')).toThrow(InvalidExampleError);
    const w = LabelVocabulary.restore(JSON.parse(JSON.stringify(v.snapshot())));
    expect(w.indexOf('ham')).toBe(3);
    expect(w.size).toBe(4);
  });
});
