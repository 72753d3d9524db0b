import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, InvalidConfigError, LockedError, Rng, paramCount } from '@retain/core';
import { Distillation, EWC, SynapticIntelligence, TrainStep, type Batch } from '../src/index.js';
import type { Kernels } from '@retain/kernels';
import { backends } from './backends.js';
import { expectClose, randomBatch, randomParams, randomVector } from './fixtures.js';

const all = await backends();
const model = { sizes: [3, 5, 4], activation: 'tanh' as const };
const P = paramCount(model.sizes);

/** A TrainStep with EWC (2 separate tasks), SI (one closed task) and a distillation teacher, all non-trivial. */
function fullStack(kernels: Kernels, seed: number, optimizer: object = { kind: 'sgd', lr: 0.05 }, dropout = 0) {
  const rng = new Rng(seed);
  const params = randomParams(rng, model.sizes, 0.7);
  const ewc = new EWC(kernels, { model, mode: 'separate', lambda: 1.5, fisher: 'predicted', seed: 9 });
  ewc.addTask(randomParams(rng, model.sizes), randomVector(rng, P, 0, 1));
  ewc.addTask(randomParams(rng, model.sizes), randomVector(rng, P, 0, 1));
  const si = new SynapticIntelligence(kernels, { model, c: 0.3 });
  const distill = new Distillation(kernels, { model, temperature: 2, weight: 0.5 });
  const step = new TrainStep({ kernels, model, params, optimizer: optimizer as never, dropout, seed, regularizers: [ewc, si, distill] });
  // Give SI a real importance: a couple of steps, then close the task.
  for (let s = 0; s < 3; s++) step.step(randomBatch(rng, 6, 3, 4));
  si.closeTask(step.params);
  distill.takeTeacher(randomParams(rng, model.sizes, 0.7));
  for (let s = 0; s < 2; s++) step.step(randomBatch(rng, 6, 3, 4));
  return { step, ewc, si, distill, rng };
}

describe.each(all.map((k) => [k.backend, k] as const))('TrainStep (%s kernels)', (_name, kernels) => {
  it('with SGD caps EWC and SI coefficients at 1/lr when importance is added, so a stiff penalty cannot diverge', () => {
    const rng = new Rng(21);
    const lr = 0.1;
    const lambda = 100;
    const anchor = randomParams(rng, model.sizes);
    const fisher = randomVector(rng, P, 0, 5); // λF up to 500, far past the explicit step's limit 2/lr = 20
    const start = randomParams(rng, model.sizes);
    const spread = (theta: Float32Array) => Math.max(...Array.from(theta, (x, i) => Math.abs(x - anchor[i]!)));

    // Not bound to a TrainStep: nothing is capped, and plain explicit steps on the penalty blow up.
    const loose = new EWC(kernels, { model, mode: 'separate', lambda });
    loose.addTask(anchor, fisher);
    expect(loose.curvatureClamped).toBe(0);
    const theta = start.slice();
    const g = new Float32Array(P);
    for (let s = 0; s < 20; s++) {
      g.fill(0);
      loose.penaltyGrad(theta, g);
      for (let i = 0; i < P; i++) theta[i] = theta[i]! - lr * g[i]!;
    }
    expect(spread(theta)).toBeGreaterThan(1e6);

    // Inside an SGD TrainStep: λF ≤ 1/lr after addTask, entries already below the cap untouched, training stays bounded.
    const ewc = new EWC(kernels, { model, mode: 'separate', lambda });
    const step = new TrainStep({ kernels, model, params: start, optimizer: { kind: 'sgd', lr }, regularizers: [ewc] });
    ewc.addTask(anchor, fisher);
    const capped = ewc.task(0).fisher;
    const cap = 1 / (lr * lambda);
    expect(ewc.curvatureClamped).toBe(Array.from(fisher).filter((f) => f > Math.fround(cap)).length);
    expect(ewc.curvatureClamped).toBeGreaterThan(P / 2);
    for (let i = 0; i < P; i++) {
      expect(capped[i]).toBeLessThanOrEqual(Math.fround(cap));
      if (fisher[i]! <= Math.fround(cap)) expect(capped[i]).toBe(fisher[i]);
    }
    const before = spread(step.params);
    for (let s = 0; s < 50; s++) step.step(randomBatch(rng, 6, 3, 4));
    expect(step.params.every(Number.isFinite)).toBe(true);
    expect(spread(step.params)).toBeLessThan(before + 1);

    // Adam scales each coordinate's step itself: nothing is capped.
    const adamEwc = new EWC(kernels, { model, mode: 'separate', lambda });
    new TrainStep({ kernels, model, params: start, optimizer: { kind: 'adam', lr }, regularizers: [adamEwc] });
    adamEwc.addTask(anchor, fisher);
    expect(adamEwc.curvatureClamped).toBe(0);
    expect(adamEwc.task(0).fisher).toEqual(fisher);

    // SI: 2cΩ ≤ 1/lr once the task closes.
    const c = 500;
    const si = new SynapticIntelligence(kernels, { model, c });
    const siStep = new TrainStep({ kernels, model, params: start, optimizer: { kind: 'sgd', lr }, regularizers: [si] });
    for (let s = 0; s < 10; s++) siStep.step(randomBatch(rng, 6, 3, 4));
    si.closeTask(siStep.params);
    expect(si.curvatureClamped).toBeGreaterThan(0);
    expect(Math.max(...si.state().importance)).toBeLessThanOrEqual(Math.fround(1 / (2 * c * lr)));
  });

  it('with EWC + SI + distillation has the gradient of its total loss (central finite differences)', () => {
    const { step, rng } = fullStack(kernels, 1);
    const batch = randomBatch(rng, 5, 3, 4, { weights: true, mask: true });
    step.gradient(batch);
    const grad = step.lastGradient.slice();
    const theta = step.params;
    const h = 1e-2;
    let checked = 0;
    for (let i = 0; i < P; i += 2) {
      const keep = theta[i]!;
      theta[i] = keep + h;
      const up = step.gradient(batch).loss;
      theta[i] = keep - h;
      const down = step.gradient(batch).loss;
      theta[i] = keep;
      const fd = (up - down) / (2 * h);
      expect(Math.abs(fd - grad[i]!)).toBeLessThan(2e-3 + 2e-2 * Math.abs(fd));
      checked++;
    }
    expect(checked).toBeGreaterThan(20);
  });

  it('with every regularizer equals the sum of the separate gradients and penalties', () => {
    const { step, ewc, si, distill, rng } = fullStack(kernels, 2);
    const batch = randomBatch(rng, 6, 3, 4, { weights: true });
    const r = step.gradient(batch);
    const theta = step.params;
    // Data term (cross-entropy + fused distillation) straight from the kernels.
    const dataGrad = new Float32Array(P);
    const dataLoss = kernels.lossGrad({ ...model, params: theta, x: batch.x, batch: 6, targets: batch.targets, weights: batch.weights!, grad: dataGrad, distill: distill.teacher(batch)! });
    // EWC and SI closed forms in f64.
    const want = Array.from(dataGrad, Number);
    let ewcPenalty = 0;
    for (let t = 0; t < ewc.taskCount; t++) {
      const { fisher, anchor } = ewc.task(t);
      for (let i = 0; i < P; i++) {
        const d = theta[i]! - anchor[i]!;
        ewcPenalty += 0.5 * 1.5 * fisher[i]! * d * d;
        want[i] = want[i]! + 1.5 * fisher[i]! * d;
      }
    }
    const { importance, anchor } = si.state();
    let siPenalty = 0;
    for (let i = 0; i < P; i++) {
      const d = theta[i]! - anchor[i]!;
      siPenalty += 0.3 * importance[i]! * d * d;
      want[i] = want[i]! + 2 * 0.3 * importance[i]! * d;
    }
    expect(siPenalty).toBeGreaterThan(1e-6);
    expect(r.penalties.ewc).toBeCloseTo(ewcPenalty, 5);
    expect(r.penalties.si).toBeCloseTo(siPenalty, 5);
    expect(r.loss).toBeCloseTo(dataLoss + ewcPenalty + siPenalty, 5);
    expect(r.distillLoss).toBeGreaterThan(1e-4);
    expectClose(step.lastGradient, want, 1e-5, 1e-6);
  });

  it('applies plain SGD as θ − lr·g and Adam’s first step as θ − lr·g/(|g| + ε)', () => {
    const rng = new Rng(3);
    const params = randomParams(rng, model.sizes);
    const batch = randomBatch(rng, 4, 3, 4);
    for (const kind of ['sgd', 'adam'] as const) {
      const step = new TrainStep({ kernels, model, params, optimizer: { kind, lr: 0.01 } });
      step.gradient(batch);
      const g = step.lastGradient.slice();
      const r = step.step(batch);
      const want = Array.from(params, (p, i) => (kind === 'sgd' ? p - 0.01 * g[i]! : p - (0.01 * g[i]!) / (Math.abs(g[i]!) + 1e-8)));
      expectClose(step.params, want, 1e-5, 1e-7);
      expect(r.gradNorm).toBeCloseTo(Math.hypot(...g), 5);
      expect(step.optimizer.steps).toBe(1);
    }
  });

  it('skips the update of a step whose loss is not finite, leaving θ, the optimizer and SI as they were', async () => {
    const { step, si } = fullStack(kernels, 31, { kind: 'adam', lr: 0.01 });
    const before = step.snapshot();
    const siBefore = si.snapshot();
    const batch = randomBatch(new Rng(3), 6, 3, 4);
    batch.x[4] = Number.NaN; // a poisoned input: the cross-entropy is not finite
    const r = step.step(batch);
    expect(r.skipped).toBe(true);
    expect(Number.isFinite(r.loss)).toBe(false);
    expect(step.skippedSteps).toBe(1);
    const after = step.snapshot();
    expect(Buffer.from(after.params.buffer).equals(Buffer.from(before.params.buffer))).toBe(true);
    expect(after.steps).toBe(before.steps);
    expect(JSON.stringify(si.snapshot(), (_k, v) => (ArrayBuffer.isView(v) ? Array.from(v as Float32Array) : v))).toBe(
      JSON.stringify(siBefore, (_k, v) => (ArrayBuffer.isView(v) ? Array.from(v as Float32Array) : v)),
    );
    const ra = await step.stepAsync(batch);
    expect(ra.skipped).toBe(true);
    expect(step.step(randomBatch(new Rng(4), 6, 3, 4)).skipped).toBe(false);
  });

  it('reports the weighted task loss and unweighted per-example losses', () => {
    const rng = new Rng(4);
    const step = new TrainStep({ kernels, model, seed: 4, optimizer: { kind: 'sgd', lr: 0.1 } });
    const batch = randomBatch(rng, 6, 3, 4, { weights: true });
    const logits = new Float32Array(24);
    kernels.forward({ ...model, params: step.params, x: batch.x, batch: 6, logits });
    const r = step.step(batch);
    let task = 0;
    for (let i = 0; i < 6; i++) {
      const row = Array.from(logits.subarray(i * 4, i * 4 + 4));
      const m = Math.max(...row);
      const ce = Math.log(row.reduce((s, z) => s + Math.exp(z - m), 0)) + m - row[batch.targets[i]!]!;
      expect(r.perExampleLoss[i]).toBeCloseTo(ce, 5);
      task += batch.weights![i]! * ce;
    }
    expect(r.taskLoss).toBeCloseTo(task / 6, 5);
    expect(r.loss).toBeCloseTo(task / 6, 5);
    expect(r.penalty).toBe(0);
  });

  it("returns the step's forward logits and applies a batch's own teacher only on rows with weight", () => {
    const rng = new Rng(8);
    const params = randomParams(rng, model.sizes, 0.7);
    const batch = randomBatch(rng, 6, 3, 4, { weights: true });
    const logits = new Float32Array(24);
    kernels.forward({ ...model, params, x: batch.x, batch: 6, logits });
    const plain = new TrainStep({ kernels, model, params, optimizer: { kind: 'sgd', lr: 0.1 } });
    const r = plain.step(batch);
    expectClose(r.logits, logits, 1e-5, 1e-6);
    const plainParams = plain.params.slice();

    // Rows 1 and 4 carry a teacher; the rest hold NaN and weight 0, and must not matter.
    const teacherLogits = new Float32Array(24).fill(Number.NaN);
    const rowWeights = new Float32Array(6);
    for (const i of [1, 4]) {
      rowWeights[i] = 1;
      for (let c = 0; c < 4; c++) teacherLogits[i * 4 + c] = rng.normal() * 2;
    }
    const teacher = { teacherLogits, rowWeights, temperature: 2, weight: 0.7 };
    const der = new TrainStep({ kernels, model, params, optimizer: { kind: 'sgd', lr: 0.1 } });
    const d = der.step({ ...batch, teacher });
    expect(Number.isFinite(d.loss)).toBe(true);
    expect(d.taskLoss).toBeCloseTo(r.taskLoss, 6);
    // the distillation term: (1/B)·Σ over the two rows of wᵢ·α·T²·KL(softmax(t/T) ‖ softmax(z/T))
    let kl = 0;
    for (const i of [1, 4]) {
      const lsm = (v: number[]) => {
        const m = Math.max(...v);
        const l = Math.log(v.reduce((s, z) => s + Math.exp(z - m), 0)) + m;
        return v.map((z) => z - l);
      };
      const lt = lsm(Array.from(teacherLogits.subarray(i * 4, i * 4 + 4), (z) => z / 2));
      const lq = lsm(Array.from(logits.subarray(i * 4, i * 4 + 4), (z) => z / 2));
      kl += batch.weights![i]! * 0.7 * 4 * lt.reduce((s, l, c) => s + Math.exp(l) * (l - lq[c]!), 0);
    }
    expect(d.distillLoss).toBeCloseTo(kl / 6, 5);
    expect(d.distillLoss).toBeGreaterThan(0);
    expect(Array.from(der.params)).not.toEqual(Array.from(plainParams));

    // With every row weight 0 it is the plain step, exactly.
    const off = new TrainStep({ kernels, model, params, optimizer: { kind: 'sgd', lr: 0.1 } });
    off.step({ ...batch, teacher: { ...teacher, rowWeights: new Float32Array(6) } });
    expect(Array.from(off.params)).toEqual(Array.from(plainParams));

    // A batch teacher and a regularizer's teacher in one step: a config error naming the regularizer.
    const lwf = new Distillation(kernels, { model, temperature: 2, weight: 1 });
    lwf.takeTeacher(randomParams(rng, model.sizes, 0.7));
    const both = new TrainStep({ kernels, model, params, optimizer: { kind: 'sgd', lr: 0.1 }, regularizers: [lwf] });
    expect(() => both.step({ ...batch, teacher })).toThrow(InvalidConfigError);
    expect(() => both.step({ ...batch, teacher })).toThrow(/trainStep\.regularizers\.distillation.*batch\.teacher/);
    expect(Array.from(both.params)).toEqual(Array.from(params));
    // a teacher of the wrong shape names the field
    expect(() => der.step({ ...batch, teacher: { ...teacher, teacherLogits: new Float32Array(5) } })).toThrow(/batch\.teacher\.teacherLogits/);
  });

  it('continues bit-exactly after snapshot → restore, with dropout, Adam and every regularizer', () => {
    const a = fullStack(kernels, 5, { kind: 'adam', lr: 0.01, clipNorm: 1 }, 0.3);
    const saved = structuredClone(a.step.snapshot());
    const batches = [0, 1, 2].map(() => randomBatch(a.rng, 6, 3, 4, { weights: true }));
    const results = batches.map((b) => a.step.step(b).loss);
    a.si.closeTask(a.step.params);
    const tail = a.step.step(batches[0]!).loss;

    const b = fullStack(kernels, 99, { kind: 'adam', lr: 0.01, clipNorm: 1 }, 0.3);
    b.step.restore(saved);
    expect(batches.map((x) => b.step.step(x).loss)).toEqual(results);
    b.si.closeTask(b.step.params);
    expect(b.step.step(batches[0]!).loss).toBe(tail);
    expect(b.step.params).toEqual(a.step.params);
    expect(b.step.snapshot()).toEqual(a.step.snapshot());
  });

  it('runs the same steps through the async kernels as through the sync ones', async () => {
    const a = fullStack(kernels, 6, { kind: 'sgd', lr: 0.05, momentum: 0.9 }, 0.2);
    const b = fullStack(kernels, 6, { kind: 'sgd', lr: 0.05, momentum: 0.9 }, 0.2);
    for (let s = 0; s < 3; s++) {
      const batch = randomBatch(a.rng, 5, 3, 4);
      const ra = a.step.step(batch);
      const rb = await b.step.stepAsync(batch);
      expect(rb.loss).toBe(ra.loss);
      expect(rb.penalties).toEqual(ra.penalties);
    }
    expect(b.step.params).toEqual(a.step.params);
  });

  it('refuses a second async step while one is running', async () => {
    const step = new TrainStep({ kernels, model, optimizer: { kind: 'sgd', lr: 0.1 } });
    const batch = randomBatch(new Rng(7), 3, 3, 4);
    const first = step.stepAsync(batch);
    await expect(step.stepAsync(batch)).rejects.toBeInstanceOf(LockedError);
    await first;
    expect(step.steps).toBe(1);
  });

  it('draws one dropout seed per step from its Rng: same seed, same run; other seed, other run', () => {
    const batch = randomBatch(new Rng(8), 8, 3, 4);
    const run = (seed: number) => {
      const s = new TrainStep({ kernels, model, params: new Float32Array(P).fill(0.1), dropout: 0.5, seed, optimizer: { kind: 'sgd', lr: 0.1 } });
      return [s.step(batch).loss, s.step(batch).loss];
    };
    expect(run(1)).toEqual(run(1));
    expect(run(1)).not.toEqual(run(2));
  });

  it('rejects a bad batch with an error naming the field and leaves θ, optimizer and Rng untouched', () => {
    const { step, rng } = fullStack(kernels, 9, { kind: 'adam', lr: 0.01 }, 0.5);
    const before = step.snapshot();
    const good = randomBatch(rng, 4, 3, 4);
    const cases: [Batch, string][] = [
      [{ ...good, targets: Int32Array.of(0, 1, 9, 2) }, 'batch.targets[2]'],
      [{ ...good, x: new Float32Array(5) }, 'batch.x'],
      [{ ...good, weights: Float32Array.of(1, -1, 1, 1) }, 'batch.weights[1]'],
      [{ ...good, outputMask: new Uint8Array(16) }, 'batch.targets[0]'],
      [{ ...good, batch: 0 }, 'batch.batch'],
    ];
    for (const [batch, field] of cases) {
      try {
        step.step(batch);
        expect.unreachable();
      } catch (err) {
        expect((err as InvalidArgumentError).field).toBe(field);
      }
    }
    expect(step.snapshot()).toEqual(before);
  });

  it('reuses its buffers: the per-example view keeps one backing store until a larger batch arrives', () => {
    const rng = new Rng(10);
    const step = new TrainStep({ kernels, model, optimizer: { kind: 'sgd', lr: 0.1 } });
    const b1 = step.step(randomBatch(rng, 8, 3, 4)).perExampleLoss.buffer;
    const b2 = step.step(randomBatch(rng, 3, 3, 4)).perExampleLoss.buffer;
    const b3 = step.step(randomBatch(rng, 16, 3, 4)).perExampleLoss.buffer;
    expect(b2).toBe(b1);
    expect(b3).not.toBe(b1);
  });

  it('names the bad field of its configuration', () => {
    const cases: [object, string][] = [
      [{ model, optimizer: { kind: 'sgd', lr: -1 } }, 'trainStep.optimizer.lr'],
      [{ model, optimizer: { kind: 'rmsprop', lr: 1 } }, 'trainStep.optimizer.kind'],
      [{ model, optimizer: { kind: 'sgd', lr: 1, nesterov: true } }, 'trainStep.optimizer.nesterov'],
      [{ model, optimizer: { kind: 'sgd', lr: 1 }, dropout: 1 }, 'trainStep.dropout'],
      [{ model: { sizes: [3, 0], activation: 'relu' }, optimizer: { kind: 'sgd', lr: 1 } }, 'trainStep.model.sizes[1]'],
    ];
    for (const [config, field] of cases) {
      try {
        new TrainStep({ kernels, ...config } as never);
        expect.unreachable();
      } catch (err) {
        expect(err).toBeInstanceOf(InvalidConfigError);
        expect((err as InvalidConfigError).field).toBe(field);
      }
    }
    const other = new EWC(kernels, { model: { sizes: [3, 6, 4], activation: 'tanh' }, lambda: 1 });
    expect(() => new TrainStep({ kernels, model, optimizer: { kind: 'sgd', lr: 1 }, regularizers: [other] })).toThrow(/regularizers\[0\]\.sizes/);
  });
});
