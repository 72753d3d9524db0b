import { describe, expect, it } from 'vitest';
import { InvalidConfigError, Rng, paramCount } from '@retain/core';
import { SynapticIntelligence, TrainStep } from '../src/index.js';
import { backends } from './backends.js';
import { expectClose, randomBatch } from './fixtures.js';

const all = await backends();
const linear = { sizes: [1, 1], activation: 'relu' as const };

describe.each(all.map((k) => [k.backend, k] as const))('SynapticIntelligence (%s kernels)', (_name, kernels) => {
  it('accumulates ω = −Σ g·Δθ over a hand-checked sequence and turns it into Ω = ω/(Δθ² + ξ)', () => {
    const si = new SynapticIntelligence(kernels, { model: linear, c: 0.5 });
    si.begin(Float32Array.of(0, 0));
    si.beforeUpdate(Float32Array.of(0, 0), Float32Array.of(1, -2));
    si.afterUpdate(Float32Array.of(0.1, 0.2)); // ω = −[1·0.1, −2·0.2] = [−0.1, 0.4]
    si.beforeUpdate(Float32Array.of(0.1, 0.2), Float32Array.of(0.5, 1));
    si.afterUpdate(Float32Array.of(0.3, 0.1)); // ω += −[0.5·0.2, 1·(−0.1)] → [−0.2, 0.5]
    expectClose(si.state().omega, [-0.2, 0.5], 1e-6);
    si.closeTask(Float32Array.of(0.3, 0.1)); // Δθ_task = [0.3, 0.1]
    const omega = [-0.2 / (0.09 + 0.1), 0.5 / (0.01 + 0.1)];
    const s = si.state();
    expectClose(s.importance, omega, 1e-6);
    expectClose(s.omega, [0, 0], 0, 0);
    expect(s.anchor).toEqual(Float32Array.of(0.3, 0.1));
    expect(si.tasksClosed).toBe(1);
    // c·Σ Ω(θ − θ*)² and its gradient 2cΩ(θ − θ*), through the fused kernel.
    const grad = Float32Array.of(1, 1);
    const penalty = si.penaltyGrad(Float32Array.of(1, -1), grad);
    expect(penalty).toBeCloseTo(0.5 * (omega[0]! * 0.49 + omega[1]! * 1.21), 5);
    expectClose(grad, [1 + 2 * 0.5 * omega[0]! * 0.7, 1 + 2 * 0.5 * omega[1]! * -1.1], 1e-5);
  });

  it('adds Ω over tasks and can drop negative per-task importances', () => {
    const si = new SynapticIntelligence(kernels, { model: linear, c: 1, xi: 0.5, clampNegative: true });
    si.beforeUpdate(Float32Array.of(0, 0), Float32Array.of(1, -1));
    si.afterUpdate(Float32Array.of(0.5, 0.5)); // ω = [−0.5, 0.5]
    si.closeTask(Float32Array.of(0.5, 0.5));
    expectClose(si.state().importance, [0, 0.5 / (0.25 + 0.5)], 1e-6);
    si.beforeUpdate(Float32Array.of(0.5, 0.5), Float32Array.of(-2, 0));
    si.afterUpdate(Float32Array.of(1.5, 0.5)); // ω = [2, 0]
    si.closeTask(Float32Array.of(1.5, 0.5));
    expectClose(si.state().importance, [2 / (1 + 0.5), 0.5 / 0.75], 1e-6);
  });

  it('inside TrainStep with plain SGD accumulates ω = lr·Σ g² of the data gradients', () => {
    const model = { sizes: [3, 4, 2], activation: 'tanh' as const };
    const si = new SynapticIntelligence(kernels, { model, c: 1 });
    const step = new TrainStep({ kernels, model, optimizer: { kind: 'sgd', lr: 0.1 }, seed: 1, regularizers: [si] });
    const rng = new Rng(2);
    const want = new Float64Array(paramCount(model.sizes));
    for (let s = 0; s < 4; s++) {
      step.step(randomBatch(rng, 5, 3, 2));
      const g = step.lastGradient;
      for (let i = 0; i < want.length; i++) want[i] = want[i]! + 0.1 * g[i]! * g[i]!;
    }
    expectClose(si.state().omega, want, 1e-4, 1e-9);
  });

  it("gradient 'total' takes the gradient with SI's own penalty (plain SGD: ω = Σ Δθ²/lr); 'data' does not", () => {
    const model = { sizes: [3, 4, 2], activation: 'tanh' as const };
    const run = (gradient: 'data' | 'total') => {
      const si = new SynapticIntelligence(kernels, { model, c: 5, gradient });
      const step = new TrainStep({ kernels, model, optimizer: { kind: 'sgd', lr: 0.1 }, seed: 1, regularizers: [si] });
      const rng = new Rng(3);
      for (let s = 0; s < 3; s++) step.step(randomBatch(rng, 5, 3, 2));
      si.closeTask(step.params);
      const want = new Float64Array(paramCount(model.sizes));
      for (let s = 0; s < 3; s++) {
        const before = step.params.slice();
        step.step(randomBatch(rng, 5, 3, 2));
        const after = step.params;
        for (let i = 0; i < want.length; i++) want[i] = want[i]! + (after[i]! - before[i]!) ** 2 / 0.1;
      }
      return { omega: si.state().omega, want };
    };
    const total = run('total');
    expectClose(total.omega, total.want, 1e-4, 1e-9);
    const data = run('data');
    const gap = Math.max(...Array.from(data.omega, (v, i) => Math.abs(v - data.want[i]!)));
    expect(gap).toBeGreaterThan(1e-4);
  });

  it('penalizes nothing before the first task is closed', () => {
    const si = new SynapticIntelligence(kernels, { model: linear, c: 1 });
    const grad = Float32Array.of(0.25, 0.5);
    expect(si.penaltyGrad(Float32Array.of(3, 3), grad)).toBe(0);
    expect(Array.from(grad)).toEqual([0.25, 0.5]);
  });

  it('round-trips through snapshot and restore, and names bad config fields', () => {
    const a = new SynapticIntelligence(kernels, { model: linear, c: 2 });
    a.beforeUpdate(Float32Array.of(0, 0), Float32Array.of(1, 1));
    a.afterUpdate(Float32Array.of(-1, 1));
    a.closeTask(Float32Array.of(-1, 1));
    const b = new SynapticIntelligence(kernels, { model: linear, c: 7 });
    b.restore(structuredClone(a.snapshot()));
    expect(b.snapshot()).toEqual(a.snapshot());
    expect(() => new SynapticIntelligence(kernels, { model: linear, c: 1, xi: 0 })).toThrow(InvalidConfigError);
    expect(() => new SynapticIntelligence(kernels, { model: linear, c: -1 })).toThrow(/si\.c/);
  });
});
