import { describe, expect, it } from 'vitest';
import { Rng, paramCount } from '@retain/core';
import { Distillation, TrainStep, UNSEEN_CLASS_LOGIT, type Batch } from '../src/index.js';
import { backends } from './backends.js';
import { expectClose, randomBatch, randomParams } from './fixtures.js';

const all = await backends();
const model = { sizes: [4, 6, 3], activation: 'relu' as const };

function softmax(row: number[], t: number): number[] {
  const m = Math.max(...row.map((z) => z / t));
  const e = row.map((z) => Math.exp(z / t - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

describe.each(all.map((k) => [k.backend, k] as const))('Distillation (%s kernels)', (_name, kernels) => {
  it('adds no KL term and no gradient when the teacher equals the student', () => {
    const rng = new Rng(1);
    const params = randomParams(rng, model.sizes);
    const batch = randomBatch(rng, 6, 4, 3, { weights: true });
    const distill = new Distillation(kernels, { model, temperature: 2, weight: 3 });
    distill.takeTeacher(params);
    const withTeacher = new TrainStep({ kernels, model, params, optimizer: { kind: 'sgd', lr: 0.1 }, regularizers: [distill] });
    const plain = new TrainStep({ kernels, model, params, optimizer: { kind: 'sgd', lr: 0.1 } });
    const r = withTeacher.gradient(batch);
    const p = plain.gradient(batch);
    expect(Math.abs(r.distillLoss)).toBeLessThan(1e-6);
    expect(r.taskLoss).toBeCloseTo(p.taskLoss, 6);
    expectClose(withTeacher.lastGradient, plain.lastGradient, 1e-5, 1e-7);
  });

  it('adds (1/B)·Σ wᵢ·α·T²·KL(teacher ‖ student) for a different teacher', () => {
    const rng = new Rng(2);
    const params = randomParams(rng, model.sizes);
    const teacher = randomParams(rng, model.sizes);
    const batch = randomBatch(rng, 5, 4, 3, { weights: true });
    const distill = new Distillation(kernels, { model, temperature: 2.5, weight: 0.7 });
    distill.takeTeacher(teacher);
    const step = new TrainStep({ kernels, model, params, optimizer: { kind: 'sgd', lr: 0.1 }, regularizers: [distill] });
    const r = step.gradient(batch);
    const zs = new Float32Array(15);
    const zt = new Float32Array(15);
    kernels.forward({ ...model, params, x: batch.x, batch: 5, logits: zs });
    kernels.forward({ ...model, params: teacher, x: batch.x, batch: 5, logits: zt });
    let want = 0;
    for (let i = 0; i < 5; i++) {
      const q = softmax(Array.from(zs.subarray(i * 3, i * 3 + 3)), 2.5);
      const t = softmax(Array.from(zt.subarray(i * 3, i * 3 + 3)), 2.5);
      const kl = t.reduce((s, ti, c) => s + ti * (Math.log(ti) - Math.log(q[c]!)), 0);
      want += batch.weights![i]! * 0.7 * 6.25 * kl;
    }
    expect(r.distillLoss).toBeCloseTo(want / 5, 5);
    expect(r.distillLoss).toBeGreaterThan(1e-3);
  });

  it('has no term before a teacher is taken', () => {
    const rng = new Rng(3);
    const distill = new Distillation(kernels, { model });
    expect(distill.teacher(randomBatch(rng, 2, 4, 3))).toBeUndefined();
  });

  it('gives classes added after the teacher a logit the teacher never predicts', () => {
    const rng = new Rng(4);
    const params = randomParams(rng, model.sizes);
    const distill = new Distillation(kernels, { model, temperature: 2 });
    distill.takeTeacher(params);
    const before = distill.teacher(randomBatch(new Rng(5), 3, 4, 3))!.teacherLogits.slice();
    distill.growOutput(2, new Float32Array(paramCount([4, 6, 5])));
    const after = distill.teacher(randomBatch(new Rng(5), 3, 4, 5))!.teacherLogits;
    for (let i = 0; i < 3; i++) {
      expect(Array.from(after.subarray(i * 5, i * 5 + 3))).toEqual(Array.from(before.subarray(i * 3, i * 3 + 3)));
      expect(Array.from(after.subarray(i * 5 + 3, i * 5 + 5))).toEqual([UNSEEN_CLASS_LOGIT, UNSEEN_CLASS_LOGIT]);
    }
  });

  it('distills the heads and classes the teacher was trained on, not the batch mask', () => {
    const heads = { sizes: [4, 6, 6], activation: 'relu' as const };
    const rng = new Rng(7);
    // task-IL: each task trains its own head of two outputs under an output mask
    const headBatch = (first: number): Batch => {
      const b = randomBatch(rng, 8, 4, 6);
      b.outputMask = new Uint8Array(8 * 6);
      for (let i = 0; i < 8; i++) {
        b.targets[i] = first + (i % 2);
        b.outputMask[i * 6 + first] = 1;
        b.outputMask[i * 6 + first + 1] = 1;
      }
      return b;
    };
    const distill = new Distillation(kernels, { model: heads, temperature: 2 });
    const step = new TrainStep({ kernels, model: heads, params: randomParams(rng, heads.sizes), optimizer: { kind: 'sgd', lr: 0.5 }, regularizers: [distill] });
    for (let s = 0; s < 5; s++) step.step(headBatch(0));
    distill.takeTeacher(step.params);
    expect(Array.from(distill.classGroups!)).toEqual([0, 0, -1, -1, -1, -1]);
    for (let s = 0; s < 5; s++) step.step(headBatch(2));
    const r = step.gradient(headBatch(2));
    // the student has moved on head {0, 1}: a KL there, and its output rows get gradient under the {2, 3} mask
    expect(r.distillLoss).toBeGreaterThan(1e-4);
    const g = step.lastGradient;
    const wOut = 4 * 6 + 6;
    const rowNorm = (c: number) => Array.from(g.subarray(wOut + c * 6, wOut + c * 6 + 6)).reduce((a, v) => a + Math.abs(v), 0);
    expect(rowNorm(0)).toBeGreaterThan(0);
    expect(rowNorm(4)).toBe(0);
    distill.takeTeacher(step.params);
    expect(Array.from(distill.classGroups!)).toEqual([0, 0, 1, 1, -1, -1]);
    // a snapshot keeps the groups; an older snapshot without them falls back to the batch mask
    const copy = new Distillation(kernels, { model: heads });
    copy.restore(structuredClone(distill.snapshot()));
    expect(copy.snapshot()).toEqual(distill.snapshot());
    const { classes: _c, ...old } = distill.snapshot();
    copy.restore(old);
    expect(copy.classGroups).toBeNull();
    // classes that appear later are in no group
    distill.growOutput(1, new Float32Array(paramCount([4, 6, 7])));
    expect(Array.from(distill.classGroups!)).toEqual([0, 0, 1, 1, -1, -1, -1]);

    // class-IL: unmasked batches make one group of the classes trained so far
    const ci = new Distillation(kernels, { model: heads });
    const ciStep = new TrainStep({ kernels, model: heads, params: randomParams(rng, heads.sizes), optimizer: { kind: 'sgd', lr: 0.1 }, regularizers: [ci] });
    const b = randomBatch(rng, 6, 4, 6);
    b.targets.set([0, 1, 0, 1, 3, 0]);
    ciStep.step(b);
    ci.takeTeacher(ciStep.params);
    expect(Array.from(ci.classGroups!)).toEqual([0, 0, -1, 0, -1, -1]);
  });

  it('round-trips its teacher through snapshot and restore and rejects a bad temperature', () => {
    const rng = new Rng(6);
    const a = new Distillation(kernels, { model, weight: 2 });
    a.takeTeacher(randomParams(rng, model.sizes));
    const b = new Distillation(kernels, { model });
    b.restore(structuredClone(a.snapshot()));
    expect(b.snapshot()).toEqual(a.snapshot());
    expect(() => new Distillation(kernels, { model, temperature: 0 })).toThrow(/distillation\.temperature/);
  });
});
