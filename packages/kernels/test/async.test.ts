// The *Async variants give exactly the sync results on every backend; the TS backend yields to the
// event loop before it computes.
import { describe, expect, it } from 'vitest';
import { loadKernels } from '../src/index.js';
import { backends } from './backends.js';
import { makeProblem } from './problem.js';

describe.each(backends)('async variants on the %s backend', (_name, k) => {
  it('lossGradAsync, forwardAsync and fisherDiagAsync equal their sync variants', async () => {
    const p = makeProblem(51, [5, 7, 4], 9);
    const opts = { outputMask: p.mask, weights: p.w, dropout: { rate: 0.2, seed: 3 }, distill: { teacherLogits: p.teacher, temperature: 2, weight: 0.3 } };
    const g1 = new Float32Array(p.params.length);
    const g2 = new Float32Array(p.params.length);
    const l1 = k.lossGrad({ ...p, ...opts, grad: g1 });
    const l2 = await k.lossGradAsync({ ...p, ...opts, grad: g2 });
    expect(l2).toBe(l1);
    expect(g2).toEqual(g1);
    const z1 = new Float32Array(36);
    const z2 = new Float32Array(36);
    k.forward({ ...p, logits: z1 });
    await k.forwardAsync({ ...p, logits: z2 });
    expect(z2).toEqual(z1);
    for (const kind of ['empirical', 'expected'] as const) {
      const f1 = new Float32Array(p.params.length);
      const f2 = new Float32Array(p.params.length);
      k.fisherDiag({ ...p, kind, fisher: f1 });
      await k.fisherDiagAsync({ ...p, kind, fisher: f2 });
      expect(f2).toEqual(f1);
    }
  });

  it('ewcPenaltyGradAsync, sgdStepAsync and adamStepAsync equal their sync variants', async () => {
    const p = makeProblem(52, [4, 3], 1);
    const n = p.params.length;
    const anchor = p.params.map((v) => v + 0.1);
    const fisher = p.params.map((v) => v * v);
    const make = () => ({ params: p.params.slice(), grad: new Float32Array(n).fill(0.2), velocity: new Float32Array(n), m: new Float32Array(n), v: new Float32Array(n) });
    const a = make();
    const b = make();
    const sync = [
      k.ewcPenaltyGrad({ params: a.params, anchor, fisher, lambda: 2, grad: a.grad }),
      k.sgdStep({ params: a.params, grad: a.grad, velocity: a.velocity, lr: 0.1, momentum: 0.9 }),
      k.adamStep({ params: a.params, grad: a.grad, m: a.m, v: a.v, step: 1, lr: 0.01 }),
    ];
    const asyncResults = [
      await k.ewcPenaltyGradAsync({ params: b.params, anchor, fisher, lambda: 2, grad: b.grad }),
      await k.sgdStepAsync({ params: b.params, grad: b.grad, velocity: b.velocity, lr: 0.1, momentum: 0.9 }),
      await k.adamStepAsync({ params: b.params, grad: b.grad, m: b.m, v: b.v, step: 1, lr: 0.01 }),
    ];
    expect(asyncResults).toEqual(sync);
    expect(b).toEqual(a);
  });
});

describe('ts backend async scheduling', () => {
  it('returns before computing and lets already-queued event-loop work run first', async () => {
    const k = loadKernels({ backend: 'ts' });
    const p = makeProblem(53, [3, 4, 2], 4);
    const grad = new Float32Array(p.params.length).fill(9);
    const order: string[] = [];
    setImmediate(() => order.push(grad[0] === 9 ? 'immediate-before-compute' : 'immediate-after-compute'));
    const pending = k.lossGradAsync({ ...p, grad });
    expect(grad[0]).toBe(9);
    await pending;
    expect(order).toEqual(['immediate-before-compute']);
    expect(grad[0]).not.toBe(9);
  });
});
