import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InvalidExampleError, Rng } from '@retain/core';
import { loadKernels } from '@retain/kernels';
import { OnlineLearner, openLearner, snapshotLearner, type LearnerConfigInput } from '../src/index.js';

const kernels = loadKernels({ backend: 'ts' });

/** Gaussian blobs: class c centred at a fixed random point; `shift` moves every centre (a concept drift). */
function blobs(n: number, classes: number, dim: number, seed: number, shift = 0, prefix = 'e') {
  const rng = new Rng(seed);
  const centres = Array.from({ length: classes }, (_, c) => {
    const r = new Rng(1000 + c + 7 * shift);
    return Array.from({ length: dim }, () => 3 * r.normal());
  });
  return Array.from({ length: n }, (_, i) => {
    const c = rng.int(classes);
    return { id: `${prefix}${seed}-${i}`, input: centres[c]!.map((m) => m + rng.normal()), target: `class-${c}`, domain: `d${shift}` };
  });
}

const base: LearnerConfigInput = {
  seed: 7,
  model: { hidden: [16] },
  optimizer: { kind: 'adam', lr: 0.01 },
  batchSize: 8,
  replay: { capacity: 64, strategy: 'reservoir' },
  drift: { enabled: false },
};

/** Canonical bytes of the whole state: typed arrays as their raw bytes, numbers exactly (NaN and -0 kept). */
function stateBytes(l: OnlineLearner, dropRejected = true): Buffer {
  const s = snapshotLearner(l);
  if (dropRejected) (s['stats'] as { rejected: number }).rejected = 0;
  const json = JSON.stringify(s, (_k, x: unknown) => {
    if (ArrayBuffer.isView(x)) return `${x.constructor.name}:${Buffer.from(x.buffer, x.byteOffset, x.byteLength).toString('base64')}`;
    if (typeof x === 'number') return Object.is(x, -0) ? 'num:-0' : `num:${String(x)}`;
    return x;
  });
  return Buffer.from(json);
}

describe('OnlineLearner', () => {
  it('learns a stream with string labels, growing its output layer as classes appear', () => {
    const learner = OnlineLearner.create(base, { kernels });
    const added: number[] = [];
    learner.on('classAdded', (e) => added.push(e.classes));
    for (const ex of blobs(600, 4, 5, 1)) learner.learnOne(ex);
    const test = blobs(200, 4, 5, 2);
    const { accuracy } = learner.evaluate(test);
    expect(accuracy).toBeGreaterThan(0.9);
    expect(learner.model().sizes).toEqual([5, 16, 4]);
    expect(added.at(-1)).toBe(4);
    const p = learner.predictOne(test[0]!.input);
    expect(p.label).toBe(test[0]!.target);
    expect(p.probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    expect(learner.stats()).toMatchObject({ examplesSeen: 600, rejected: 0, classes: 4, backend: 'ts' });
    expect(learner.replayStats().size).toBe(64);
  });

  it('rejects bad examples with a typed error naming the field and leaves the state byte-identical', () => {
    const learner = OnlineLearner.create(base, { kernels });
    for (const ex of blobs(40, 3, 4, 3)) learner.learnOne(ex);
    const cases: [unknown, RegExp][] = [
      [{ id: 'x', input: [1, 2, 3], target: 'class-0' }, /example\.input/],
      [{ id: 'x', input: [1, Number.NaN, 3, 4], target: 'class-0' }, /example\.input\[1\]/],
      [{ id: 'x', input: [1, 2, 3, Infinity], target: 'class-0' }, /example\.input\[3\]/],
      [{ id: 'x', input: Float32Array.of(1, 2, Number.NaN, 4), target: 'class-0' }, /example\.input\[2\]/],
      [{ id: 'x', input: Float32Array.of(-Infinity, 2, 3, 4), target: 'class-0' }, /example\.input\[0\]/],
      [{ id: 'x', input: Float32Array.of(1, 2, 3), target: 'class-0' }, /example\.input/],
      [{ id: 'x', input: [1, 2, 3, 4], target: -2 }, /example\.target/],
      [{ id: '', input: [1, 2, 3, 4], target: 1 }, /example\.id/],
      [{ id: 'x', input: [1, 2, 3, 4], target: 1, allowedClasses: [0, 2] }, /example\.target/],
      [null, /example/],
    ];
    for (const [bad, field] of cases) {
      const before = stateBytes(learner);
      expect(() => learner.learnOne(bad)).toThrow(InvalidExampleError);
      expect(() => learner.learnOne(bad)).toThrow(field);
      expect(stateBytes(learner).equals(before)).toBe(true);
    }
    expect(learner.stats().rejected).toBe(cases.length * 2);
    const batch = learner.learnBatch([{ id: 'ok', input: [0, 0, 0, 0], target: 'class-1' }, { id: 'bad', input: [1], target: 0 }]);
    expect(batch.results).toHaveLength(1);
    expect(batch.rejected.map((r) => r.index)).toEqual([1]);
  });

  it('resumes exactly: N examples, checkpoint, reload, M more equals N+M uninterrupted, bit for bit', () => {
    const config: LearnerConfigInput = {
      ...base,
      preset: 'stable',
      model: { hidden: [12], dropout: 0.2, standardize: true },
      replay: { capacity: 50, strategy: 'prioritizedLoss' },
      scheduler: { everyExamples: 70 },
      sleep: { steps: 3, batchSize: 16 },
      si: { enabled: true, c: 0.1 },
      drift: { enabled: true, detector: 'adwin' },
      memory: { enabled: true, maxEpisodes: 30 },
    };
    const stream = [...blobs(150, 3, 6, 11), ...blobs(100, 3, 6, 12, 1, 'f')];
    const straight = OnlineLearner.create(config, { kernels });
    for (const ex of stream) straight.learnOne(ex);

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'retain-resume-'));
    const first = openLearner(dir, config, { kernels });
    for (const ex of stream.slice(0, 133)) first.learnOne(ex);
    first.saveState();
    first.store!.close();
    const resumed = openLearner(dir, undefined, { kernels });
    expect(resumed.stats().examplesSeen).toBe(133);
    for (const ex of stream.slice(133)) resumed.learnOne(ex);

    expect(Buffer.from(resumed.model().params.buffer).equals(Buffer.from(straight.model().params.buffer))).toBe(true);
    const a = snapshotLearner(resumed);
    const b = snapshotLearner(straight);
    for (const k of ['trainStep', 'replay', 'memory', 'detector', 'stats', 'vocab', 'encoder', 'consolidator']) {
      const strip = (v: unknown) => JSON.parse(JSON.stringify(v, (_k, x) => (ArrayBuffer.isView(x) ? Array.from(x as Float32Array) : x)));
      const sa = strip(a[k]);
      const sb = strip(b[k]);
      if (k === 'replay') {
        // wall-clock insertion times differ between the two runs; everything else must match
        delete sa.slots.time;
        delete sb.slots.time;
      }
      if (k === 'memory' && sa) {
        for (const e of sa.episodes) delete e.time;
        for (const e of sb.episodes) delete e.time;
      }
      expect(sa, k).toEqual(sb);
    }
    resumed.store!.close();
  });

  it('forget(id) removes an example from replay, memory and every stored checkpoint', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'retain-forget-'));
    const learner = openLearner(dir, { ...base, memory: { enabled: true } }, { kernels });
    const stream = blobs(64, 2, 3, 5);
    for (const ex of stream) learner.learnOne(ex);
    learner.saveState();
    const victim = stream[10]!.id;
    expect(learner.core.replay.has(victim) || learner.core.memory!.has(victim)).toBe(true);
    expect(learner.forget(victim)).toBe(true);
    expect(learner.core.replay.has(victim)).toBe(false);
    expect(learner.core.memory!.has(victim)).toBe(false);
    const rows = learner.store!.db.prepare('SELECT COUNT(*) AS n FROM learner_rows WHERE example_id = ?').get(victim) as { n: number };
    expect(rows.n).toBe(0);
    const again = openLearner(learner.store!, undefined, { kernels });
    expect(again.core.replay.has(victim)).toBe(false);
    learner.store!.close();
  });

  it('detects an abrupt concept change and records a drift event that triggers a consolidation', () => {
    const learner = OnlineLearner.create(
      { ...base, drift: { enabled: true, detector: 'adwin', actions: ['consolidate', 'raiseReplayRatio'] }, sleep: { steps: 2 } },
      { kernels },
    );
    const drifts: number[] = [];
    const sleeps: string[] = [];
    learner.on('drift', (e) => drifts.push(e.at));
    learner.on('consolidation', (e) => sleeps.push(e.reason));
    // the same inputs, with labels permuted after 800 examples: accuracy collapses
    const stream = blobs(1600, 3, 4, 9).map((ex, i) => (i < 800 ? ex : { ...ex, target: `class-${(Number(ex.target.slice(6)) + 1) % 3}` }));
    for (const ex of stream) learner.learnOne(ex);
    expect(drifts.length).toBeGreaterThan(0);
    expect(drifts.some((at) => at > 800 && at < 1000)).toBe(true);
    expect(sleeps).toContain('drift');
    expect(learner.stats().drifts).toBe(drifts.length);
    expect(learner.events().some((e) => e.kind === 'drift')).toBe(true);
  });

  it('skips a training step whose loss overflows and keeps the model finite and learning', () => {
    const learner = OnlineLearner.create({ ...base, batchSize: 4, replay: { enabled: false } }, { kernels });
    for (const ex of blobs(40, 2, 3, 8)) learner.learnOne(ex);
    const before = learner.model().params;
    // finite inputs so large that the logits overflow: the batch's loss is not finite
    for (let i = 0; i < 4; i++) learner.learnOne({ id: `huge-${i}`, input: [3e38, -3e38, 3e38], target: 'class-0' });
    expect(learner.stats().skippedSteps).toBe(1);
    expect([...learner.model().params]).toEqual([...before]);
    for (const ex of blobs(40, 2, 3, 9, 0, 'g')) learner.learnOne(ex);
    expect(learner.model().params.every((v) => Number.isFinite(v))).toBe(true);
    expect(learner.stats().steps).toBeGreaterThan(10);
  });

  it('replay.asymmetric (ER-ACE) keeps more of the old classes than one cross-entropy over every class', () => {
    // Three stretches of two new classes each (class-incremental); accuracy on the first four classes at the end.
    const centres = Array.from({ length: 6 }, (_, c) => {
      const r = new Rng(1000 + c);
      return Array.from({ length: 5 }, () => 2 * r.normal());
    });
    const stream = (n: number, classes: number[], seed: number) => {
      const rng = new Rng(seed);
      return Array.from({ length: n }, (_, i) => {
        const c = classes[rng.int(classes.length)]!;
        return { id: `s${seed}-${i}`, input: centres[c]!.map((m) => m + rng.normal()), target: c };
      });
    };
    const oldAccuracy = (asymmetric: boolean, seed: number) => {
      const learner = OnlineLearner.create(
        {
          seed,
          model: { hidden: [16], classes: 6 },
          optimizer: { kind: 'sgd', lr: 0.1 },
          batchSize: 8,
          replay: { capacity: 40, strategy: 'reservoir', perStep: 8, asymmetric },
          drift: { enabled: false },
        },
        { kernels },
      );
      [[0, 1], [2, 3], [4, 5]].forEach((classes, k) => {
        for (const ex of stream(400, classes, 10 + k + 7 * seed)) learner.learnOne(ex);
      });
      return learner.evaluate(stream(300, [0, 1, 2, 3], 99)).accuracy;
    };
    const seeds = [1, 2, 3];
    const plain = seeds.map((s) => oldAccuracy(false, s));
    const ace = seeds.map((s) => oldAccuracy(true, s));
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    for (let i = 0; i < seeds.length; i++) expect(ace[i]).toBeGreaterThan(plain[i]!);
    expect(mean(ace) - mean(plain)).toBeGreaterThan(0.05);
  });

  it('replay.distill (DER) stores each example with its step logits, replays them as a teacher, and resumes bit-exactly', async () => {
    const config: LearnerConfigInput = { ...base, replay: { capacity: 40, strategy: 'reservoir', distill: { weight: 1, temperature: 2 } } };
    const stream = [...blobs(150, 3, 5, 51), ...blobs(100, 3, 5, 52, 1, 'f')];
    const straight = OnlineLearner.create(config, { kernels });
    for (const ex of stream) straight.learnOne(ex);
    const entries = [...straight.core.replay.entries()];
    expect(entries).toHaveLength(40);
    for (const e of entries) {
      expect(e.item.logits).toBeInstanceOf(Float32Array);
      expect(e.item.logits!.length).toBe(3);
      expect(e.item.logits!.every(Number.isFinite)).toBe(true);
    }
    // the term is applied: same seed and stream without it train other parameters; with weight 0 nothing is stored
    const without = OnlineLearner.create({ ...config, replay: { ...config.replay, distill: { weight: 0 } } }, { kernels });
    for (const ex of stream) without.learnOne(ex);
    expect(Buffer.from(without.model().params.buffer).equals(Buffer.from(straight.model().params.buffer))).toBe(false);
    expect([...without.core.replay.entries()].every((e) => e.item.logits === undefined)).toBe(true);

    // the stored logits are checkpointed with the buffer: a resumed learner continues exactly
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'retain-der-'));
    const first = openLearner(dir, config, { kernels });
    for (const ex of stream.slice(0, 133)) first.learnOne(ex);
    first.saveState();
    first.store!.close();
    const resumed = openLearner(dir, undefined, { kernels });
    for (const ex of stream.slice(133)) resumed.learnOne(ex);
    expect(Buffer.from(resumed.model().params.buffer).equals(Buffer.from(straight.model().params.buffer))).toBe(true);
    const logitsOf = (l: OnlineLearner) => [...l.core.replay.entries()].map((e) => [e.id, Array.from(e.item.logits!)]);
    expect(logitsOf(resumed)).toEqual(logitsOf(straight));
    resumed.store!.close();

    // the async path assembles the same teacher
    const sync = OnlineLearner.create(config, { kernels });
    const asyncLearner = OnlineLearner.create(config, { kernels });
    sync.learnBatch(stream);
    await asyncLearner.learnBatchAsync(stream);
    expect(Buffer.from(asyncLearner.model().params.buffer).equals(Buffer.from(sync.model().params.buffer))).toBe(true);
  });

  it('replay.distill (DER) forgets less than replaying the labels alone, on a stream of permuted-feature stretches', () => {
    // Four stretches of the same four classes, each with its own feature permutation (a tiny permuted MNIST);
    // a memory of 20 holds too few labels to keep the old stretches, the stored logits hold more of the function.
    const dim = 10;
    const centres = Array.from({ length: 4 }, (_, c) => {
      const r = new Rng(1000 + c);
      return Array.from({ length: dim }, () => 1.5 * r.normal());
    });
    const perms = Array.from({ length: 4 }, (_, t) => {
      const r = new Rng(500 + t);
      const p = Array.from({ length: dim }, (_, i) => i);
      for (let i = dim - 1; i > 0; i--) {
        const j = r.int(i + 1);
        [p[i], p[j]] = [p[j]!, p[i]!];
      }
      return p;
    });
    const stream = (n: number, task: number, seed: number) => {
      const rng = new Rng(seed);
      return Array.from({ length: n }, (_, i) => {
        const c = rng.int(4);
        const v = centres[c]!.map((m) => m + rng.normal());
        return { id: `t${task}-${seed}-${i}`, input: perms[task]!.map((k) => v[k]!), target: c };
      });
    };
    const accuracy = (weight: number, seed: number) => {
      const learner = OnlineLearner.create(
        {
          seed,
          model: { hidden: [32], classes: 4 },
          optimizer: { kind: 'sgd', lr: 0.1 },
          batchSize: 8,
          replay: { capacity: 20, strategy: 'reservoir', perStep: 8, distill: { weight, temperature: 2 } },
          drift: { enabled: false },
        },
        { kernels },
      );
      for (let t = 0; t < 4; t++) for (const ex of stream(600, t, 10 + t + 7 * seed)) learner.learnOne(ex);
      return [0, 1, 2, 3].reduce((s, t) => s + learner.evaluate(stream(300, t, 99 + t)).accuracy, 0) / 4;
    };
    const seeds = [1, 2, 3];
    const labels = seeds.map((s) => accuracy(0, s));
    const der = seeds.map((s) => accuracy(1, s));
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    for (let i = 0; i < seeds.length; i++) expect(der[i]).toBeGreaterThan(labels[i]!);
    expect(mean(der) - mean(labels)).toBeGreaterThan(0.01);
  });

  it("replay.admission 'consolidation' replays only earlier stretches and keeps them equally represented", () => {
    const config: LearnerConfigInput = { ...base, replay: { capacity: 40, strategy: 'reservoir', admission: 'consolidation' } };
    const learner = OnlineLearner.create(config, { kernels });
    const ids = () => [...learner.core.replay.entries()].map((e) => e.id[0]);
    for (const ex of blobs(200, 3, 4, 31, 0, 'a')) learner.learnOne(ex);
    // nothing replayable yet: the first stretch waits in the staging reservoir
    expect(learner.core.replay.size).toBe(0);
    expect(learner.core.staged!.size).toBe(40);
    expect(learner.stats().replayStaged).toBe(40);
    learner.consolidate();
    expect(learner.stats().replayStaged).toBe(0);
    expect(learner.core.staged!.size).toBe(0);
    expect(ids()).toEqual(new Array(40).fill('a'));
    for (const ex of blobs(200, 3, 4, 32, 1, 'b')) learner.learnOne(ex);
    // while the second stretch trains, the buffer (what replay draws from) holds only the first
    expect(ids()).toEqual(new Array(40).fill('a'));
    expect([...learner.core.staged!.entries()].every((e) => e.id.startsWith('b'))).toBe(true);
    learner.consolidate();
    const fromB = ids().filter((c) => c === 'b').length;
    expect(fromB).toBeGreaterThan(12);
    expect(fromB).toBeLessThan(28);

    // the default admission stores the current stretch at once
    const eager = OnlineLearner.create({ ...config, replay: { capacity: 40, strategy: 'reservoir' } }, { kernels });
    expect(eager.core.staged).toBeNull();
    for (const ex of blobs(200, 3, 4, 31, 0, 'a')) eager.learnOne(ex);
    eager.consolidate();
    for (const ex of blobs(200, 3, 4, 32, 1, 'b')) eager.learnOne(ex);
    expect([...eager.core.replay.entries()].some((e) => e.id.startsWith('b'))).toBe(true);
  });

  it('checkpoints the staging reservoir as rows: resume is bit for bit and forget(id) erases a staged example', () => {
    const config: LearnerConfigInput = {
      ...base,
      replay: { capacity: 30, strategy: 'domainBalanced', admission: 'consolidation' },
      scheduler: { everyExamples: 90 },
      sleep: { steps: 2, batchSize: 8 },
    };
    const stream = [...blobs(150, 3, 5, 41), ...blobs(100, 3, 5, 42, 1, 'f')];
    const straight = OnlineLearner.create(config, { kernels });
    for (const ex of stream) straight.learnOne(ex);

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'retain-staged-'));
    const first = openLearner(dir, config, { kernels });
    for (const ex of stream.slice(0, 140)) first.learnOne(ex);
    first.saveState();
    expect(first.core.staged!.size).toBeGreaterThan(0);
    first.store!.close();
    const resumed = openLearner(dir, undefined, { kernels });
    expect(resumed.core.staged!.size).toBeGreaterThan(0);
    for (const ex of stream.slice(140)) resumed.learnOne(ex);
    expect(Buffer.from(resumed.model().params.buffer).equals(Buffer.from(straight.model().params.buffer))).toBe(true);
    const strip = (v: unknown) => {
      const plain = JSON.parse(JSON.stringify(v, (_k, x) => (ArrayBuffer.isView(x) ? Array.from(x as Float32Array) : x)));
      delete plain.slots.time; // wall-clock insertion times differ between the two runs
      return plain;
    };
    for (const k of ['replay', 'staged']) expect(strip(snapshotLearner(resumed)[k]), k).toEqual(strip(snapshotLearner(straight)[k]));

    resumed.saveState();
    const victim = [...resumed.core.staged!.entries()][0]!.id;
    expect(resumed.forget(victim)).toBe(true);
    expect(resumed.core.staged!.has(victim)).toBe(false);
    const rows = resumed.store!.db.prepare('SELECT COUNT(*) AS n FROM learner_rows WHERE example_id = ?').get(victim) as { n: number };
    expect(rows.n).toBe(0);
    const again = openLearner(resumed.store!, undefined, { kernels });
    expect(again.core.staged!.has(victim)).toBe(false);
    expect(again.core.staged!.size).toBe(resumed.core.staged!.size);
    resumed.store!.close();
  });

  it('learnBatchAsync gives the same parameters as learnBatch', async () => {
    const stream = blobs(100, 3, 4, 21);
    const a = OnlineLearner.create(base, { kernels });
    const b = OnlineLearner.create(base, { kernels });
    a.learnBatch(stream);
    await b.learnBatchAsync(stream);
    expect([...b.model().params]).toEqual([...a.model().params]);
  });
});
