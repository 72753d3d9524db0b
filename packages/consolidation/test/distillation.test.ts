import { describe, expect, it } from 'vitest';
import { Rng, paramCount } from '@retain/core';
import { Distillation, TrainStep, UNSEEN_CLASS_LOGIT } from '../src/index.js';
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
