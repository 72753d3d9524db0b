// Conformance of forward and lossGrad (SPEC.md) on every available backend against a float64 reference.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { paramCount } from '@retain/core';
import { backends } from './backends.js';
import { makeProblem, maxRelErr } from './problem.js';
import { refForward, refGrad, refLoss } from './reference-mlp.js';

describe.each(backends)('conformance on the %s backend: forward and lossGrad', (_name, k) => {
  it('forward matches the naive float64 forward for linear, one- and two-hidden-layer nets', () => {
    for (const [sizes, act] of [
      [[3, 4], 'relu'],
      [[5, 7, 3], 'relu'],
      [[6, 17, 5, 4], 'tanh'],
    ] as const) {
      const p = makeProblem(11, [...sizes], 6, act);
      const logits = new Float32Array(6 * sizes[sizes.length - 1]!);
      k.forward({ ...p, logits });
      expect(maxRelErr(logits, refForward(p).flat(), 1)).toBeLessThan(1e-5);
    }
  });

  it('forward writes -Infinity exactly at masked logits and the reference values elsewhere', () => {
    const p = makeProblem(12, [4, 6, 5], 5);
    const logits = new Float32Array(25);
    k.forward({ ...p, logits, outputMask: p.mask });
    const ref = refForward({ ...p, outputMask: p.mask }).flat();
    for (let j = 0; j < 25; j++) {
      if (p.mask[j] === 0) expect(logits[j]).toBe(-Infinity);
      else expect(Math.abs(logits[j]! - ref[j]!)).toBeLessThan(1e-5);
    }
  });

  it('lossGrad returns the mean cross-entropy and its gradient matches central differences (relu and tanh)', () => {
    for (const act of ['relu', 'tanh'] as const) {
      const p = makeProblem(13, [4, 6, 5, 3], 7, act);
      const loss = k.lossGrad(p);
      const ref = refLoss(p);
      expect(Math.abs(loss - ref.loss)).toBeLessThan(1e-5 * Math.max(1, ref.loss));
      expect(maxRelErr(p.grad, refGrad(p), 1e-2)).toBeLessThan(1e-3);
    }
  });

  it('perExampleLoss holds each unweighted cross-entropy and logits the forward pass', () => {
    const p = makeProblem(14, [3, 5, 4], 6);
    const perExampleLoss = new Float32Array(6);
    const logits = new Float32Array(24);
    const loss = k.lossGrad({ ...p, weights: p.w, perExampleLoss, logits });
    const ref = refLoss({ ...p, weights: p.w });
    expect(maxRelErr(perExampleLoss, ref.perExample)).toBeLessThan(1e-5);
    expect(maxRelErr(logits, refForward(p).flat())).toBeLessThan(1e-5);
    expect(Math.abs(loss - ref.loss)).toBeLessThan(1e-5);
  });

  it('weights scale each example: loss is (1/B)·Σ wᵢℓᵢ (divisor B, not Σw) and the gradient follows', () => {
    const p = makeProblem(15, [4, 5, 3], 5);
    const weights = Float32Array.from([0, 1, 2.5, 0.5, 0]);
    const perExampleLoss = new Float32Array(5);
    const loss = k.lossGrad({ ...p, weights, perExampleLoss });
    const expected = Array.from(perExampleLoss).reduce((s, l, i) => s + weights[i]! * l, 0) / 5;
    expect(Math.abs(loss - expected)).toBeLessThan(1e-6);
    expect(maxRelErr(p.grad, refGrad({ ...p, weights }), 1e-2)).toBeLessThan(1e-3);
    // All-zero weights: no loss and no gradient at all.
    const zero = k.lossGrad({ ...p, weights: new Float32Array(5) });
    expect(zero).toBe(0);
    expect(p.grad.every((g) => g === 0)).toBe(true);
  });

  it('masks restrict the softmax: gradient matches the masked reference and masked classes get no gradient', () => {
    const p = makeProblem(16, [4, 6, 5], 6);
    // Class 4 masked in every row, so its output weights and bias must receive exactly zero gradient.
    const mask = p.mask.slice();
    for (let i = 0; i < 6; i++) {
      mask[i * 5 + 4] = 0;
      if (p.targets[i] === 4) p.targets[i] = 0;
      mask[i * 5 + p.targets[i]!] = 1;
    }
    k.lossGrad({ ...p, outputMask: mask });
    expect(maxRelErr(p.grad, refGrad({ ...p, outputMask: mask }), 1e-2)).toBeLessThan(1e-3);
    const wOff = 4 * 6 + 6;
    for (let j = 0; j < 6; j++) expect(p.grad[wOff + 4 * 6 + j]).toBe(0);
    expect(p.grad[wOff + 5 * 6 + 4]).toBe(0);
  });

  it('fused distillation adds α·T²·KL to the loss and its exact gradient (with masks and weights)', () => {
    const p = makeProblem(17, [4, 6, 5], 6, 'tanh');
    const distill = { teacherLogits: p.teacher, temperature: 2, weight: 0.7 };
    const args = { ...p, distill, outputMask: p.mask, weights: p.w };
    const loss = k.lossGrad(args);
    const ref = refLoss(args);
    expect(Math.abs(loss - ref.loss)).toBeLessThan(1e-5 * Math.max(1, ref.loss));
    expect(maxRelErr(p.grad, refGrad(args), 1e-2)).toBeLessThan(1e-3);
    // weight 0 is exactly plain cross-entropy.
    const plain = new Float32Array(p.grad.length);
    const g0 = new Float32Array(p.grad.length);
    const l0 = k.lossGrad({ ...p, grad: g0, distill: { ...distill, weight: 0 } });
    expect(l0).toBeCloseTo(k.lossGrad({ ...p, grad: plain }), 6);
    expect(maxRelErr(g0, plain)).toBeLessThan(1e-6);
  });

  it('grouped distillation: each group its own softmax, the mean of their KLs, over masked-out heads too', () => {
    // task-IL: the batch trains head {4, 5}; the old heads {0, 1} and {2, 3} are distilled, class 6 is left alone
    const p = makeProblem(19, [4, 6, 7], 5, 'relu');
    const outputMask = new Uint8Array(5 * 7);
    const targets = new Int32Array(5);
    for (let i = 0; i < 5; i++) {
      outputMask.set([0, 0, 0, 0, 1, 1, 0], i * 7);
      targets[i] = 4 + (i % 2);
    }
    const distill = { teacherLogits: p.teacher, temperature: 2, weight: 0.9, classGroups: Int32Array.from([0, 0, 1, 1, -1, -1, -1]) };
    const args = { ...p, targets, outputMask, distill, weights: p.w };
    const loss = k.lossGrad(args);
    const ref = refLoss(args);
    expect(Math.abs(loss - ref.loss)).toBeLessThan(1e-5 * Math.max(1, ref.loss));
    expect(maxRelErr(p.grad, refGrad(args), 1e-2)).toBeLessThan(1e-3);
    // the distillation term moves the old heads' output weights, which cross-entropy under this mask never does
    const plain = new Float32Array(p.grad.length);
    const { distill: _unused, ...noDistill } = args;
    k.lossGrad({ ...noDistill, grad: plain });
    const wOut = 4 * 6 + 6;
    expect(plain[wOut]).toBe(0);
    expect(p.grad[wOut]).not.toBe(0);
    // class 6 is in no group and masked: no gradient on its output weights
    for (let j = 0; j < 6; j++) expect(p.grad[wOut + 6 * 6 + j]).toBe(0);
    // one group holding every allowed class of an unmasked batch is the ungrouped term
    const q = makeProblem(20, [3, 5, 4], 6);
    const g1 = new Float32Array(q.grad.length);
    const l1 = k.lossGrad({ ...q, grad: g1, distill: { teacherLogits: q.teacher, temperature: 1.5, weight: 0.4 } });
    const g2 = new Float32Array(q.grad.length);
    const l2 = k.lossGrad({ ...q, grad: g2, distill: { teacherLogits: q.teacher, temperature: 1.5, weight: 0.4, classGroups: new Int32Array(4) } });
    expect(Math.abs(l1 - l2)).toBeLessThan(1e-6);
    expect(maxRelErr(g1, g2)).toBeLessThan(1e-5);
  });

  it('distill.rowWeights of all ones is bit-identical to leaving it out (ungrouped and grouped)', () => {
    const p = makeProblem(23, [4, 6, 5], 6, 'tanh');
    const ones = new Float32Array(6).fill(1);
    for (const classGroups of [undefined, Int32Array.from([0, 0, 1, 1, -1])]) {
      const distill = { teacherLogits: p.teacher, temperature: 2, weight: 0.7, ...(classGroups === undefined ? {} : { classGroups }) };
      const args = { ...p, outputMask: p.mask, weights: p.w };
      const g0 = new Float32Array(p.grad.length);
      const l0 = k.lossGrad({ ...args, grad: g0, distill });
      const g1 = new Float32Array(p.grad.length);
      const l1 = k.lossGrad({ ...args, grad: g1, distill: { ...distill, rowWeights: ones } });
      expect(l1).toBe(l0);
      expect(g1).toEqual(g0);
    }
  });

  it('distill.rowWeights scales the term per example: rows at 0 are plain cross-entropy, the rest match the reference', () => {
    // Rows weighted 0 or 1: the batch is exactly the 0 rows without distillation plus the 1 rows with it
    // (per-example weights select the rows; the divisor is B in all three calls).
    const p = makeProblem(24, [4, 6, 5], 6, 'relu');
    const rowWeights = Float32Array.from([0, 1, 1, 0, 1, 0]);
    const distill = { teacherLogits: p.teacher, temperature: 2, weight: 0.8 };
    const base = { ...p, outputMask: p.mask };
    const pick = (keep: number) => p.w.map((w, i) => (rowWeights[i] === keep ? w : 0));
    const perExampleLoss = new Float32Array(6);
    const loss = k.lossGrad({ ...base, weights: p.w, distill: { ...distill, rowWeights }, perExampleLoss });
    const gPlain = new Float32Array(p.grad.length);
    const lPlain = k.lossGrad({ ...base, grad: gPlain, weights: pick(0) });
    const gKd = new Float32Array(p.grad.length);
    const lKd = k.lossGrad({ ...base, grad: gKd, weights: pick(1), distill });
    expect(Math.abs(loss - (lPlain + lKd))).toBeLessThan(1e-6 * Math.max(1, loss));
    expect(maxRelErr(p.grad, gPlain.map((g, j) => g + gKd[j]!), 1e-3)).toBeLessThan(1e-5);
    expect(maxRelErr(perExampleLoss, refLoss({ ...base, distill }).perExample)).toBeLessThan(1e-5);
    // Fractional row weights (and groups) against the float64 reference and its central differences.
    for (const classGroups of [undefined, Int32Array.from([0, 0, 1, 1, -1])]) {
      const args = {
        ...base,
        weights: p.w,
        distill: { ...distill, rowWeights: Float32Array.from([0, 0.5, 1, 2, 0, 1.5]), ...(classGroups === undefined ? {} : { classGroups }) },
      };
      const l = k.lossGrad(args);
      const ref = refLoss(args);
      expect(Math.abs(l - ref.loss)).toBeLessThan(1e-5 * Math.max(1, ref.loss));
      expect(maxRelErr(p.grad, refGrad(args), 1e-2)).toBeLessThan(1e-3);
    }
  });

  it('a teacher row weighted 0 is never read: NaN and ±Infinity there leave every output finite and unchanged', async () => {
    const p = makeProblem(25, [4, 6, 5], 6, 'tanh');
    const rowWeights = Float32Array.from([1, 0, 0.5, 0, 2, 0]);
    const clean = p.teacher.slice();
    const dirty = p.teacher.slice();
    for (let i = 0; i < 6; i++) {
      if (rowWeights[i] !== 0) continue;
      clean.fill(0, i * 5, i * 5 + 5);
      dirty.set([NaN, Infinity, -Infinity, NaN, NaN], i * 5);
    }
    for (const classGroups of [undefined, Int32Array.from([0, 0, 1, 1, -1])]) {
      const run = (teacherLogits: Float32Array) => {
        const grad = new Float32Array(p.grad.length);
        const perExampleLoss = new Float32Array(6);
        const distill = { teacherLogits, temperature: 3, weight: 0.6, rowWeights, ...(classGroups === undefined ? {} : { classGroups }) };
        const loss = k.lossGrad({ ...p, grad, perExampleLoss, weights: p.w, outputMask: p.mask, distill });
        return { loss, grad, perExampleLoss };
      };
      const a = run(dirty);
      expect(Number.isFinite(a.loss)).toBe(true);
      expect(a.grad.every(Number.isFinite)).toBe(true);
      expect(a.perExampleLoss.every(Number.isFinite)).toBe(true);
      expect(a).toEqual(run(clean));
      const grad = new Float32Array(p.grad.length);
      const distill = { teacherLogits: dirty, temperature: 3, weight: 0.6, rowWeights, ...(classGroups === undefined ? {} : { classGroups }) };
      const loss = await k.lossGradAsync({ ...p, grad, weights: p.w, outputMask: p.mask, distill });
      expect(loss).toBe(a.loss);
      expect(grad).toEqual(a.grad);
    }
  });

  it('distilling from the student itself costs nothing: KL = 0 when teacher logits equal the student logits', () => {
    const p = makeProblem(18, [3, 4], 4);
    const logits = new Float32Array(16);
    k.forward({ ...p, logits });
    const plain = k.lossGrad(p);
    const g = new Float32Array(p.grad.length);
    const withKd = k.lossGrad({ ...p, grad: g, distill: { teacherLogits: logits, temperature: 3, weight: 5 } });
    expect(Math.abs(withKd - plain)).toBeLessThan(1e-6);
    expect(maxRelErr(g, p.grad)).toBeLessThan(1e-5);
  });

  it('dropout: the same seed gives the same result, another seed another, and it matches the hashed reference', () => {
    const p = makeProblem(19, [5, 8, 7, 3], 6);
    const dropout = { rate: 0.4, seed: 12345 };
    const l1 = k.lossGrad({ ...p, dropout });
    const g1 = p.grad.slice();
    const l2 = k.lossGrad({ ...p, dropout });
    expect(l2).toBe(l1);
    expect(p.grad).toEqual(g1);
    const l3 = k.lossGrad({ ...p, dropout: { rate: 0.4, seed: 54321 } });
    expect(l3).not.toBe(l1);
    k.lossGrad({ ...p, dropout });
    expect(maxRelErr(p.grad, refGrad({ ...p, dropout }), 1e-2)).toBeLessThan(1e-3);
    const logits = new Float32Array(18);
    k.forward({ ...p, logits, dropout });
    expect(maxRelErr(logits, refForward({ ...p, dropout }).flat())).toBeLessThan(1e-5);
  });

  it('dropout rate 0 is bit-identical to no dropout', () => {
    const p = makeProblem(20, [5, 8, 3], 4);
    const l0 = k.lossGrad(p);
    const g0 = p.grad.slice();
    expect(k.lossGrad({ ...p, dropout: { rate: 0, seed: 99 } })).toBe(l0);
    expect(p.grad).toEqual(g0);
  });

  it('dropout keeps about 1 − rate of the hidden units (inverted scaling keeps the mean)', () => {
    // One hidden layer of 1,000 identity-like units fed a constant: the output sums the kept units.
    const width = 1000;
    const sizes = [1, width, 1];
    const params = new Float32Array(paramCount(sizes));
    for (let j = 0; j < width; j++) params[j] = 1; // W0 = 1, b0 = 0: h = x = 1 for every unit
    for (let j = 0; j < width; j++) params[2 * width + j] = 1; // W1 = 1: logit = Σ a_j
    const batch = 20;
    const logits = new Float32Array(batch);
    const rate = 0.3;
    k.forward({ sizes, activation: 'relu', params, x: new Float32Array(batch).fill(1), batch, logits, dropout: { rate, seed: 7 } });
    let kept = 0;
    for (const z of logits) kept += (z * (1 - rate)) / width;
    const fraction = kept / batch;
    // 20,000 Bernoulli(0.7) draws: standard deviation 0.0032; 5σ.
    expect(Math.abs(fraction - (1 - rate))).toBeLessThan(0.016);
  });

  it('a batch larger than one processing chunk gives the same result as the sum of its halves', () => {
    const p = makeProblem(21, [3, 5, 2], 600);
    const loss = k.lossGrad(p);
    const whole = p.grad.slice();
    const half = (from: number): [number, Float32Array] => {
      const g = new Float32Array(p.grad.length);
      const l = k.lossGrad({
        ...p,
        batch: 300,
        x: p.x.slice(from * 3, (from + 300) * 3),
        targets: p.targets.slice(from, from + 300),
        grad: g,
      });
      return [l, g];
    };
    const [la, ga] = half(0);
    const [lb, gb] = half(300);
    expect(Math.abs(loss - (la + lb) / 2)).toBeLessThan(1e-6);
    expect(maxRelErr(whole, ga.map((g, j) => (g + gb[j]!) / 2), 1e-3)).toBeLessThan(1e-4);
  });

  it('dropout masks index examples across the whole batch, not per processing chunk', () => {
    const p = makeProblem(22, [3, 6, 2], 600);
    const dropout = { rate: 0.5, seed: 2024 };
    const logits = new Float32Array(1200);
    k.forward({ ...p, logits, dropout });
    expect(maxRelErr(logits, refForward({ ...p, dropout }).flat())).toBeLessThan(1e-5);
  });

  it('property: lossGrad matches the float64 reference gradient on random nets, batches and options', () => {
    fc.assert(
      fc.property(
        fc.record({
          seed: fc.integer({ min: 0, max: 1e6 }),
          hidden: fc.array(fc.constantFrom(1, 3, 4), { maxLength: 2 }),
          nIn: fc.constantFrom(1, 3, 4),
          classes: fc.constantFrom(1, 2, 3),
          batch: fc.integer({ min: 1, max: 5 }),
          act: fc.constantFrom('relu' as const, 'tanh' as const),
          useMask: fc.boolean(),
          useWeights: fc.boolean(),
          useDistill: fc.boolean(),
          rate: fc.constantFrom(0, 0.25),
        }),
        (c) => {
          const p = makeProblem(c.seed, [c.nIn, ...c.hidden, c.classes], c.batch, c.act);
          const args = {
            ...p,
            ...(c.useMask ? { outputMask: p.mask } : {}),
            ...(c.useWeights ? { weights: p.w } : {}),
            ...(c.useDistill ? { distill: { teacherLogits: p.teacher, temperature: 1.5, weight: 0.5 } } : {}),
            dropout: { rate: c.rate, seed: c.seed },
          };
          const loss = k.lossGrad(args);
          const ref = refLoss(args);
          expect(Math.abs(loss - ref.loss)).toBeLessThan(1e-4 * Math.max(1, ref.loss));
          expect(maxRelErr(p.grad, refGrad(args), 1e-2)).toBeLessThan(2e-3);
        },
      ),
      { numRuns: 40, seed: 42 },
    );
  });
});
