// Native and TS backends agree to |a − b| ≤ 1e-4·max(1, |a|, |b|) on every output (SPEC.md), on random
// seeded shapes. Runs when the native backend loads; under CI=true a missing native backend fails the suite.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadKernels } from '../src/index.js';
import { nativeKernels } from './backends.js';
import { makeProblem, maxRelErr } from './problem.js';

const ts = loadKernels({ backend: 'ts' });
const TOL = 1e-4;

describe.runIf(nativeKernels !== undefined)('native and ts backends agree', () => {
  const native = nativeKernels!;

  it('on forward, lossGrad, fisherDiag (both kinds) over random nets with every option', () => {
    fc.assert(
      fc.property(
        fc.record({
          seed: fc.integer({ min: 0, max: 2 ** 31 }),
          hidden: fc.array(fc.constantFrom(1, 3, 17), { maxLength: 2 }),
          nIn: fc.constantFrom(1, 3, 17),
          classes: fc.constantFrom(1, 3, 17),
          batch: fc.constantFrom(1, 3, 17),
          act: fc.constantFrom('relu' as const, 'tanh' as const),
          useMask: fc.boolean(),
          useWeights: fc.boolean(),
          useDistill: fc.boolean(),
          useGroups: fc.boolean(),
          useRowWeights: fc.boolean(),
          rate: fc.constantFrom(0, 0.3),
        }),
        (c) => {
          const p = makeProblem(c.seed, [c.nIn, ...c.hidden, c.classes], c.batch, c.act);
          const C = c.classes;
          // every third example without a distillation term, its teacher row NaN: it must never be read
          const rowWeights = p.w.map((w, i) => (i % 3 === 1 ? 0 : w));
          const teacherLogits = c.useRowWeights ? p.teacher.map((t, j) => (rowWeights[Math.floor(j / C)] === 0 ? NaN : t)) : p.teacher;
          const opts = {
            ...(c.useMask ? { outputMask: p.mask } : {}),
            ...(c.useWeights ? { weights: p.w } : {}),
            ...(c.useDistill
              ? {
                  distill: {
                    teacherLogits,
                    temperature: 2,
                    weight: 0.5,
                    // classes in groups of two, the last one left out
                    ...(c.useGroups ? { classGroups: Int32Array.from({ length: C }, (_, j) => (j === C - 1 && C > 1 ? -1 : j >> 1)) } : {}),
                    ...(c.useRowWeights ? { rowWeights } : {}),
                  },
                }
              : {}),
            dropout: { rate: c.rate, seed: c.seed >>> 0 },
          };
          const run = (k: typeof ts) => {
            const grad = new Float32Array(p.params.length);
            const perExampleLoss = new Float32Array(c.batch);
            const logits = new Float32Array(c.batch * C);
            const loss = k.lossGrad({ ...p, ...opts, grad, perExampleLoss, logits });
            const fwd = new Float32Array(c.batch * C);
            k.forward({ ...p, logits: fwd, ...(c.useMask ? { outputMask: p.mask } : {}), dropout: opts.dropout });
            const emp = new Float32Array(p.params.length).fill(0.5);
            k.fisherDiag({ ...p, kind: 'empirical', fisher: emp, ...(c.useMask ? { outputMask: p.mask } : {}) });
            const exp = new Float32Array(p.params.length);
            k.fisherDiag({ ...p, kind: 'expected', fisher: exp, ...(c.useMask ? { outputMask: p.mask } : {}) });
            return { loss, grad, perExampleLoss, logits, fwd, emp, exp };
          };
          const a = run(native);
          const b = run(ts);
          expect(maxRelErr([a.loss], [b.loss])).toBeLessThanOrEqual(TOL);
          expect(maxRelErr(a.grad, b.grad)).toBeLessThanOrEqual(TOL);
          expect(maxRelErr(a.perExampleLoss, b.perExampleLoss)).toBeLessThanOrEqual(TOL);
          expect(maxRelErr(a.logits, b.logits)).toBeLessThanOrEqual(TOL);
          expect(maxRelErr(a.fwd, b.fwd)).toBeLessThanOrEqual(TOL);
          expect(maxRelErr(a.emp, b.emp)).toBeLessThanOrEqual(TOL);
          expect(maxRelErr(a.exp, b.exp)).toBeLessThanOrEqual(TOL);
        },
      ),
      { numRuns: 60, seed: 7 },
    );
  });

  it('on a 784-400-400-10 batch of 128 with dropout (the benchmark shape)', () => {
    const p = makeProblem(5, [784, 400, 400, 10], 128);
    const out = (k: typeof ts) => {
      const grad = new Float32Array(p.params.length);
      const loss = k.lossGrad({ ...p, grad, dropout: { rate: 0.2, seed: 99 } });
      return { loss, grad };
    };
    const a = out(native);
    const b = out(ts);
    expect(maxRelErr([a.loss], [b.loss])).toBeLessThanOrEqual(TOL);
    expect(maxRelErr(a.grad, b.grad)).toBeLessThanOrEqual(TOL);
  });

  it('on EWC, SGD (momentum, nesterov, decay, clipping) and Adam over several steps', () => {
    const p = makeProblem(6, [17, 3, 17], 1);
    const n = p.params.length;
    const grads = [0, 1, 2].map((s) => makeProblem(100 + s, [17, 3, 17], 1).params.map((v) => v * 3));
    const state = () => ({ params: p.params.slice(), velocity: new Float32Array(n), m: new Float32Array(n), v: new Float32Array(n), ewc: new Float32Array(n) });
    const sa = state();
    const sb = state();
    const anchor = p.params.map((v) => v * 0.5);
    const fisher = p.params.map((v) => Math.abs(v));
    for (const [k, s] of [
      [native, sa],
      [ts, sb],
    ] as const) {
      const penalties: number[] = [];
      penalties.push(k.ewcPenaltyGrad({ params: s.params, anchor, fisher, lambda: 3, grad: s.ewc }));
      for (let t = 0; t < 3; t++) {
        penalties.push(k.sgdStep({ params: s.params, grad: grads[t]!, velocity: s.velocity, lr: 0.01, momentum: 0.9, nesterov: t % 2 === 0, weightDecay: 0.01, clipNorm: 2 }));
        penalties.push(k.adamStep({ params: s.params, grad: grads[t]!, m: s.m, v: s.v, step: t + 1, lr: 0.01, weightDecay: 0.001, clipNorm: 5 }));
      }
      (s as Record<string, unknown>)['returned'] = penalties;
    }
    for (const key of ['params', 'velocity', 'm', 'v', 'ewc', 'returned'] as const) {
      expect(maxRelErr((sa as Record<string, ArrayLike<number>>)[key]!, (sb as Record<string, ArrayLike<number>>)[key]!)).toBeLessThanOrEqual(TOL);
    }
  });
});
