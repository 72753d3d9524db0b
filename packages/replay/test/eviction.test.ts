import { Rng } from '@retain/core';
import { describe, expect, it } from 'vitest';
import { ReplayBuffer } from '../src/index.js';
import { chiSquare, chiSquareCritical } from './chi-square.js';

const idsOf = (buf: ReplayBuffer<unknown>) => [...buf.entries()].map((e) => e.id).sort();

describe('eviction', () => {
  it('uniform evicts first-in first-out', () => {
    const buf = new ReplayBuffer<number>({ capacity: 3, strategy: { kind: 'uniform' } });
    const evicted = [0, 1, 2, 3, 4].map((i) => buf.add(i, { id: `e${i}` }).evictedId);
    expect(evicted).toEqual([null, null, null, 'e0', 'e1']);
    expect(idsOf(buf)).toEqual(['e2', 'e3', 'e4']);
  });

  it('prioritizedLoss evicts the lowest-priority item when full', () => {
    const buf = new ReplayBuffer<number>({ capacity: 3, strategy: { kind: 'prioritizedLoss' }, newItemPriority: 'loss' });
    buf.add(0, { id: 'hard', loss: 3 });
    buf.add(1, { id: 'easy', loss: 0.1 });
    buf.add(2, { id: 'mid', loss: 1 });
    expect(buf.add(3, { id: 'new', loss: 2 }).evictedId).toBe('easy');
    expect(buf.add(4, { id: 'new2', loss: 5 }).evictedId).toBe('mid');
  });

  it('prioritizedLoss enters new items at the current max priority and evicts the oldest among equals', () => {
    const buf = new ReplayBuffer<number>({ capacity: 3, strategy: { kind: 'prioritizedLoss' }, priorityAlpha: 1, priorityEpsilon: 1e-3 });
    buf.add(0, { id: 'a', loss: 0.5 });
    buf.add(1, { id: 'b' });
    buf.add(2, { id: 'c' });
    expect(buf.get('b')!.priority).toBe(buf.get('a')!.priority);
    const batch = buf.sample(20);
    const handleOf = (id: string) => batch.handles[batch.ids.indexOf(id)]!;
    buf.updatePriorities([handleOf('a')], [4]);
    expect(buf.add(3, { id: 'd', loss: 0 }).evictedId).toBe('b'); // b and c tie at 0.501; b is older
    expect(buf.get('d')!.priority).toBeCloseTo(4.001, 12); // entered at the max, not at its own loss
    expect(buf.get('d')!.loss).toBe(0);
  });

  it('prioritizedRecency evicts the oldest item whatever its loss', () => {
    const buf = new ReplayBuffer<number>({ capacity: 2, strategy: { kind: 'prioritizedRecency', halfLife: 10 } });
    buf.add(0, { id: 'old', loss: 9 });
    buf.add(1, { id: 'mid', loss: 0 });
    expect(buf.add(2, { id: 'new' }).evictedId).toBe('old');
  });

  it('domainBalanced splits capacity ⌊cap/G⌋ plus the remainder, adapting as domains appear', () => {
    const buf = new ReplayBuffer<number>({ capacity: 10, strategy: { kind: 'domainBalanced' }, seed: 4 });
    let i = 0;
    const add = (domain: string, n: number) => {
      for (let k = 0; k < n; k++, i++) buf.add(i, { id: `x${i}`, domain });
    };
    add('a', 20);
    expect(buf.stats().domainDistribution).toEqual({ a: 10 });
    add('b', 30);
    expect(buf.stats().domainDistribution).toEqual({ a: 5, b: 5 });
    add('c', 30);
    expect(buf.stats().domainDistribution).toEqual({ a: 4, b: 3, c: 3 }); // 3 each, the spare to the first
    add('d', 2); // a small domain keeps all it has; the largest groups pay for it
    expect(buf.stats().domainDistribution).toEqual({ a: 3, b: 3, c: 2, d: 2 });
    // A new item of an over-quota domain replaces one of its own.
    expect(buf.add(999, { id: 'a-new', domain: 'a' }).evictedId).toMatch(/^x\d+$/);
    expect(buf.stats().domainDistribution).toEqual({ a: 3, b: 3, c: 2, d: 2 });
  });

  it('reservoir keeps every stream item with probability k/n (Algorithm R)', () => {
    const n = 40;
    const k = 5;
    const runs = 4000;
    const counts = new Float64Array(n);
    for (let r = 0; r < runs; r++) {
      const buf = new ReplayBuffer<number>({ capacity: k, strategy: { kind: 'reservoir' }, seed: r });
      for (let i = 0; i < n; i++) buf.add(i, { id: String(i) });
      for (const e of buf.entries()) counts[e.item]!++;
    }
    const expected = new Array<number>(n).fill(1 / n);
    // Each run keeps k items: compare per-item inclusion counts against k/n of the runs.
    expect(chiSquare(counts, expected, runs * k)).toBeLessThan(chiSquareCritical(n - 1));
    for (const c of counts) expect(Math.abs(c / runs - k / n)).toBeLessThan(0.03);
  });

  it('loss-weighted reservoir with one slot keeps item i with probability w_i / Σw (A-Res)', () => {
    const losses = [1, 2, 3, 4];
    const runs = 20_000;
    const counts = new Float64Array(losses.length);
    for (let r = 0; r < runs; r++) {
      const buf = new ReplayBuffer<number>({
        capacity: 1,
        strategy: { kind: 'reservoir', weighting: 'loss' },
        priorityAlpha: 1,
        priorityEpsilon: 1e-12,
        seed: r,
      });
      losses.forEach((loss, i) => buf.add(i, { id: String(i), loss }));
      counts[[...buf.entries()][0]!.item]!++;
    }
    expect(chiSquare(counts, [0.1, 0.2, 0.3, 0.4], runs)).toBeLessThan(chiSquareCritical(3));
  });

  it('replaces an entry when an id already stored is added again', () => {
    const buf = new ReplayBuffer<string>({ capacity: 3, strategy: { kind: 'uniform' } });
    buf.add('v1', { id: 'x', loss: 1 });
    buf.add('other', { id: 'y' });
    buf.add('v2', { id: 'x', loss: 2 });
    expect(buf.size).toBe(2);
    expect(buf.get('x')).toMatchObject({ item: 'v2', loss: 2, step: 2 });
  });

  it('counts replays on update by default, or on sample when configured', () => {
    const onUpdate = new ReplayBuffer<number>({ capacity: 4, strategy: { kind: 'uniform' }, seed: 1 });
    const onSample = new ReplayBuffer<number>({ capacity: 4, strategy: { kind: 'uniform' }, seed: 1, countReplaysOn: 'sample' });
    for (const b of [onUpdate, onSample]) for (let i = 0; i < 4; i++) b.add(i, { id: `e${i}` });
    const a = onUpdate.sample(6);
    const b = onSample.sample(6);
    expect(onUpdate.stats().totalReplays).toBe(0);
    expect(onSample.stats().totalReplays).toBe(6);
    onUpdate.updatePriorities(a.handles, [1, 1, 1, 1, 1, 1]);
    expect(onUpdate.stats().totalReplays).toBe(6);
    const counted = (buf: ReplayBuffer<number>) => [...buf.entries()].map((e) => e.replayCount);
    expect(counted(onUpdate)).toEqual(counted(onSample));
    expect(b.ids).toEqual(a.ids);
    expect(onUpdate.stats().avgLoss).toBe(1);
  });

  it('stays exact when recency weights are rebased far past 2^512', () => {
    const buf = new ReplayBuffer<number>({ capacity: 3, strategy: { kind: 'prioritizedRecency', halfLife: 1 }, seed: 2 });
    const rng = new Rng(1);
    for (let i = 0; i < 2000; i++) buf.add(i, { id: `e${i}`, loss: rng.float() });
    // The three newest, weights 1 : 2 : 4.
    expect(buf.probabilityOf('e1997')).toBeCloseTo(1 / 7, 14);
    expect(buf.probabilityOf('e1999')).toBeCloseTo(4 / 7, 14);
    const restored = ReplayBuffer.restore<number>(buf.snapshot());
    expect(restored.sample(20).ids).toEqual(buf.sample(20).ids);
  });
});
