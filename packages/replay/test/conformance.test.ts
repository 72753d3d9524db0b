import { InvalidArgumentError, InvalidConfigError, Rng, ShapeError, StateVersionError, StoreCorruptError } from '@retain/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyReplayChanges, ReplayBuffer } from '../src/index.js';
import type { ReplaySnapshot } from '../src/index.js';
import { STRATEGIES } from './strategies.js';

interface Item {
  n: number;
}

const DOMAINS = ['a', 'b', 'c'];

/** Feed `count` seeded items; losses and domains vary so every strategy has something to do. */
function feed(buf: ReplayBuffer<Item>, from: number, count: number, rng: Rng): void {
  for (let i = from; i < from + count; i++) {
    buf.add({ n: i }, { id: `e${i}`, loss: rng.float() * 3, domain: DOMAINS[rng.int(3)]!, time: 1_000 + 10 * i });
  }
}

/** One replay step of a learner: draw, then report fresh losses. */
function replayStep(buf: ReplayBuffer<Item>, rng: Rng): string[] {
  const batch = buf.sample(8);
  buf.updatePriorities(batch.handles, Array.from(batch.ids, () => rng.float() * 4));
  return batch.ids;
}

describe.each(STRATEGIES)('ReplayBuffer conformance: $name', ({ strategy }) => {
  const make = (capacity = 16, seed = 11) => new ReplayBuffer<Item>({ capacity, strategy, seed });

  it('never holds more than capacity and fills up to it', () => {
    const buf = make();
    const rng = new Rng(1);
    for (let i = 0; i < 100; i++) {
      feed(buf, i, 1, rng);
      expect(buf.size).toBe(Math.min(i + 1, 16));
    }
    const ids = [...buf.entries()].map((e) => e.id);
    expect(new Set(ids).size).toBe(16);
    const stats = buf.stats();
    expect(Object.values(stats.domainDistribution).reduce((a, b) => a + b, 0)).toBe(16);
    expect(stats.step).toBe(100);
  });

  it('gives per-draw probabilities that sum to 1 and match probabilityOf', () => {
    const buf = make();
    const rng = new Rng(2);
    feed(buf, 0, 40, rng);
    for (let k = 0; k < 5; k++) replayStep(buf, rng);
    const ids = [...buf.entries()].map((e) => e.id);
    const total = ids.reduce((a, id) => a + buf.probabilityOf(id), 0);
    expect(total).toBeCloseTo(1, 12);
    const batch = buf.sample(50);
    batch.ids.forEach((id, i) => expect(batch.probabilities[i]).toBe(buf.probabilityOf(id)));
    for (const w of batch.weights) {
      expect(w).toBeGreaterThan(0);
      expect(w).toBeLessThanOrEqual(1);
    }
  });

  it('ignores a priority update whose slot was evicted and reused since the draw', () => {
    const buf = make(4);
    const rng = new Rng(3);
    feed(buf, 0, 4, rng);
    const batch = buf.sample(1);
    const victim = batch.ids[0]!;
    buf.forget(victim);
    buf.add({ n: 99 }, { id: 'newcomer', loss: 0.5, domain: 'a' });
    const before = buf.get('newcomer')!;
    const applied = buf.updatePriorities(batch.handles, [100]);
    expect(applied).toBe(0);
    expect(buf.get('newcomer')).toEqual(before);
    expect(buf.stats().totalReplays).toBe(0);
  });

  it('restores a snapshot that continues with identical samples, evictions and weights', () => {
    const buf = make();
    const rng = new Rng(4);
    feed(buf, 0, 30, rng);
    for (let k = 0; k < 3; k++) replayStep(buf, rng);
    const copy = ReplayBuffer.restore<Item>(buf.snapshot());
    const rngA = new Rng(5);
    const rngB = new Rng(5);
    for (let k = 0; k < 20; k++) {
      const a = buf.sample(6);
      const b = copy.sample(6);
      expect(b.ids).toEqual(a.ids);
      expect(b.probabilities).toEqual(a.probabilities);
      expect(b.weights).toEqual(a.weights);
      buf.updatePriorities(a.handles, a.ids.map(() => rngA.float()));
      copy.updatePriorities(b.handles, b.ids.map(() => rngB.float()));
      expect(copy.add({ n: 100 + k }, { id: `n${k}`, loss: 0.1 * k, domain: 'c', time: 5000 + k })).toEqual(
        buf.add({ n: 100 + k }, { id: `n${k}`, loss: 0.1 * k, domain: 'c', time: 5000 + k }),
      );
    }
    expect(copy.snapshot()).toEqual(buf.snapshot());
    expect(copy.stats()).toEqual(buf.stats());
  });

  it('rebuilds the exact snapshot from a base plus drained changes', () => {
    const buf = make();
    const rng = new Rng(6);
    feed(buf, 0, 10, rng);
    let base: ReplaySnapshot<Item> = buf.snapshot();
    buf.drainChanges();
    for (let round = 0; round < 4; round++) {
      feed(buf, 10 + round * 15, 15, rng);
      replayStep(buf, rng);
      buf.forget(`e${10 + round * 15 + 3}`);
      const changes = buf.drainChanges();
      expect(changes.rows.length).toBeLessThanOrEqual(16);
      base = applyReplayChanges(base, changes);
      expect(base).toEqual(buf.snapshot());
    }
    const restored = ReplayBuffer.restore<Item>(base);
    expect(restored.sample(10).ids).toEqual(buf.sample(10).ids);
  });

  it('forgets an item everywhere: storage, sampling and the change log', () => {
    const buf = make(8);
    const rng = new Rng(7);
    feed(buf, 0, 8, rng);
    buf.drainChanges();
    expect(buf.forget('e2')).toBe(true);
    expect(buf.forget('e2')).toBe(false);
    expect(buf.has('e2')).toBe(false);
    expect(buf.size).toBe(7);
    expect(buf.probabilityOf('e2')).toBe(0);
    expect(buf.sample(500).ids).not.toContain('e2');
    expect([...buf.entries()].map((e) => e.id)).not.toContain('e2');
    expect(buf.drainChanges().removedIds).toEqual(['e2']);
    // Forgotten before it was ever drained: nothing to delete downstream, and no payload leaks out.
    buf.add({ n: 50 }, { id: 'secret', domain: 'a' });
    buf.forget('secret');
    const changes = buf.drainChanges();
    expect(changes.removedIds).toEqual([]);
    expect(JSON.stringify(changes.rows)).not.toContain('secret');
  });

  it('rejects bad input with a typed error naming the field and leaves the state unchanged', () => {
    const buf = make(8);
    const rng = new Rng(8);
    feed(buf, 0, 12, rng);
    const before = buf.snapshot();
    const batch = buf.sample(2);
    const afterSample = buf.snapshot();
    expect(() => buf.add({ n: 1 }, { id: '' })).toThrow(InvalidArgumentError);
    expect(() => buf.add({ n: 1 }, { id: 'x', loss: -1 })).toThrow(expect.objectContaining({ field: 'meta.loss' }));
    expect(() => buf.add({ n: 1 }, { id: 'x', loss: NaN })).toThrow(expect.objectContaining({ field: 'meta.loss' }));
    expect(() => buf.add({ n: 1 }, { id: 'x', time: Infinity })).toThrow(expect.objectContaining({ field: 'meta.time' }));
    expect(() => buf.sample(-1)).toThrow(expect.objectContaining({ field: 'n' }));
    expect(() => buf.updatePriorities(batch.handles, [1])).toThrow(ShapeError);
    expect(() => buf.updatePriorities(batch.handles, [1, Number.NaN])).toThrow(
      expect.objectContaining({ field: 'losses[1]' }),
    );
    expect(() => buf.updatePriorities([batch.handles[0]!, -3], [1, 1])).toThrow(
      expect.objectContaining({ field: 'handles[1]' }),
    );
    expect(buf.snapshot()).toEqual(afterSample);
    expect(before.state.sampleCalls + 1).toBe(afterSample.state.sampleCalls);
  });

  it('keeps its invariants and its restore equivalence under random operation sequences', () => {
    const op = fc.oneof(
      fc.record({ t: fc.constant('add' as const), id: fc.integer({ min: 0, max: 30 }), loss: fc.double({ min: 0, max: 5, noNaN: true }), d: fc.integer({ min: 0, max: 3 }) }),
      fc.record({ t: fc.constant('forget' as const), id: fc.integer({ min: 0, max: 30 }) }),
      fc.record({ t: fc.constant('replay' as const), loss: fc.double({ min: 0, max: 5, noNaN: true }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 80 }), fc.integer({ min: 1, max: 9 }), (ops, capacity) => {
        const buf = new ReplayBuffer<Item>({ capacity, strategy, seed: 1 });
        const live = new Set<string>();
        for (const o of ops) {
          if (o.t === 'add') {
            const r = buf.add({ n: o.id }, { id: `k${o.id}`, loss: o.loss, domain: `d${o.d}`, time: o.id });
            live.delete(`k${o.id}`);
            if (r.stored) live.add(`k${o.id}`);
            if (r.evictedId !== null) live.delete(r.evictedId);
          } else if (o.t === 'forget') {
            expect(buf.forget(`k${o.id}`)).toBe(live.delete(`k${o.id}`));
          } else {
            const b = buf.sample(3);
            buf.updatePriorities(b.handles, b.ids.map(() => o.loss));
          }
          expect(buf.size).toBe(live.size);
          expect(buf.size).toBeLessThanOrEqual(capacity);
        }
        expect(new Set([...buf.entries()].map((e) => e.id))).toEqual(live);
        const copy = ReplayBuffer.restore<Item>(buf.snapshot());
        expect(copy.sample(5).ids).toEqual(buf.sample(5).ids);
      }),
      { numRuns: 60, seed: 42 },
    );
  });
});

describe('ReplayBuffer configuration and snapshot validation', () => {
  it('rejects a bad configuration with InvalidConfigError naming the field', () => {
    expect(() => new ReplayBuffer({ capacity: 0, strategy: { kind: 'uniform' } })).toThrow(
      expect.objectContaining({ field: 'config.capacity' }),
    );
    expect(() => new ReplayBuffer({ capacity: 4, strategy: { kind: 'prioritizedRecency', halfLife: -1 } })).toThrow(
      InvalidConfigError,
    );
    expect(() => new ReplayBuffer({ capacity: 4, strategy: { kind: 'mixed', lossFraction: 2 } })).toThrow(
      expect.objectContaining({ field: 'config.strategy.lossFraction' }),
    );
  });

  it('rejects a corrupt, foreign or newer snapshot with a typed error', () => {
    const buf = new ReplayBuffer<Item>({ capacity: 4, strategy: { kind: 'uniform' } });
    buf.add({ n: 1 }, { id: 'a' });
    buf.add({ n: 2 }, { id: 'b' });
    const good = buf.snapshot();
    expect(() => ReplayBuffer.restore({ hello: 'world' })).toThrow(StoreCorruptError);
    expect(() => ReplayBuffer.restore({ ...good, version: 2 })).toThrow(StateVersionError);
    const dup = buf.snapshot();
    dup.slots.ids[1] = 'a';
    expect(() => ReplayBuffer.restore(dup)).toThrow(expect.objectContaining({ field: 'snapshot.slots.ids[1]' }));
    const short = buf.snapshot();
    short.slots.loss = new Float64Array(2);
    expect(() => ReplayBuffer.restore(short)).toThrow(expect.objectContaining({ field: 'snapshot.slots.loss' }));
    const badPos = buf.snapshot();
    badPos.slots.densePos[1] = 0;
    expect(() => ReplayBuffer.restore(badPos)).toThrow(StoreCorruptError);
  });
});
