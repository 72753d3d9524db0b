// The dropout hash is the one piece both backends must reproduce bit for bit (SPEC.md).
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { dropoutBits, dropoutKeep, dropoutLayerKey, lowbias32 } from '../src/index.js';

/** An independent BigInt transcription of SPEC.md's lowbias32 (no Math.imul, no sign tricks). */
function lowbias32Big(v: number): number {
  const M = 0xffffffffn;
  let x = BigInt(v) & M;
  x ^= x >> 16n;
  x = (x * 0x7feb352dn) & M;
  x ^= x >> 15n;
  x = (x * 0x846ca68bn) & M;
  x ^= x >> 16n;
  return Number(x);
}

describe('dropout hash', () => {
  it('lowbias32 agrees with an exact BigInt transcription on edge and pseudo-random inputs', () => {
    const inputs = [0, 1, 2, 0x7fffffff, 0x80000000, 0xffffffff, 0x12345678];
    for (let k = 0, s = 1; k < 2000; k++) inputs.push((s = (Math.imul(s, 1664525) + 1013904223) >>> 0));
    for (const x of inputs) expect(lowbias32(x)).toBe(lowbias32Big(x));
  });

  it('layer keys and bits follow SPEC.md with wrapping arithmetic (BigInt reference)', () => {
    for (const seed of [0, 42, 0xdeadbeef, 0xffffffff]) {
      for (const layer of [0, 1, 5]) {
        const mul = Number((BigInt(layer + 1) * 0x9e3779b9n) & 0xffffffffn);
        const key = lowbias32Big(Number((BigInt(seed) ^ BigInt(lowbias32Big(mul))) & 0xffffffffn));
        expect(dropoutLayerKey(seed, layer)).toBe(key);
        for (const [i, j, w] of [
          [0, 0, 1],
          [127, 399, 400],
          [70000, 65535, 70000],
        ] as const) {
          const idx = (BigInt(i) * BigInt(w) + BigInt(j)) & 0xffffffffn;
          expect(dropoutBits(seed, layer, i, j, w)).toBe(lowbias32Big(Number(BigInt(key) ^ idx)));
        }
      }
    }
  });

  it('keep compares the top 24 bits as a uniform in [0, 1) with the rate', () => {
    const bits = dropoutBits(9, 0, 3, 2, 8);
    const u = (bits >>> 8) / 16777216;
    expect(dropoutKeep(9, 0, 3, 2, 8, u)).toBe(true);
    expect(dropoutKeep(9, 0, 3, 2, 8, u + 1e-9)).toBe(false);
    expect(dropoutKeep(9, 0, 3, 2, 8, 0)).toBe(true);
  });

  const vectorsPath = fileURLToPath(new URL('../native/dropout-vectors.json', import.meta.url));
  it.runIf(existsSync(vectorsPath))('reproduces the vectors committed by the native crate (native/dropout-vectors.json)', () => {
    const v = JSON.parse(readFileSync(vectorsPath, 'utf8')) as {
      lowbias32: Array<{ x: number; out: number }>;
      layerKey: Array<{ seed: number; layer: number; out: number }>;
      bits: Array<{ seed: number; layer: number; example: number; width: number; unit: number; out: number }>;
      masks: Array<{ seed: number; layer: number; rows: number; width: number; rate: number; keep: string }>;
    };
    for (const c of v.lowbias32) expect(lowbias32(c.x)).toBe(c.out);
    for (const c of v.layerKey) expect(dropoutLayerKey(c.seed, c.layer)).toBe(c.out);
    for (const c of v.bits) expect(dropoutBits(c.seed, c.layer, c.example, c.unit, c.width)).toBe(c.out);
    for (const c of v.masks) {
      let keep = '';
      for (let i = 0; i < c.rows; i++) for (let j = 0; j < c.width; j++) keep += dropoutKeep(c.seed, c.layer, i, j, c.width, c.rate) ? '1' : '0';
      expect(keep).toBe(c.keep);
    }
    expect(v.lowbias32.length + v.layerKey.length + v.bits.length + v.masks.length).toBeGreaterThan(10);
  });
});
