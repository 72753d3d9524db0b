// The binding's own argument checks (crates/retain-napi), the last line of defence behind the TS wrapper:
// a malformed positional call is a JS error naming the field, never a panic, and writes nothing.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import type * as NativeBinding from '../native/binding.js';
import { nativeKernels } from './backends.js';
import { makeProblem } from './problem.js';

const require = createRequire(import.meta.url);

describe.runIf(nativeKernels !== undefined)('native binding checks', () => {
  const b = require('../native/binding.cjs') as typeof NativeBinding;
  const p = makeProblem(61, [3, 4, 2], 3);

  function call(rowWeights: Float32Array, grad = new Float32Array(p.params.length).fill(7)): number {
    return b.lossGrad(p.sizes, p.activation, p.params, p.x, 3, p.targets, grad, null, null, null, null, null, null, p.teacher, 2, 1, null, rowWeights);
  }

  it('reject distillRowWeights of the wrong length or with a negative or non-finite entry, writing nothing', () => {
    const grad = new Float32Array(p.params.length).fill(7);
    expect(() => call(new Float32Array(2), grad)).toThrow('distill.rowWeights: expected length 3, got 2');
    expect(() => call(Float32Array.of(1, -1, 1), grad)).toThrow('distill.rowWeights[1]: -1 must be finite and >= 0');
    expect(() => call(Float32Array.of(1, 1, NaN), grad)).toThrow('distill.rowWeights[2]: NaN must be finite and >= 0');
    expect(() => call(Float32Array.of(Infinity, 1, 1), grad)).toThrow('distill.rowWeights[0]: inf must be finite and >= 0');
    expect(grad.every((g) => g === 7)).toBe(true);
    expect(Number.isFinite(call(Float32Array.of(0, 1, 0.5)))).toBe(true);
  });

  it('reject an output sharing memory with distillRowWeights', () => {
    const shared = new Float32Array(3);
    expect(() =>
      b.lossGrad(p.sizes, p.activation, p.params, p.x, 3, p.targets, new Float32Array(p.params.length), shared, null, null, null, null, null, p.teacher, 2, 1, null, shared),
    ).toThrow('perExampleLoss: shares memory with distill.rowWeights');
  });
});
