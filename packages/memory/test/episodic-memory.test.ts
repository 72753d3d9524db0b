import { InvalidArgumentError, Rng, ShapeError, StateVersionError, StoreCorruptError } from '@retain/core';
import { describe, expect, it } from 'vitest';
import { EpisodicMemory } from '../src/index.js';

function randomKey(rng: Rng, dim: number): Float32Array {
  const k = new Float32Array(dim);
  for (let i = 0; i < dim; i++) k[i] = rng.normal();
  return k;
}

function filled(n: number, dim: number, seed = 1, options: Partial<ConstructorParameters<typeof EpisodicMemory>[0]> = {}) {
  const rng = new Rng(seed);
  const mem = new EpisodicMemory<{ n: number }>({ dim, ...options });
  const keys: Float32Array[] = [];
  for (let i = 0; i < n; i++) {
    const key = randomKey(rng, dim);
    keys.push(key);
    mem.insert({ id: `ep${i}`, key, payload: { n: i }, reward: Math.round(rng.float() * 10), time: i });
  }
  return { mem, keys, rng };
}

/** Cosine in float64 over the float32 values, as a reference. */
function cosine(a: Float32Array, b: Float32Array): number {
  let d = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    d += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return d / (Math.sqrt(na) * Math.sqrt(nb));
}

describe('EpisodicMemory.recall', () => {
  it('returns the k most similar episodes exactly as a brute-force sort does', () => {
    const { mem, keys, rng } = filled(2000, 37);
    for (let q = 0; q < 20; q++) {
      const query = randomKey(rng, 37);
      const brute = keys
        .map((k, i) => ({ id: `ep${i}`, score: cosine(query, k) }))
        .sort((a, b) => b.score - a.score)
        .slice(0, 10);
      const hits = mem.recall(query, 10);
      expect(hits.map((h) => h.episode.id)).toEqual(brute.map((b) => b.id));
      hits.forEach((h, i) => expect(h.score).toBeCloseTo(brute[i]!.score, 6));
    }
  });

  it('finds an episode by its own key with similarity 1 and breaks ties toward the newer episode', () => {
    const mem = new EpisodicMemory<string>({ dim: 3 });
    mem.insert({ id: 'old', key: [1, 0, 0], payload: 'a' });
    mem.insert({ id: 'other', key: [0, 1, 0], payload: 'b' });
    mem.insert({ id: 'new', key: [2, 0, 0], payload: 'c' });
    const hits = mem.recall([3, 0, 0], 3);
    expect(hits.map((h) => h.episode.id)).toEqual(['new', 'old', 'other']);
    expect(hits[0]!.score).toBeCloseTo(1, 7);
    expect(hits[2]!.score).toBe(0);
  });

  it('with an empty query returns the most important episodes, newer first among equals, optionally recent only', () => {
    const mem = new EpisodicMemory<number>({ dim: 2 });
    [3, 9, 1, 9, 4].forEach((reward, i) => mem.insert({ id: `e${i}`, key: [1, i], payload: i, reward }));
    expect(mem.recall(null, 3).map((h) => h.episode.id)).toEqual(['e3', 'e1', 'e4']);
    expect(mem.recall([], 2, { recentSteps: 2 }).map((h) => [h.episode.id, h.score])).toEqual([
      ['e3', 9],
      ['e4', 4],
    ]);
    const byLoss = new EpisodicMemory<number>({ dim: 2, importance: 'loss' });
    [0.5, 2, 1].forEach((loss, i) => byLoss.insert({ id: `l${i}`, key: [1, 1], payload: i, loss }));
    expect(byLoss.recall(null, 1)[0]!.episode.id).toBe('l1');
  });

  it('rejects bad queries and episodes with typed errors and leaves the memory unchanged', () => {
    const { mem } = filled(10, 4);
    const before = mem.snapshot();
    expect(() => mem.recall([1, 2], 3)).toThrow(ShapeError);
    expect(() => mem.recall([0, 0, 0, 0], 3)).toThrow(expect.objectContaining({ field: 'query' }));
    expect(() => mem.recall([1, 0, 0, 0], -1)).toThrow(InvalidArgumentError);
    expect(() => mem.insert({ id: 'x', key: [1, 2, 3], payload: { n: 0 } })).toThrow(ShapeError);
    expect(() => mem.insert({ id: 'x', key: [1, NaN, 3, 4], payload: { n: 0 } })).toThrow(
      expect.objectContaining({ field: 'episode.key[1]' }),
    );
    expect(() => mem.insert({ id: '', key: [1, 2, 3, 4], payload: { n: 0 } })).toThrow(
      expect.objectContaining({ field: 'episode.id' }),
    );
    expect(mem.snapshot()).toEqual(before);
  });
});

describe('EpisodicMemory retention', () => {
  it('keeps at most maxEpisodes, dropping the oldest by default', () => {
    const mem = new EpisodicMemory<number>({ dim: 2, retention: { maxEpisodes: 3 } });
    const evicted = [0, 1, 2, 3, 4].flatMap((i) => mem.insert({ id: `e${i}`, key: [1, i], payload: i, reward: 10 - i }));
    expect(evicted).toEqual(['e0', 'e1']);
    expect(mem.episodes().map((e) => e.id)).toEqual(['e2', 'e3', 'e4']);
  });

  it('keeps the most important when asked, dropping the least important (oldest among equals)', () => {
    const mem = new EpisodicMemory<number>({ dim: 2, retention: { maxEpisodes: 3, keep: 'mostImportant' } });
    const rewards = [5, 1, 7, 1, 0, 6];
    const evicted = rewards.flatMap((reward, i) => mem.insert({ id: `e${i}`, key: [1, i], payload: i, reward }));
    expect(evicted).toEqual(['e1', 'e4', 'e3']);
    expect(mem.episodes().map((e) => e.id)).toEqual(['e0', 'e2', 'e5']);
  });

  it('drops episodes older than maxAgeSteps on insert and on demand', () => {
    const mem = new EpisodicMemory<number>({ dim: 2, retention: { maxAgeSteps: 2 } });
    for (let i = 0; i < 6; i++) mem.insert({ id: `e${i}`, key: [1, i], payload: i });
    expect(mem.episodes().map((e) => e.id)).toEqual(['e3', 'e4', 'e5']);
    expect(mem.setRetention({ maxAgeSteps: 0 })).toEqual(['e3', 'e4']);
    expect(() => mem.setRetention({ maxEpisodes: 0 })).toThrow(expect.objectContaining({ field: 'retention.maxEpisodes' }));
  });
});

describe('EpisodicMemory persistence and privacy', () => {
  it('forgets an episode: gone from recall, from the snapshot and from pending changes', () => {
    const { mem, keys } = filled(50, 8);
    mem.drainChanges();
    expect(mem.forget('ep7')).toBe(true);
    expect(mem.forget('ep7')).toBe(false);
    expect(mem.recall(keys[7]!, 5).map((h) => h.episode.id)).not.toContain('ep7');
    expect(mem.snapshot().episodes.map((e) => e.id)).not.toContain('ep7');
    mem.insert({ id: 'private', key: keys[0]!, payload: { n: -1 } });
    mem.forget('private');
    const changes = mem.drainChanges();
    expect(changes.removedIds).toEqual(['ep7']);
    expect(changes.added).toEqual([]);
  });

  it('restores a snapshot that recalls and evicts exactly like the original', () => {
    const { mem, rng } = filled(300, 16, 3, { retention: { maxEpisodes: 200, keep: 'mostImportant' } });
    mem.forget('ep250');
    const copy = EpisodicMemory.restore<{ n: number }>(mem.snapshot());
    expect(copy.snapshot()).toEqual(mem.snapshot());
    for (let i = 0; i < 30; i++) {
      const q = randomKey(rng, 16);
      expect(copy.recall(q, 7)).toEqual(mem.recall(q, 7));
      const ep = { id: `n${i}`, key: q, payload: { n: i }, reward: i % 11, time: 0 };
      expect(copy.insert(ep)).toEqual(mem.insert(ep));
    }
    expect(copy.recall(null, 20)).toEqual(mem.recall(null, 20));
  });

  it('reports what was added and removed since the last drain', () => {
    const mem = new EpisodicMemory<number>({ dim: 2, retention: { maxEpisodes: 2 } });
    mem.insert({ id: 'a', key: [1, 0], payload: 1 });
    mem.drainChanges();
    mem.insert({ id: 'b', key: [0, 1], payload: 2 });
    mem.insert({ id: 'c', key: [1, 1], payload: 3 }); // evicts a
    const ch = mem.drainChanges();
    expect(ch.added.map((e) => e.id)).toEqual(['b', 'c']);
    expect(ch.removedIds).toEqual(['a']);
    expect(ch.step).toBe(3);
    expect(mem.drainChanges()).toMatchObject({ added: [], removedIds: [] });
  });

  it('rejects a corrupt, foreign or newer snapshot with a typed error', () => {
    const { mem } = filled(3, 2);
    const snap = mem.snapshot();
    expect(() => EpisodicMemory.restore({ ...snap, version: 9 })).toThrow(StateVersionError);
    expect(() => EpisodicMemory.restore({ nope: true })).toThrow(StoreCorruptError);
    expect(() => EpisodicMemory.restore({ ...snap, keys: new Float32Array(5) })).toThrow(
      expect.objectContaining({ field: 'snapshot.keys' }),
    );
    const dup = mem.snapshot();
    dup.episodes[1]!.id = dup.episodes[0]!.id;
    expect(() => EpisodicMemory.restore(dup)).toThrow(expect.objectContaining({ field: 'snapshot.episodes[1].id' }));
  });
});
