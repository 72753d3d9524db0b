import { Rng } from '@retain/core';
import { describe, expect, it } from 'vitest';
import { ReplayBuffer } from '../src/index.js';
import { STRATEGIES } from './strategies.js';

const INSERTS = 1_000_000;
const CAPACITY = 1000;
const DOMAINS = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];

describe.each(STRATEGIES)('capacity and eviction invariants over 1M inserts: $name', ({ strategy }) => {
  it('holds exactly capacity items, each evicted item leaves, and strategy-specific order holds', () => {
    const buf = new ReplayBuffer<number>({ capacity: CAPACITY, strategy, seed: 9 });
    const rng = new Rng(10);
    const kind = strategy.kind;
    let evictions = 0;
    for (let i = 0; i < INSERTS; i++) {
      const domain = DOMAINS[i < INSERTS / 2 ? i % 3 : i % 7]!;
      const r = buf.add(i, { id: String(i), loss: rng.float(), domain, time: i });
      if (r.evictedId !== null) evictions++;
      if (i % 50_000 === 49_999) {
        expect(buf.size).toBe(CAPACITY);
        expect(buf.has(r.evictedId ?? 'none')).toBe(false);
        if (kind === 'uniform' || kind === 'prioritizedRecency') {
          // FIFO by insertion: exactly the newest CAPACITY items.
          const items = [...buf.entries()].map((e) => e.item).sort((a, b) => a - b);
          expect(items[0]).toBe(i - CAPACITY + 1);
          expect(items[CAPACITY - 1]).toBe(i);
        }
        if (kind === 'domainBalanced') {
          const counts = Object.values(buf.stats().domainDistribution);
          expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
        }
        if (kind === 'prioritizedLoss' || kind === 'mixed') {
          // The next victim is the lowest priority stored (the oldest among equals).
          const entries = [...buf.entries()];
          const expected = entries.reduce((a, b) => (b.priority < a.priority || (b.priority === a.priority && b.step < a.step) ? b : a));
          expect(buf.add(-1, { id: `probe${i}`, domain }).evictedId).toBe(expected.id);
        }
      }
    }
    const stats = buf.stats();
    expect(stats.size).toBe(CAPACITY);
    if (kind === 'reservoir' && strategy.weighting === 'none') {
      // Algorithm R keeps about k·ln(n/k) replacements: E[evictions] = Σ_{t>k} k/t.
      expect(evictions).toBeGreaterThan(CAPACITY * Math.log(INSERTS / CAPACITY) * 0.9);
      expect(evictions).toBeLessThan(CAPACITY * Math.log(INSERTS / CAPACITY) * 1.1);
    } else if (kind !== 'reservoir') {
      expect(evictions).toBeGreaterThanOrEqual(INSERTS - CAPACITY);
    }
  });
});
