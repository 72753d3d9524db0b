// Conformance of sgdStep and adamStep (SPEC.md) against hand-computed closed forms, on every backend.
import { describe, expect, it } from 'vitest';
import { backends } from './backends.js';

const f = (...v: number[]): Float32Array => Float32Array.from(v);

function expectClose(actual: ArrayLike<number>, expected: readonly number[], tol = 1e-6): void {
  expect(actual.length).toBe(expected.length);
  for (let j = 0; j < expected.length; j++) expect(Math.abs(actual[j]! - expected[j]!)).toBeLessThan(tol * Math.max(1, Math.abs(expected[j]!)));
}

describe.each(backends)('conformance on the %s backend: optimizers', (_name, k) => {
  it('plain SGD moves θ by −lr·g and returns the gradient norm; grad is not modified', () => {
    const params = f(1, 2);
    const grad = f(3, 4);
    expect(k.sgdStep({ params, grad, lr: 0.1 })).toBeCloseTo(5, 6);
    expectClose(params, [0.7, 1.6]);
    expect(Array.from(grad)).toEqual([3, 4]);
  });

  it('SGD momentum accumulates v = μv + g over steps', () => {
    const params = f(1);
    const velocity = f(0);
    const grad = f(2);
    k.sgdStep({ params, grad, velocity, lr: 0.1, momentum: 0.9 }); // v = 2, θ = 0.8
    k.sgdStep({ params, grad, velocity, lr: 0.1, momentum: 0.9 }); // v = 3.8, θ = 0.42
    expectClose(velocity, [3.8]);
    expectClose(params, [0.42]);
  });

  it('Nesterov steps by g + μ·v', () => {
    const params = f(1);
    const velocity = f(1);
    k.sgdStep({ params, grad: f(2), velocity, lr: 0.1, momentum: 0.5, nesterov: true });
    // v = 0.5·1 + 2 = 2.5; step = 2 + 0.5·2.5 = 3.25
    expectClose(velocity, [2.5]);
    expectClose(params, [1 - 0.325]);
  });

  it('weight decay adds wd·θ to the (clipped) gradient, PyTorch style', () => {
    const params = f(2, -1);
    k.sgdStep({ params, grad: f(0.5, 0.5), lr: 0.1, weightDecay: 0.1 });
    expectClose(params, [2 - 0.1 * (0.5 + 0.2), -1 - 0.1 * (0.5 - 0.1)]);
  });

  it('global-norm clipping scales g by clipNorm/(norm + 1e-6) and returns the norm before clipping', () => {
    const params = f(0, 0);
    const norm = k.sgdStep({ params, grad: f(3, 4), lr: 1, clipNorm: 1 });
    expect(norm).toBeCloseTo(5, 6);
    const c = 1 / (5 + 1e-6);
    expectClose(params, [-3 * c, -4 * c]);
    // A threshold above the norm leaves the gradient alone.
    const p2 = f(0, 0);
    k.sgdStep({ params: p2, grad: f(3, 4), lr: 1, clipNorm: 10 });
    expectClose(p2, [-3, -4]);
  });

  it('Adam matches the bias-corrected closed form over three steps, with weight decay and clipping', () => {
    const params = f(1, -0.5, 2);
    const m = new Float32Array(3);
    const v = new Float32Array(3);
    const grads = [f(0.1, -0.2, 3), f(0.3, 0.1, -1), f(-0.2, 0.4, 0.5)];
    const [b1, b2, eps, lr, wd, clip] = [0.8, 0.95, 1e-6, 0.01, 0.05, 2];
    const theta = [1, -0.5, 2];
    const mm = [0, 0, 0];
    const vv = [0, 0, 0];
    for (let t = 1; t <= 3; t++) {
      const g = grads[t - 1]!;
      const norm = Math.hypot(...g);
      const coef = Math.min(1, clip / (norm + 1e-6));
      for (let j = 0; j < 3; j++) {
        const gj = coef * g[j]! + wd * theta[j]!;
        mm[j] = b1 * mm[j]! + (1 - b1) * gj;
        vv[j] = b2 * vv[j]! + (1 - b2) * gj * gj;
        theta[j] = theta[j]! - (lr * (mm[j]! / (1 - b1 ** t))) / (Math.sqrt(vv[j]! / (1 - b2 ** t)) + eps);
      }
      const returned = k.adamStep({ params, grad: g, m, v, step: t, lr, beta1: b1, beta2: b2, eps, weightDecay: wd, clipNorm: clip });
      expect(returned).toBeCloseTo(norm, 6);
    }
    expectClose(params, theta, 1e-5);
    expectClose(m, mm, 1e-5);
    expectClose(v, vv, 1e-5);
  });

  it('Adam first step moves every coordinate by about lr·sign(g) (bias correction at t = 1)', () => {
    const params = f(0, 0, 0);
    k.adamStep({ params, grad: f(5, -0.001, 100), m: new Float32Array(3), v: new Float32Array(3), step: 1, lr: 0.1 });
    expectClose(params, [-0.1, 0.1, -0.1], 1e-4);
  });
});
