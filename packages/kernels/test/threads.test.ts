// setThreads: large products split over threads give bit-identical results; bad counts are rejected by name.
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '@retain/core';
import { loadKernels, type Kernels } from '../src/index.js';
import { backends, nativeKernels } from './backends.js';
import { makeProblem } from './problem.js';

/** One training step's worth of kernel outputs on a net large enough to be split (128 × 1024 × 1000). */
function stepOutputs(k: Kernels): Float32Array[] {
  const p = makeProblem(7, [1024, 1000, 300, 10], 128);
  const grad = new Float32Array(p.params.length);
  const logits = new Float32Array(128 * 10);
  const loss = k.lossGrad({ sizes: p.sizes, activation: 'relu', params: p.params, x: p.x, batch: 128, targets: p.targets, grad, logits });
  const fisher = new Float32Array(p.params.length);
  k.fisherDiag({ sizes: p.sizes, activation: 'relu', params: p.params, x: p.x, batch: 128, kind: 'empirical', targets: p.targets, fisher });
  const m = new Float32Array(p.params.length);
  const v = new Float32Array(p.params.length);
  const params = p.params.slice();
  k.adamStep({ params, grad: grad.slice(), m, v, step: 1, lr: 1e-3 });
  return [Float32Array.of(loss), grad, logits, fisher, params];
}

describe.each(backends)('%s setThreads', (_name, k) => {
  it('rejects a count that is not an integer in [1, 64], naming threads, and keeps the old count', () => {
    const before = k.threads();
    for (const bad of [0, -1, 1.5, 65, Number.NaN]) {
      expect(() => k.setThreads(bad)).toThrow(InvalidArgumentError);
      expect(() => k.setThreads(bad)).toThrow(/threads/);
    }
    expect(k.threads()).toBe(before);
  });
});

describe('ts setThreads', () => {
  it('always runs on the calling thread', () => {
    const ts = loadKernels({ backend: 'ts' });
    expect(ts.setThreads(4)).toBe(1);
    expect(ts.threads()).toBe(1);
  });
});

describe.runIf(nativeKernels !== undefined)('native setThreads', () => {
  const native = nativeKernels!;

  it('is process-wide, and 1, 2 and 3 threads give bit-identical gradients, logits, Fisher and Adam steps', () => {
    const before = native.threads();
    try {
      expect(native.setThreads(1)).toBe(1);
      const one = stepOutputs(native);
      expect(native.setThreads(2)).toBe(2);
      // another Kernels object sees the same setting
      expect(loadKernels({ backend: 'native' }).threads()).toBe(2);
      const two = stepOutputs(native);
      native.setThreads(3);
      const three = stepOutputs(native);
      for (let i = 0; i < one.length; i++) {
        expect(Buffer.from(two[i]!.buffer).equals(Buffer.from(one[i]!.buffer)), `output ${i}, 2 threads`).toBe(true);
        expect(Buffer.from(three[i]!.buffer).equals(Buffer.from(one[i]!.buffer)), `output ${i}, 3 threads`).toBe(true);
      }
      // the outputs are not trivially equal: the gradient is not all zeros
      expect(one[1]!.some((g) => g !== 0)).toBe(true);
    } finally {
      native.setThreads(before);
    }
  });
});
