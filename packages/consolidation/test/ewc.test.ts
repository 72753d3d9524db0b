import { describe, expect, it } from 'vitest';
import { InvalidConfigError, Rng, StateVersionError, paramCount } from '@retain/core';
import { EWC } from '../src/index.js';
import { backends } from './backends.js';
import { expectClose, randomBatch, randomParams, randomVector } from './fixtures.js';

const all = await backends();
const model = { sizes: [3, 5, 4], activation: 'tanh' as const };
const P = paramCount(model.sizes);

/** Σ ½λF(θ−θ*)² and λF(θ−θ*) in f64. */
function closedForm(lambda: number, params: Float32Array, tasks: { fisher: Float32Array; anchor: Float32Array }[]) {
  const grad = new Float64Array(params.length);
  let penalty = 0;
  for (const t of tasks) {
    for (let i = 0; i < params.length; i++) {
      const d = params[i]! - t.anchor[i]!;
      penalty += 0.5 * lambda * t.fisher[i]! * d * d;
      grad[i] = grad[i]! + lambda * t.fisher[i]! * d;
    }
  }
  return { penalty, grad };
}

describe.each(all.map((k) => [k.backend, k] as const))('EWC (%s kernels)', (_name, kernels) => {
  it('sums one closed-form penalty per task in separate mode and adds its gradient to the existing one', () => {
    const rng = new Rng(1);
    const ewc = new EWC(kernels, { model, mode: 'separate', lambda: 3 });
    const tasks = [0, 1, 2].map(() => ({ fisher: randomVector(rng, P, 0, 2), anchor: randomVector(rng, P) }));
    for (const t of tasks) ewc.addTask(t.anchor, t.fisher);
    expect(ewc.taskCount).toBe(3);
    const params = randomVector(rng, P);
    const before = randomVector(rng, P);
    const grad = before.slice();
    const penalty = ewc.penaltyGrad(params, grad);
    const want = closedForm(3, params, tasks);
    expect(penalty).toBeCloseTo(want.penalty, 4);
    expectClose(grad, Array.from(want.grad, (g, i) => g + before[i]!), 1e-5, 1e-6);
  });

  it('merges the two oldest tasks beyond maxTasks without changing the gradient', () => {
    const rng = new Rng(12);
    const capped = new EWC(kernels, { model, mode: 'separate', lambda: 2, maxTasks: 2 });
    const full = new EWC(kernels, { model, mode: 'separate', lambda: 2 });
    for (let t = 0; t < 4; t++) {
      const fisher = randomVector(rng, P, 0, 1);
      const anchor = randomVector(rng, P);
      capped.addTask(anchor, fisher);
      full.addTask(anchor, fisher);
    }
    expect(capped.taskCount).toBe(2);
    const params = randomVector(rng, P);
    const gc = new Float32Array(P);
    const gf = new Float32Array(P);
    capped.penaltyGrad(params, gc);
    full.penaltyGrad(params, gf);
    expectClose(gc, gf, 1e-4, 1e-6);
  });

  it('keeps online F = γ²F₁ + γF₂ + F₃ and θ* = θ₃ over three consolidations', () => {
    const rng = new Rng(2);
    const ewc = new EWC(kernels, { model, mode: 'online', lambda: 2, gamma: 0.5 });
    const fs = [0, 1, 2].map(() => randomVector(rng, P, 0, 1));
    const anchors = [0, 1, 2].map(() => randomVector(rng, P));
    fs.forEach((f, i) => ewc.addTask(anchors[i]!, f));
    expect(ewc.taskCount).toBe(1);
    const { fisher, anchor } = ewc.task(0);
    const want = fs[0]!.map((f0, i) => Math.fround(Math.fround(0.5 * Math.fround(0.5 * f0 + fs[1]![i]!)) + fs[2]![i]!));
    expectClose(fisher, want, 1e-6);
    expect(anchor).toEqual(anchors[2]);
    const params = randomVector(rng, P);
    const grad = new Float32Array(P);
    const penalty = ewc.penaltyGrad(params, grad);
    const cf = closedForm(2, params, [{ fisher, anchor }]);
    expect(penalty).toBeCloseTo(cf.penalty, 4);
    expectClose(grad, cf.grad, 1e-5, 1e-6);
  });

  it('computes the empirical mean Fisher equal to a per-example brute-force loop, across chunk boundaries', () => {
    const rng = new Rng(3);
    const params = randomParams(rng, model.sizes, 0.8);
    const data = randomBatch(rng, 7, 3, 4, { mask: true });
    const ewc = new EWC(kernels, { model, lambda: 1, fisher: 'empirical', chunkSize: 3 });
    const fisher = ewc.computeFisher(params, data);
    const want = new Float64Array(P);
    const grad = new Float32Array(P);
    for (let i = 0; i < 7; i++) {
      kernels.lossGrad({
        ...model,
        params,
        x: data.x.slice(i * 3, i * 3 + 3),
        batch: 1,
        targets: data.targets.slice(i, i + 1),
        outputMask: data.outputMask!.slice(i * 4, i * 4 + 4),
        grad,
      });
      for (let j = 0; j < P; j++) want[j] = want[j]! + (grad[j]! * grad[j]!) / 7;
    }
    expectClose(fisher, want, 1e-4, 1e-7);
  });

  it('computes the expected Fisher as Σ_c p_c·g_c² per example, masked classes excluded', () => {
    const rng = new Rng(4);
    const params = randomParams(rng, model.sizes, 0.8);
    const data = randomBatch(rng, 5, 3, 4, { mask: true });
    const ewc = new EWC(kernels, { model, lambda: 1, fisher: 'expected', chunkSize: 2 });
    const fisher = ewc.computeFisher(params, data);
    const want = new Float64Array(P);
    const grad = new Float32Array(P);
    const logits = new Float32Array(4);
    for (let i = 0; i < 5; i++) {
      const x = data.x.slice(i * 3, i * 3 + 3);
      const mask = data.outputMask!.slice(i * 4, i * 4 + 4);
      kernels.forward({ ...model, params, x, batch: 1, logits });
      const allowed = [0, 1, 2, 3].filter((c) => mask[c] !== 0);
      const z = Math.max(...allowed.map((c) => logits[c]!));
      const total = allowed.reduce((s, c) => s + Math.exp(logits[c]! - z), 0);
      for (const c of allowed) {
        const p = Math.exp(logits[c]! - z) / total;
        kernels.lossGrad({ ...model, params, x, batch: 1, targets: Int32Array.of(c), outputMask: mask, grad });
        for (let j = 0; j < P; j++) want[j] = want[j]! + (p * grad[j]! * grad[j]!) / 5;
      }
    }
    expectClose(fisher, want, 1e-4, 1e-7);
  });

  it('draws predicted-Fisher labels from the model softmax with its seeded Rng', () => {
    const rng = new Rng(5);
    const params = randomParams(rng, model.sizes, 1);
    const data = randomBatch(rng, 6, 3, 4);
    const ewc = new EWC(kernels, { model, lambda: 1, fisher: 'predicted', seed: 77, chunkSize: 4 });
    const fisher = ewc.computeFisher(params, { x: data.x, batch: 6 });
    // Independent draw: inverse CDF over an f64 softmax with a generator seeded the same way.
    const draw = new Rng(77);
    const logits = new Float32Array(6 * 4);
    kernels.forward({ ...model, params, x: data.x, batch: 6, logits });
    const labels = new Int32Array(6);
    for (let i = 0; i < 6; i++) {
      const row = Array.from(logits.subarray(i * 4, i * 4 + 4));
      const m = Math.max(...row);
      const e = row.map((z) => Math.exp(z - m));
      let u = draw.float() * e.reduce((a, b) => a + b, 0);
      let c = 0;
      while (c < 3 && u >= e[c]!) u -= e[c++]!;
      labels[i] = c;
    }
    const empirical = new EWC(kernels, { model, lambda: 1, fisher: 'empirical' });
    expectClose(fisher, empirical.computeFisher(params, { x: data.x, batch: 6, targets: labels }), 1e-6, 1e-9);
  });

  it('refreshes the Fisher on consolidate and only moves the newest anchor on moveAnchor', () => {
    const rng = new Rng(6);
    const data = randomBatch(rng, 8, 3, 4);
    const ewc = new EWC(kernels, { model, mode: 'separate', lambda: 1 });
    const p1 = randomParams(rng, model.sizes);
    ewc.consolidate(p1, data);
    const f1 = ewc.task(0).fisher;
    expectClose(f1, ewc.computeFisher(p1, data), 0, 0);
    const p2 = randomParams(rng, model.sizes);
    ewc.moveAnchor(p2);
    expect(ewc.task(0).anchor).toEqual(p2);
    expect(ewc.task(0).fisher).toEqual(f1);
    ewc.consolidate(p2, data);
    expect(ewc.taskCount).toBe(2);
  });

  it('computes the same Fisher and penalty through the async kernels', async () => {
    const rng = new Rng(7);
    const params = randomParams(rng, model.sizes);
    const data = randomBatch(rng, 9, 3, 4);
    const a = new EWC(kernels, { model, lambda: 4, fisher: 'predicted', seed: 3, chunkSize: 4 });
    const b = new EWC(kernels, { model, lambda: 4, fisher: 'predicted', seed: 3, chunkSize: 4 });
    a.consolidate(params, data);
    await b.consolidateAsync(params, data);
    expect(b.task(0).fisher).toEqual(a.task(0).fisher);
    const moved = randomParams(rng, model.sizes);
    const ga = new Float32Array(P);
    const gb = new Float32Array(P);
    expect(await b.penaltyGradAsync(moved, gb)).toBe(a.penaltyGrad(moved, ga));
    expect(gb).toEqual(ga);
  });

  it('round-trips its state through snapshot and restore', () => {
    const rng = new Rng(8);
    const a = new EWC(kernels, { model, mode: 'separate', lambda: 2, fisher: 'predicted' });
    a.consolidate(randomParams(rng, model.sizes), randomBatch(rng, 4, 3, 4));
    a.consolidate(randomParams(rng, model.sizes), randomBatch(rng, 4, 3, 4));
    const b = new EWC(kernels, { model, mode: 'separate', lambda: 9, fisher: 'predicted', seed: 5 });
    b.restore(structuredClone(a.snapshot()));
    expect(b.snapshot()).toEqual(a.snapshot());
    const data = randomBatch(rng, 4, 3, 4);
    const p = randomParams(rng, model.sizes);
    expect(b.computeFisher(p, data)).toEqual(a.computeFisher(p, data));
  });

  it('rejects a snapshot of another version with StateVersionError and keeps its state', () => {
    const rng = new Rng(9);
    const ewc = new EWC(kernels, { model, lambda: 1 });
    ewc.addTask(randomParams(rng, model.sizes), randomVector(rng, P, 0, 1));
    const before = ewc.snapshot();
    expect(() => ewc.restore({ ...before, version: 2 })).toThrow(StateVersionError);
    expect(() => ewc.restore({ ...before, tasks: [{ fisher: new Float32Array(3), anchor: new Float32Array(3) }] })).toThrow(/ewc.tasks\[0\].fisher/);
    expect(ewc.snapshot()).toEqual(before);
  });

  it('names the bad field of a config in a typed error', () => {
    const bad = (config: object, field: string) => {
      try {
        new EWC(kernels, config as never);
        expect.unreachable();
      } catch (err) {
        expect(err).toBeInstanceOf(InvalidConfigError);
        expect((err as InvalidConfigError).field).toBe(field);
      }
    };
    bad({ model, lambda: -1 }, 'ewc.lambda');
    bad({ model, lambda: 1, mode: 'both' }, 'ewc.mode');
    bad({ model, lambda: 1, gamma: 1.5 }, 'ewc.gamma');
    bad({ model, lambda: 1, fisher: 'true' }, 'ewc.fisher');
    bad({ model: { sizes: [3], activation: 'relu' }, lambda: 1 }, 'ewc.model.sizes');
    bad({ model, lambda: 1, extra: 1 }, 'ewc');
  });

  it('needs labels for the empirical Fisher', () => {
    const ewc = new EWC(kernels, { model, lambda: 1 });
    expect(() => ewc.computeFisher(new Float32Array(P), { x: new Float32Array(3), batch: 1 })).toThrow(/data.targets/);
  });
});
