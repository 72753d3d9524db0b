import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, Rng, ShapeError, paramCount } from '@retain/core';
import { Distillation, EWC, SynapticIntelligence, TrainStep, growOutputBuffer } from '../src/index.js';
import { backends } from './backends.js';
import { randomBatch, randomParams } from './fixtures.js';

const all = await backends();

describe('growOutputBuffer', () => {
  it('appends new output rows and bias entries by the fixed layout, old entries in place', () => {
    // sizes [2, 3, 2]: fc0.weight 0..5, fc0.bias 6..8, fc1.weight 9..14 (2 rows of 3), fc1.bias 15..16.
    const buf = Float32Array.from({ length: paramCount([2, 3, 2]) }, (_, i) => i);
    const grown = growOutputBuffer([2, 3, 2], buf, 1, { weight: -1, bias: -2 });
    expect(Array.from(grown)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, -1, -1, -1, 15, 16, -2]);
    expect(grown.length).toBe(paramCount([2, 3, 3]));
  });

  it('draws fresh rows by initParams’ scheme when given an Rng: Glorot-uniform for tanh, zero biases', () => {
    const sizes = [2, 16, 3];
    const grown = growOutputBuffer(sizes, new Float32Array(paramCount(sizes)), 2, new Rng(1), 'tanh');
    const rows = grown.subarray(paramCount(sizes) - 3, paramCount(sizes) - 3 + 32);
    const limit = Math.sqrt(6 / (16 + 5));
    expect(rows.every((v) => Math.abs(v) <= limit && v !== 0)).toBe(true);
    expect(Math.max(...rows.map(Math.abs))).toBeGreaterThan(limit / 2);
    expect(Array.from(grown.subarray(grown.length - 2))).toEqual([0, 0]);
  });

  it('draws new rows and biases uniform in ±1/√fan_in under the torch scheme', () => {
    const sizes = [8, 64, 3];
    const grown = growOutputBuffer(sizes, new Float32Array(paramCount(sizes)), 4, new Rng(2), 'relu', 'torch');
    const limit = 1 / Math.sqrt(64);
    const newRows = grown.subarray(8 * 64 + 64 + 3 * 64, 8 * 64 + 64 + 7 * 64);
    const newBias = grown.subarray(grown.length - 4);
    expect(newRows.every((v) => Math.abs(v) <= limit) && newRows.some((v) => v !== 0)).toBe(true);
    expect(newBias.every((v) => Math.abs(v) <= limit) && newBias.every((v) => v !== 0)).toBe(true);
    // the old rows and biases stay zero
    expect(grown.subarray(8 * 64 + 64, 8 * 64 + 64 + 3 * 64).every((v) => v === 0)).toBe(true);
    expect(grown.subarray(grown.length - 7, grown.length - 4).every((v) => v === 0)).toBe(true);
  });

  it('rejects a wrong buffer length and a non-positive class count', () => {
    expect(() => growOutputBuffer([2, 2], new Float32Array(5), 1, 0)).toThrow(ShapeError);
    expect(() => growOutputBuffer([2, 2], new Float32Array(6), 0, 0)).toThrow(InvalidArgumentError);
  });
});

describe.each(all.map((k) => [k.backend, k] as const))('TrainStep.growOutput (%s kernels)', (_name, kernels) => {
  it('keeps the old outputs’ logits identical and carries moments, Fisher, anchors, ω/Ω and teacher along', () => {
    const model = { sizes: [4, 6, 3], activation: 'relu' as const };
    const rng = new Rng(2);
    const ewc = new EWC(kernels, { model, lambda: 1 });
    const si = new SynapticIntelligence(kernels, { model, c: 1 });
    const distill = new Distillation(kernels, { model });
    const step = new TrainStep({ kernels, model, seed: 3, optimizer: { kind: 'adam', lr: 0.01 }, regularizers: [ewc, si, distill] });
    for (let s = 0; s < 3; s++) step.step(randomBatch(rng, 5, 4, 3));
    const data = randomBatch(rng, 6, 4, 3);
    ewc.consolidate(step.params, data);
    si.closeTask(step.params);
    distill.takeTeacher(step.params);
    step.step(randomBatch(rng, 5, 4, 3));
    const before = step.snapshot();
    const logitsBefore = new Float32Array(6 * 3);
    kernels.forward({ ...model, params: step.params, x: data.x, batch: 6, logits: logitsBefore });

    step.growOutput(2);
    const sizes = [4, 6, 5];
    expect(step.sizes).toEqual(sizes);
    const logitsAfter = new Float32Array(6 * 5);
    kernels.forward({ sizes, activation: 'relu', params: step.params, x: data.x, batch: 6, logits: logitsAfter });
    for (let i = 0; i < 6; i++) expect(Array.from(logitsAfter.subarray(i * 5, i * 5 + 3))).toEqual(Array.from(logitsBefore.subarray(i * 3, i * 3 + 3)));

    const after = step.snapshot();
    const old = (buf: Float32Array) => growOutputBuffer(model.sizes, buf, 2, 0);
    const oldRows = (grown: Float32Array, ref: Float32Array) => {
      const same = old(ref);
      const firstNew = paramCount(model.sizes) - 3;
      for (let i = 0; i < grown.length; i++) {
        const isNew = (i >= firstNew && i < firstNew + 12) || i >= grown.length - 2;
        if (!isNew) expect(grown[i]).toBe(same[i]);
      }
    };
    oldRows(after.params, before.params);
    expect(Array.from(after.optimizer.m!)).toEqual(Array.from(old(before.optimizer.m!)));
    expect(Array.from(after.optimizer.v!)).toEqual(Array.from(old(before.optimizer.v!)));
    const ewcBefore = before.regularizers.ewc as ReturnType<EWC['snapshot']>;
    expect(ewc.task(0).fisher).toEqual(old(ewcBefore.tasks[0]!.fisher));
    oldRows(ewc.task(0).anchor, ewcBefore.tasks[0]!.anchor);
    const siBefore = before.regularizers.si as ReturnType<SynapticIntelligence['snapshot']>;
    expect(si.state().importance).toEqual(old(siBefore.importance));
    expect(si.state().omega).toEqual(old(siBefore.omega));
    // New units start anchored where they are (new weight rows and biases), so no penalty pulls them.
    const firstNew = paramCount(model.sizes) - 3;
    const newEntries = (buf: Float32Array) => [...buf.subarray(firstNew, firstNew + 12), ...buf.subarray(buf.length - 2)];
    expect(newEntries(ewc.task(0).anchor)).toEqual(newEntries(step.params));
    expect(newEntries(si.state().anchor)).toEqual(newEntries(step.params));
    const teacher = (distill.snapshot().teacher)!;
    oldRows(teacher, (before.regularizers.distillation as ReturnType<Distillation['snapshot']>).teacher!);

    // Training continues on a new class, and a snapshot taken now restores into a fresh, ungrown stack.
    const r = step.step({ ...randomBatch(rng, 4, 4, 5), targets: Int32Array.of(3, 4, 0, 4) });
    expect(Number.isFinite(r.loss)).toBe(true);
    const twin = new TrainStep({
      kernels,
      model,
      optimizer: { kind: 'adam', lr: 0.01 },
      regularizers: [new EWC(kernels, { model, lambda: 1 }), new SynapticIntelligence(kernels, { model, c: 1 }), new Distillation(kernels, { model })],
    });
    twin.restore(step.snapshot());
    const next = randomBatch(rng, 4, 4, 5);
    expect(twin.step(next).loss).toBe(step.step(next).loss);
  });

  it('rejects a bad class count without changing anything', () => {
    const model = { sizes: [2, 2], activation: 'relu' as const };
    const step = new TrainStep({ kernels, model, optimizer: { kind: 'sgd', lr: 1 }, params: randomParams(new Rng(1), model.sizes) });
    const before = step.snapshot();
    expect(() => step.growOutput(1.5)).toThrow(/newClasses/);
    expect(step.snapshot()).toEqual(before);
  });
});
