import { Rng } from '@retain/core';
import { describe, expect, it } from 'vitest';
import { ExtremaTree, SumTree } from '../src/index.js';

describe('SumTree', () => {
  it('finds the leaf whose cumulative range contains u, at every boundary', () => {
    const tree = new SumTree(5);
    const values = [1, 0, 2.5, 0.5, 3];
    values.forEach((v, i) => tree.set(i, v));
    expect(tree.total()).toBe(7);
    // Cumulative ranges: [0,1) → 0, [1,3.5) → 2, [3.5,4) → 3, [4,7) → 4.
    const cases: [number, number][] = [
      [0, 0], [0.999, 0], [1, 2], [3.49, 2], [3.5, 3], [3.99, 3], [4, 4], [6.999, 4],
    ];
    for (const [u, leaf] of cases) expect(tree.find(u)).toBe(leaf);
  });

  it('never returns a zero leaf, even when u overshoots the total by rounding', () => {
    const tree = new SumTree(8);
    tree.set(2, 0.1);
    tree.set(5, 0.2);
    expect(tree.find(tree.total())).toBe(5);
    expect(tree.find(tree.total() * 2)).toBe(5);
    tree.set(5, 0);
    expect(tree.find(1)).toBe(2);
  });

  it('keeps its total equal to a fresh recomputation after 10M random priority updates', () => {
    const n = 4096;
    const tree = new SumTree(n);
    const leaves = new Float64Array(n);
    const rng = new Rng(7);
    for (let k = 0; k < 10_000_000; k++) {
      const i = rng.nextU32() & (n - 1);
      // Priorities spanning nine orders of magnitude, the regime where delta updates drift.
      const v = Math.exp(rng.float() * 20 - 10);
      leaves[i] = v;
      tree.set(i, v);
    }
    let naive = 0;
    for (let i = 0; i < n; i++) naive += leaves[i]!;
    expect(Math.abs(tree.total() - naive) / naive).toBeLessThan(1e-6);
    const fresh = new SumTree(n);
    leaves.forEach((v, i) => fresh.setLeafOnly(i, v));
    fresh.rebuild();
    // Bit-identical: every node is recomputed from its children, never adjusted by a delta.
    expect(tree.total()).toBe(fresh.total());
    for (let u = 0; u < naive; u += naive / 997) expect(tree.find(u)).toBe(fresh.find(u));
  });
});

describe('ExtremaTree', () => {
  it('tracks min, argmin (ties: smaller tie key, then lower index) and max like a brute-force scan', () => {
    const n = 37;
    const tree = new ExtremaTree(n);
    const key = new Array<number | null>(n).fill(null);
    const tie = new Array<number>(n).fill(0);
    const rng = new Rng(3);
    for (let step = 0; step < 5000; step++) {
      const i = rng.int(n);
      if (rng.float() < 0.3) {
        key[i] = null;
        tree.remove(i);
      } else {
        key[i] = rng.int(6); // few distinct values, so ties are common
        tie[i] = rng.int(4);
        tree.set(i, key[i]!, tie[i]!);
      }
      let best = -1;
      let max = -Infinity;
      for (let j = 0; j < n; j++) {
        const k = key[j];
        if (k === null || k === undefined) continue;
        max = Math.max(max, k);
        if (best < 0 || k < key[best]! || (k === key[best]! && tie[j]! < tie[best]!)) best = j;
      }
      expect(tree.argmin()).toBe(best);
      expect(tree.min()).toBe(best < 0 ? Infinity : key[best]);
      expect(tree.max()).toBe(max);
    }
  });
});
