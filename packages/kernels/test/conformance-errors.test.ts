// Every argument check of SPEC.md, on every backend: the typed error, the field it names, and that a
// rejected call writes nothing.
import { AliasingError, InvalidArgumentError, RetainError, ShapeError, paramCount } from '@retain/core';
import { describe, expect, it } from 'vitest';
import type { AdamArgs, EwcArgs, FisherArgs, LossGradArgs, SgdArgs, SiArgs } from '../src/index.js';
import { backends } from './backends.js';
import { makeProblem } from './problem.js';

function thrown(fn: () => unknown): RetainError {
  try {
    fn();
  } catch (err) {
    if (err instanceof RetainError) return err;
    throw err;
  }
  throw new Error('expected a RetainError, nothing was thrown');
}

const sizes = [3, 4, 2];
const P = paramCount(sizes);

function lossArgs(): LossGradArgs {
  const p = makeProblem(41, sizes, 3);
  return {
    sizes: p.sizes,
    activation: 'relu',
    params: p.params,
    x: p.x,
    batch: 3,
    targets: p.targets,
    grad: new Float32Array(P).fill(7),
    perExampleLoss: new Float32Array(3).fill(7),
    logits: new Float32Array(6).fill(7),
  };
}

describe.each(backends)('conformance on the %s backend: argument checks', (_name, k) => {
  it.each([
    ['params', { params: new Float32Array(P - 1) }],
    ['x', { x: new Float32Array(8) }],
    ['targets', { targets: new Int32Array(2) }],
    ['grad', { grad: new Float32Array(P + 1) }],
    ['perExampleLoss', { perExampleLoss: new Float32Array(4) }],
    ['logits', { logits: new Float32Array(5) }],
    ['weights', { weights: new Float32Array(2) }],
    ['outputMask', { outputMask: new Uint8Array(5).fill(1) }],
    ['distill.teacherLogits', { distill: { teacherLogits: new Float32Array(3), temperature: 1, weight: 1 } }],
    ['distill.classGroups', { distill: { teacherLogits: new Float32Array(6), temperature: 1, weight: 1, classGroups: new Int32Array(3) } }],
    ['distill.rowWeights', { distill: { teacherLogits: new Float32Array(6), temperature: 1, weight: 1, rowWeights: new Float32Array(2) } }],
    ['distill.rowWeights', { distill: { teacherLogits: new Float32Array(6), temperature: 1, weight: 1, rowWeights: new Float32Array(4) } }],
  ] as const)('lossGrad rejects a wrong length of %s with a ShapeError naming it and writes nothing', (field, patch) => {
    const args = { ...lossArgs(), ...patch } as LossGradArgs;
    const before = [args.grad.slice(), args.perExampleLoss!.slice(), args.logits!.slice()];
    const err = thrown(() => k.lossGrad(args));
    expect(err).toBeInstanceOf(ShapeError);
    expect(err.field).toBe(field);
    expect([args.grad, args.perExampleLoss, args.logits]).toEqual(before);
  });

  it.each([
    ['batch', { batch: 0 }],
    ['batch', { batch: 1.5 }],
    ['sizes', { sizes: [3] }],
    ['sizes[1]', { sizes: [3, 0, 2] }],
    ['activation', { activation: 'sigmoid' }],
    ['targets[1]', { targets: Int32Array.of(0, 2, 1) }],
    ['targets[2]', { targets: Int32Array.of(0, 1, -1) }],
    ['targets[0]', { targets: Int32Array.of(0, 1, 1), outputMask: Uint8Array.of(0, 1, 1, 1, 1, 1) }],
    ['outputMask[1]', { targets: Int32Array.of(0, 1, 1), outputMask: Uint8Array.of(1, 1, 0, 0, 1, 1) }],
    ['dropout.rate', { dropout: { rate: 1, seed: 1 } }],
    ['dropout.rate', { dropout: { rate: -0.1, seed: 1 } }],
    ['dropout.seed', { dropout: { rate: 0.5, seed: 2 ** 32 } }],
    ['dropout.seed', { dropout: { rate: 0.5, seed: 1.5 } }],
    ['distill.temperature', { distill: { teacherLogits: new Float32Array(6), temperature: 0, weight: 1 } }],
    ['distill.weight', { distill: { teacherLogits: new Float32Array(6), temperature: 2, weight: -1 } }],
    ['distill.classGroups[1]', { distill: { teacherLogits: new Float32Array(6), temperature: 2, weight: 1, classGroups: Int32Array.from([0, -2]) } }],
    ['distill.rowWeights[1]', { distill: { teacherLogits: new Float32Array(6), temperature: 2, weight: 1, rowWeights: Float32Array.of(1, -0.5, 0) } }],
    ['distill.rowWeights[2]', { distill: { teacherLogits: new Float32Array(6), temperature: 2, weight: 1, rowWeights: Float32Array.of(0, 1, NaN) } }],
    ['distill.rowWeights[0]', { distill: { teacherLogits: new Float32Array(6), temperature: 2, weight: 1, rowWeights: Float32Array.of(Infinity, 1, 1) } }],
    ['distill.rowWeights', { distill: { teacherLogits: new Float32Array(6), temperature: 2, weight: 1, rowWeights: new Float64Array(3) } }],
    ['weights[1]', { weights: Float32Array.of(1, -0.5, 1) }],
    ['weights[2]', { weights: Float32Array.of(1, 1, NaN) }],
    ['weights[0]', { weights: Float32Array.of(Infinity, 1, 1) }],
    ['params', { params: new Float64Array(P) }],
    ['targets', { targets: new Float32Array(3) }],
  ] as const)('lossGrad rejects a bad %s with InvalidArgumentError and writes nothing', (field, patch) => {
    const args = { ...lossArgs(), ...patch } as unknown as LossGradArgs;
    const before = [args.grad.slice(), args.perExampleLoss!.slice(), args.logits!.slice()];
    const err = thrown(() => k.lossGrad(args));
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect(err.field).toBe(field);
    expect([args.grad, args.perExampleLoss, args.logits]).toEqual(before);
  });

  it('lossGrad rejects an output aliasing an input, including overlapping subarrays of one buffer', () => {
    const base = lossArgs();
    const same = thrown(() => k.lossGrad({ ...base, grad: base.params }));
    expect(same).toBeInstanceOf(AliasingError);
    expect(same.field).toBe('grad');
    expect(same.message).toContain('params');
    // One ArrayBuffer holding params and grad with a one-float overlap.
    const buf = new Float32Array(2 * P - 1);
    buf.set(base.params);
    const overlap = thrown(() => k.lossGrad({ ...base, params: buf.subarray(0, P), grad: buf.subarray(P - 1) }));
    expect(overlap).toBeInstanceOf(AliasingError);
    expect(overlap.field).toBe('grad');
    // Two outputs on one buffer.
    const outs = new Float32Array(6);
    const two = thrown(() => k.lossGrad({ ...base, logits: outs, perExampleLoss: outs.subarray(3, 6) }));
    expect(two.field).toBe('perExampleLoss');
    // logits over x (a Float32Array view of the same memory at another offset).
    const xBuf = new Float32Array(9 + 6);
    xBuf.set(base.x);
    const xl = thrown(() => k.lossGrad({ ...base, x: xBuf.subarray(0, 9), logits: xBuf.subarray(8, 14) }));
    expect(xl.field).toBe('logits');
    // perExampleLoss over distill.rowWeights.
    const rw = new Float32Array(3);
    const kd = thrown(() => k.lossGrad({ ...base, perExampleLoss: rw, distill: { teacherLogits: new Float32Array(6), temperature: 1, weight: 1, rowWeights: rw } }));
    expect(kd).toBeInstanceOf(AliasingError);
    expect(kd.field).toBe('perExampleLoss');
    expect(kd.message).toContain('distill.rowWeights');
    // Adjacent, non-overlapping subarrays of one buffer are fine.
    const ok = new Float32Array(2 * P);
    ok.set(base.params);
    expect(() => k.lossGrad({ ...base, params: ok.subarray(0, P), grad: ok.subarray(P) })).not.toThrow();
  });

  it('forward checks logits, mask and dropout, and rejects logits aliasing params', () => {
    const p = makeProblem(42, sizes, 3);
    const logits = new Float32Array(6).fill(7);
    const fwd = { sizes, activation: 'relu' as const, params: p.params, x: p.x, batch: 3, logits };
    expect(thrown(() => k.forward({ ...fwd, logits: new Float32Array(5) })).field).toBe('logits');
    expect(thrown(() => k.forward({ ...fwd, outputMask: new Uint8Array(6) })).field).toBe('outputMask[0]');
    expect(thrown(() => k.forward({ ...fwd, dropout: { rate: 2, seed: 0 } })).field).toBe('dropout.rate');
    const a = thrown(() => k.forward({ ...fwd, logits: p.params.subarray(0, 6) }));
    expect(a).toBeInstanceOf(AliasingError);
    expect(logits.every((v) => v === 7)).toBe(true);
  });

  it('fisherDiag checks kind, targets, the accumulator and aliasing, leaving the accumulator untouched', () => {
    const p = makeProblem(43, sizes, 3);
    const fisher = new Float32Array(P).fill(1);
    const base: FisherArgs = { sizes, activation: 'relu', params: p.params, x: p.x, batch: 3, kind: 'empirical', targets: p.targets, fisher };
    const cases: Array<[string, Partial<FisherArgs> | Record<string, unknown>]> = [
      ['kind', { kind: 'true' }],
      ['targets', { targets: undefined }],
      ['targets', { targets: new Int32Array(4) }],
      ['targets[0]', { targets: Int32Array.of(5, 0, 0) }],
      ['fisher', { fisher: new Float32Array(P - 1) }],
      ['outputMask', { outputMask: new Uint8Array(3) }],
      ['fisher', { fisher: p.params }],
    ];
    for (const [field, patch] of cases) {
      expect(thrown(() => k.fisherDiag({ ...base, ...patch } as FisherArgs)).field).toBe(field);
    }
    expect(fisher.every((v) => v === 1)).toBe(true);
    // Targets are ignored (not validated) for the expected Fisher.
    expect(() => k.fisherDiag({ ...base, kind: 'expected', targets: Int32Array.of(9, 9, 9) })).not.toThrow();
  });

  it('ewcPenaltyGrad checks lengths, λ and grad aliasing', () => {
    const n = 4;
    const base: EwcArgs = { params: new Float32Array(n), anchor: new Float32Array(n), fisher: new Float32Array(n), lambda: 1, grad: new Float32Array(n) };
    const cases: Array<[string, string, Partial<EwcArgs>]> = [
      ['E_SHAPE', 'anchor', { anchor: new Float32Array(3) }],
      ['E_SHAPE', 'fisher', { fisher: new Float32Array(5) }],
      ['E_SHAPE', 'grad', { grad: new Float32Array(1) }],
      ['E_INVALID_ARGUMENT', 'lambda', { lambda: -1 }],
      ['E_INVALID_ARGUMENT', 'lambda', { lambda: Infinity }],
      ['E_INVALID_ARGUMENT', 'lambda', { lambda: NaN }],
      ['E_ALIASING', 'grad', { grad: base.fisher }],
    ];
    base.grad.fill(3);
    for (const [code, field, patch] of cases) {
      const err = thrown(() => k.ewcPenaltyGrad({ ...base, ...patch }));
      expect([err.code, err.field]).toEqual([code, field]);
    }
    expect(base.grad.every((g) => g === 3)).toBe(true);
  });

  it('siAccumulate checks lengths and ω aliasing, leaving ω untouched', () => {
    const base: SiArgs = { omega: Float32Array.of(1, 2, 3), grad: new Float32Array(3), before: new Float32Array(3), after: new Float32Array(3) };
    const cases: Array<[string, string, Partial<SiArgs> | Record<string, unknown>]> = [
      ['E_SHAPE', 'grad', { grad: new Float32Array(2) }],
      ['E_SHAPE', 'before', { before: new Float32Array(4) }],
      ['E_SHAPE', 'after', { after: new Float32Array(0) }],
      ['E_INVALID_ARGUMENT', 'after', { after: new Float64Array(3) }],
      ['E_ALIASING', 'omega', { after: base.omega }],
    ];
    for (const [code, field, patch] of cases) {
      const err = thrown(() => k.siAccumulate({ ...base, ...patch } as SiArgs));
      expect([err.code, err.field]).toEqual([code, field]);
    }
    expect(Array.from(base.omega)).toEqual([1, 2, 3]);
  });

  it('sgdStep checks every hyperparameter, velocity and aliasing, leaving params untouched', () => {
    const params = Float32Array.of(1, 2);
    const base: SgdArgs = { params, grad: Float32Array.of(1, 1), lr: 0.1 };
    const cases: Array<[string, string, Partial<SgdArgs> | Record<string, unknown>]> = [
      ['E_SHAPE', 'grad', { grad: new Float32Array(3) }],
      ['E_INVALID_ARGUMENT', 'lr', { lr: 0 }],
      ['E_INVALID_ARGUMENT', 'lr', { lr: NaN }],
      ['E_INVALID_ARGUMENT', 'momentum', { momentum: 1, velocity: new Float32Array(2) }],
      ['E_INVALID_ARGUMENT', 'momentum', { momentum: -0.1 }],
      ['E_INVALID_ARGUMENT', 'velocity', { momentum: 0.9 }],
      ['E_SHAPE', 'velocity', { momentum: 0.9, velocity: new Float32Array(1) }],
      ['E_INVALID_ARGUMENT', 'weightDecay', { weightDecay: -1 }],
      ['E_INVALID_ARGUMENT', 'clipNorm', { clipNorm: Infinity }],
      ['E_INVALID_ARGUMENT', 'clipNorm', { clipNorm: -1 }],
      ['E_INVALID_ARGUMENT', 'nesterov', { nesterov: 'yes' }],
      ['E_ALIASING', 'params', { grad: params }],
      ['E_ALIASING', 'velocity', { momentum: 0.5, velocity: base.grad }],
    ];
    for (const [code, field, patch] of cases) {
      const err = thrown(() => k.sgdStep({ ...base, ...patch } as SgdArgs));
      expect([err.code, err.field]).toEqual([code, field]);
    }
    expect(Array.from(params)).toEqual([1, 2]);
  });

  it('adamStep checks step, betas, eps, moment lengths and aliasing, leaving params and moments untouched', () => {
    const params = Float32Array.of(1, 2);
    const m = Float32Array.of(0.5, 0.5);
    const v = Float32Array.of(0.25, 0.25);
    const base: AdamArgs = { params, grad: Float32Array.of(1, 1), m, v, step: 1, lr: 0.1 };
    const shared = new Float32Array(3);
    const cases: Array<[string, string, Partial<AdamArgs>]> = [
      ['E_INVALID_ARGUMENT', 'step', { step: 0 }],
      ['E_INVALID_ARGUMENT', 'step', { step: 1.5 }],
      ['E_INVALID_ARGUMENT', 'beta1', { beta1: 1 }],
      ['E_INVALID_ARGUMENT', 'beta2', { beta2: -0.5 }],
      ['E_INVALID_ARGUMENT', 'eps', { eps: 0 }],
      ['E_INVALID_ARGUMENT', 'lr', { lr: -1 }],
      ['E_SHAPE', 'm', { m: new Float32Array(1) }],
      ['E_SHAPE', 'v', { v: new Float32Array(3) }],
      ['E_ALIASING', 'm', { m: v }],
      ['E_ALIASING', 'params', { params: shared.subarray(0, 2), grad: shared.subarray(1, 3) }],
    ];
    for (const [code, field, patch] of cases) {
      const err = thrown(() => k.adamStep({ ...base, ...patch }));
      expect([err.code, err.field]).toEqual([code, field]);
    }
    expect([Array.from(params), Array.from(m), Array.from(v)]).toEqual([[1, 2], [0.5, 0.5], [0.25, 0.25]]);
  });

  it('async variants reject through the promise with the same typed error', async () => {
    const args = { ...lossArgs(), targets: Int32Array.of(0, 0, 7) };
    await expect(k.lossGradAsync(args)).rejects.toMatchObject({ code: 'E_INVALID_ARGUMENT', field: 'targets[2]' });
    const kd = { teacherLogits: new Float32Array(6), temperature: 1, weight: 1, rowWeights: Float32Array.of(1, -1, 1) };
    await expect(k.lossGradAsync({ ...lossArgs(), distill: kd })).rejects.toMatchObject({ code: 'E_INVALID_ARGUMENT', field: 'distill.rowWeights[1]' });
    await expect(k.adamStepAsync({ params: new Float32Array(1), grad: new Float32Array(1), m: new Float32Array(1), v: new Float32Array(1), step: 0, lr: 1 })).rejects.toBeInstanceOf(InvalidArgumentError);
  });
});
