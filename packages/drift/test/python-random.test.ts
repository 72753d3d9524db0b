import { describe, expect, it } from 'vitest';
import { PythonRandom } from '../src/index.js';
import { riverBinaryStream, riverNumericStream } from './streams.js';

// Expected values were printed by CPython 3.11's `random` module.
describe('PythonRandom (CPython MT19937 port)', () => {
  it('reproduces random() and getrandbits(32) of Random(42)', () => {
    const r = new PythonRandom(42);
    expect(r.random()).toBe(0.6394267984578837);
    expect(r.getrandbits(32)).toBe(107420369);
  });

  it('seeds a 64-bit integer by its 32-bit words, least significant first', () => {
    expect(new PythonRandom(2 ** 40 + 5).random()).toBe(0.5043802970418443);
  });

  it('reproduces choices() with and without weights', () => {
    const numeric = riverNumericStream();
    expect(numeric.reduce((a, b) => a + b, 0)).toBe(5970);
    expect(numeric.slice(0, 10)).toEqual([0, 0, 1, 0, 0, 0, 1, 0, 0, 0]);
    expect(numeric.slice(1000, 1010)).toEqual([4, 6, 7, 4, 6, 7, 5, 4, 6, 7]);
    const binary = riverBinaryStream();
    expect(binary.reduce((a, b) => a + b, 0)).toBe(1234);
    expect(binary.slice(1000, 1020).join('')).toBe('01111100111110100101');
  });

  it('reproduces sample(range(70), 30) on the pool branch', () => {
    expect(new PythonRandom(42).sampleIndices(70, 30)).toEqual([
      14, 3, 35, 31, 28, 17, 13, 43, 47, 57, 34, 5, 37, 27, 2, 1, 58, 63, 69, 32, 38, 54, 67, 12, 45, 41, 59, 26, 51, 65,
    ]);
  });

  it('reproduces sample(range(1000), 30) on the set branch, then gauss()', () => {
    const r = new PythonRandom(7);
    expect(r.sampleIndices(1000, 30)).toEqual([
      331, 970, 154, 404, 666, 49, 74, 840, 548, 96, 374, 596, 59, 931, 519, 219, 38, 88, 444, 428, 71, 246, 92, 564, 434,
      60, 846, 579, 126, 228,
    ]);
    expect(r.gauss()).toBeCloseTo(-0.9015968494742289, 14);
    expect(r.gauss()).toBeCloseTo(-0.9677016010771333, 14);
    expect(r.gauss()).toBeCloseTo(1.2282353823648609, 14);
  });

  it('continues identically after a JSON round trip of its state', () => {
    const a = new PythonRandom(99);
    for (let i = 0; i < 700; i++) a.random();
    a.gauss();
    const b = PythonRandom.fromState(JSON.parse(JSON.stringify(a.getState())));
    for (let i = 0; i < 50; i++) expect(b.random()).toBe(a.random());
    expect(b.gauss()).toBe(a.gauss());
  });

  it('randbelow stays in range and is uniform over 6 values', () => {
    const r = new PythonRandom(3);
    const counts = new Array<number>(6).fill(0);
    for (let i = 0; i < 60000; i++) counts[r.randbelow(6)]! += 1;
    for (const c of counts) expect(Math.abs(c - 10000)).toBeLessThan(400);
  });

  it('rejects a non-integer seed with a typed error', () => {
    expect(() => new PythonRandom(1.5)).toThrowError(expect.objectContaining({ code: 'E_INVALID_ARGUMENT', field: 'seed' }));
  });
});
