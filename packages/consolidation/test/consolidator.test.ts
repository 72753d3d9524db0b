import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, InvalidConfigError, Rng } from '@retain/core';
import type { Kernels } from '@retain/kernels';
import {
  ConsolidationScheduler,
  Consolidator,
  Distillation,
  EWC,
  SynapticIntelligence,
  TrainStep,
  type EncodedExample,
} from '../src/index.js';
import { backends } from './backends.js';

const all = await backends();
const model = { sizes: [3, 6, 3], activation: 'relu' as const };

function examples(seed: number, n: number): EncodedExample[] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, () => ({ x: [rng.normal(), rng.normal(), rng.normal()], target: rng.int(3) }));
}

function stack(kernels: Kernels, config: object = {}) {
  const ewc = new EWC(kernels, { model, lambda: 5, mode: 'online', gamma: 0.9 });
  const si = new SynapticIntelligence(kernels, { model, c: 0.5 });
  const distillation = new Distillation(kernels, { model });
  const trainStep = new TrainStep({ kernels, model, seed: 1, optimizer: { kind: 'sgd', lr: 0.05 }, regularizers: [ewc, si, distillation] });
  const scheduler = new ConsolidationScheduler({ everyExamples: 10 }, () => 0);
  const sleep = new Consolidator({ trainStep, ewc, si, distillation, scheduler }, { steps: 4, batchSize: 8, replayFraction: 0.25, fisherSamples: 5, ...config });
  return { ewc, si, distillation, trainStep, scheduler, sleep };
}

describe.each(all.map((k) => [k.backend, k] as const))('Consolidator (%s kernels)', (_name, kernels) => {
  it('trains on the replay/recent mix, then refreshes the Fisher, moves anchors, takes the teacher, closes SI, then checkpoints', () => {
    const s = stack(kernels);
    const replay = examples(1, 50);
    const asked: number[] = [];
    const sample = (n: number) => {
      asked.push(n);
      return replay.slice(0, n);
    };
    s.scheduler.observe(10);
    let seenAtCheckpoint: unknown = null;
    const report = s.sleep.consolidate({
      sample,
      recent: examples(2, 12),
      checkpoint: () => {
        const p = s.trainStep.params;
        seenAtCheckpoint = {
          anchor: s.ewc.task(0).anchor.every((v, i) => v === p[i]),
          teacher: s.distillation.snapshot().teacher!.every((v, i) => v === p[i]),
          si: s.si.tasksClosed,
          due: s.scheduler.shouldConsolidate(),
        };
      },
    });
    // 4 steps asking round(8·0.25) = 2 replayed each, then 5 for the Fisher.
    expect(asked).toEqual([2, 2, 2, 2, 5]);
    expect(report).toMatchObject({ index: 0, steps: 4, examplesTrained: 32, fisherRefreshed: true, fisherExamples: 17 });
    expect(s.trainStep.steps).toBe(4);
    expect(seenAtCheckpoint).toEqual({ anchor: true, teacher: true, si: 1, due: false });
    expect(s.ewc.taskCount).toBe(1);
  });

  it('refreshes the Fisher only every k-th consolidation and otherwise only moves the anchor', () => {
    const s = stack(kernels, { fisherEvery: 2 });
    const input = { sample: (n: number) => examples(3, n), recent: examples(4, 9) };
    const fishers: Float32Array[] = [];
    const refreshed: boolean[] = [];
    for (let i = 0; i < 3; i++) {
      refreshed.push(s.sleep.consolidate(input).fisherRefreshed);
      fishers.push(s.ewc.task(0).fisher);
      expect(s.ewc.task(0).anchor).toEqual(s.trainStep.params);
    }
    expect(refreshed).toEqual([true, false, true]);
    expect(fishers[1]).toEqual(fishers[0]);
    expect(fishers[2]).not.toEqual(fishers[1]);
  });

  it('learns from replay alone when there are no recent examples', () => {
    const s = stack(kernels);
    const report = s.sleep.consolidate({ sample: (n) => examples(5, n), recent: [] });
    expect(report.examplesTrained).toBe(32);
  });

  it('gives the same result through the async kernels, awaiting the checkpoint', async () => {
    const a = stack(kernels);
    const b = stack(kernels);
    const input = () => ({ sample: (n: number) => examples(6, n), recent: examples(7, 11) });
    a.sleep.consolidate(input());
    let done = false;
    await b.sleep.consolidateAsync({ ...input(), checkpoint: async () => {
      await new Promise((r) => setTimeout(r, 5));
      done = true;
    } });
    expect(done).toBe(true);
    expect(b.trainStep.snapshot()).toEqual(a.trainStep.snapshot());
  });

  it('continues identically after restoring its own and the training state', () => {
    const a = stack(kernels);
    const input = () => ({ sample: (n: number) => examples(8, n), recent: examples(9, 13) });
    a.sleep.consolidate(input());
    const saved = { sleep: a.sleep.snapshot(), train: a.trainStep.snapshot() };
    a.sleep.consolidate(input());
    const b = stack(kernels);
    b.sleep.restore(saved.sleep);
    b.trainStep.restore(saved.train);
    b.sleep.consolidate(input());
    expect(b.trainStep.params).toEqual(a.trainStep.params);
    expect(b.sleep.consolidations).toBe(2);
  });

  it('rejects bad input with a typed error naming the field, before training anything', () => {
    const s = stack(kernels);
    expect(() => s.sleep.consolidate({ sample: 3 as never, recent: [] })).toThrow(InvalidArgumentError);
    const bad = [{ x: [1, 2], target: 0 }];
    expect(() => s.sleep.consolidate({ sample: () => [], recent: bad })).toThrow(/consolidation batch\[0\]\.x/);
    expect(() => s.sleep.consolidate({ sample: () => [], recent: examples(1, 3), checkpoint: async () => {} })).toThrow(/checkpoint/);
    expect(() => new Consolidator({ trainStep: s.trainStep }, { replayFraction: 2 })).toThrow(InvalidConfigError);
  });
});
