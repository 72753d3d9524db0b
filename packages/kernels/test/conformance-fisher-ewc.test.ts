// Conformance of fisherDiag and ewcPenaltyGrad (SPEC.md) on every available backend, against brute force.
import { describe, expect, it } from 'vitest';
import type { Kernels } from '../src/index.js';
import { backends } from './backends.js';
import { loadKernels } from '../src/index.js';

const tsKernels = loadKernels({ backend: 'ts' });
import { makeProblem, maxRelErr, type Problem } from './problem.js';
import { refProbs } from './reference-mlp.js';

/** ∂ℓᵢ/∂θ of one example with label y, through lossGrad at batch 1 (checked against finite differences). */
function exampleGrad(k: Kernels, p: Problem, i: number, y: number, mask?: Uint8Array): Float32Array {
  const C = p.sizes[p.sizes.length - 1]!;
  const n0 = p.sizes[0]!;
  const grad = new Float32Array(p.params.length);
  k.lossGrad({
    sizes: p.sizes,
    activation: p.activation,
    params: p.params,
    x: p.x.slice(i * n0, (i + 1) * n0),
    batch: 1,
    targets: Int32Array.of(y),
    grad,
    ...(mask === undefined ? {} : { outputMask: mask.slice(i * C, (i + 1) * C) }),
  });
  return grad;
}

describe.each(backends)('conformance on the %s backend: fisherDiag and ewcPenaltyGrad', (_name, k) => {
  it('empirical Fisher equals the brute-force sum of squared per-example gradients', () => {
    for (const [sizes, act] of [
      [[4, 3], 'relu'],
      [[4, 6, 3], 'relu'],
      [[5, 6, 4, 3], 'tanh'],
    ] as const) {
      const p = makeProblem(31, [...sizes], 7, act);
      const fisher = new Float32Array(p.params.length);
      k.fisherDiag({ ...p, kind: 'empirical', fisher });
      const brute = new Float64Array(p.params.length);
      for (let i = 0; i < p.batch; i++) {
        const g = exampleGrad(k, p, i, p.targets[i]!);
        for (let j = 0; j < g.length; j++) brute[j] += g[j]! * g[j]!;
      }
      expect(maxRelErr(fisher, brute, 1e-3)).toBeLessThan(1e-4);
    }
  });

  it('fisherDiag adds into the accumulator instead of overwriting it', () => {
    const p = makeProblem(32, [3, 4, 2], 5);
    const once = new Float32Array(p.params.length);
    k.fisherDiag({ ...p, kind: 'empirical', fisher: once });
    const twice = once.slice();
    k.fisherDiag({ ...p, kind: 'empirical', fisher: twice });
    expect(maxRelErr(twice, once.map((v) => 2 * v), 1e-6)).toBeLessThan(1e-6);
  });

  it('empirical Fisher with a mask equals brute force over masked per-example gradients', () => {
    const p = makeProblem(33, [4, 5, 4], 6);
    const fisher = new Float32Array(p.params.length);
    k.fisherDiag({ ...p, kind: 'empirical', outputMask: p.mask, fisher });
    const brute = new Float64Array(p.params.length);
    for (let i = 0; i < p.batch; i++) {
      const g = exampleGrad(k, p, i, p.targets[i]!, p.mask);
      for (let j = 0; j < g.length; j++) brute[j] += g[j]! * g[j]!;
    }
    expect(maxRelErr(fisher, brute, 1e-3)).toBeLessThan(1e-4);
  });

  it('expected Fisher equals Σ_c p_c · (empirical Fisher with label c), example by example', () => {
    for (const act of ['relu', 'tanh'] as const) {
      const p = makeProblem(34, [4, 6, 5, 3], 5, act);
      const fisher = new Float32Array(p.params.length);
      k.fisherDiag({ ...p, kind: 'expected', fisher });
      const probs = refProbs(p);
      const sum = new Float64Array(p.params.length);
      for (let i = 0; i < p.batch; i++) {
        for (let c = 0; c < 3; c++) {
          const one = new Float32Array(p.params.length);
          k.fisherDiag({
            ...p,
            x: p.x.slice(i * 4, (i + 1) * 4),
            batch: 1,
            kind: 'empirical',
            targets: Int32Array.of(c),
            fisher: one,
          });
          for (let j = 0; j < one.length; j++) sum[j] += probs[i]![c]! * one[j]!;
        }
      }
      expect(maxRelErr(fisher, sum, 1e-3)).toBeLessThan(1e-4);
    }
  });

  it('expected Fisher with a mask equals the brute-force expectation over the allowed classes', () => {
    const p = makeProblem(35, [3, 5, 4], 4);
    const fisher = new Float32Array(p.params.length);
    k.fisherDiag({ ...p, kind: 'expected', outputMask: p.mask, fisher });
    const probs = refProbs({ ...p, outputMask: p.mask });
    const brute = new Float64Array(p.params.length);
    for (let i = 0; i < p.batch; i++) {
      for (let c = 0; c < 4; c++) {
        if (p.mask[i * 4 + c] === 0) continue;
        const g = exampleGrad(k, p, i, c, p.mask);
        for (let j = 0; j < g.length; j++) brute[j] += probs[i]![c]! * g[j]! * g[j]!;
      }
    }
    expect(maxRelErr(fisher, brute, 1e-3)).toBeLessThan(1e-4);
  });

  it('expected Fisher over a batch spanning several chunks equals the sum of per-example calls', () => {
    const p = makeProblem(36, [2, 3, 30], 20);
    const fisher = new Float32Array(p.params.length);
    k.fisherDiag({ ...p, kind: 'expected', fisher });
    const sum = new Float64Array(p.params.length);
    for (let i = 0; i < p.batch; i++) {
      const one = new Float32Array(p.params.length);
      k.fisherDiag({ ...p, x: p.x.slice(i * 2, i * 2 + 2), batch: 1, kind: 'expected', fisher: one });
      for (let j = 0; j < one.length; j++) sum[j] += one[j]!;
    }
    expect(maxRelErr(fisher, sum, 1e-3)).toBeLessThan(1e-4);
  });

  it('ewcPenaltyGrad returns Σ ½λF(θ−θ*)² and adds λF(θ−θ*) to grad (hand-computed)', () => {
    const params = Float32Array.of(1, 2, -1, 0.5);
    const anchor = Float32Array.of(0, 2, 1, 0.25);
    const fisher = Float32Array.of(2, 5, 0.5, 4);
    const grad = Float32Array.of(1, 1, 1, 1);
    const penalty = k.ewcPenaltyGrad({ params, anchor, fisher, lambda: 3, grad });
    // d = [1, 0, −2, 0.25]; ½·3·(2·1 + 0 + 0.5·4 + 4·0.0625) = 1.5·4.25
    expect(penalty).toBeCloseTo(6.375, 10);
    expect(Array.from(grad)).toEqual([1 + 6, 1, 1 - 3, 1 + 3]);
  });

  it('ewcPenaltyGrad gradient matches central differences of its own penalty', () => {
    const p = makeProblem(37, [5, 4, 3], 1);
    const n = p.params.length;
    const anchor = p.params.map((v, j) => v + 0.3 * Math.sin(j));
    const fisher = p.params.map((_, j) => 0.1 + (j % 7) * 0.2);
    const grad = new Float32Array(n);
    k.ewcPenaltyGrad({ params: p.params, anchor, fisher, lambda: 2.5, grad });
    const pen = (theta: Float64Array): number => {
      let s = 0;
      for (let j = 0; j < n; j++) s += 0.5 * 2.5 * fisher[j]! * (theta[j]! - anchor[j]!) ** 2;
      return s;
    };
    const theta = Float64Array.from(p.params);
    const fd = new Float64Array(n);
    for (let j = 0; j < n; j++) {
      const old = theta[j]!;
      theta[j] = old + 1e-5;
      const a = pen(theta);
      theta[j] = old - 1e-5;
      const b = pen(theta);
      theta[j] = old;
      fd[j] = (a - b) / 2e-5;
    }
    expect(maxRelErr(grad, fd, 1e-2)).toBeLessThan(1e-4);
  });

  it('siAccumulate subtracts g·(after − before) from ω in float32, identical on every backend', () => {
    const omega = Float32Array.of(1, 0, -2, 0.1);
    k.siAccumulate({ omega, grad: Float32Array.of(2, -1, 0.5, 0.3), before: Float32Array.of(0, 1, 3, 0.7), after: Float32Array.of(0.5, 0, 1, 0.2) });
    const f = Math.fround;
    expect(Array.from(omega)).toEqual([0, -1, -1, f(f(0.1) - f(f(0.3) * f(f(0.2) - f(0.7))))]);
    // a long random case, bit for bit against the ts backend (the reference)
    const n = 300_001;
    const rnd = (seed: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(seed * 7919 + i * 0.37) * 3);
    const a = rnd(1);
    const b = a.slice();
    const args = { grad: rnd(2), before: rnd(3), after: rnd(4) };
    k.siAccumulate({ omega: a, ...args });
    tsKernels.siAccumulate({ omega: b, ...args });
    expect(Buffer.from(a.buffer).equals(Buffer.from(b.buffer))).toBe(true);
  });

  it('ewcPenaltyGrad with λ = 0 leaves grad unchanged and costs 0', () => {
    const grad = Float32Array.of(0.5, -2);
    expect(k.ewcPenaltyGrad({ params: Float32Array.of(1, 2), anchor: Float32Array.of(3, 4), fisher: Float32Array.of(1, 1), lambda: 0, grad })).toBe(0);
    expect(Array.from(grad)).toEqual([0.5, -2]);
  });
});
