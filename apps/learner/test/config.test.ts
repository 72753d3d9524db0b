import { describe, expect, it } from 'vitest';
import { InvalidConfigError } from '@retain/core';
import { loadKernels } from '@retain/kernels';
import { OnlineLearner, parseLearnerConfig } from '../src/index.js';

describe('parseLearnerConfig', () => {
  it('applies a preset and lets every field be overridden', () => {
    const c = parseLearnerConfig({ preset: 'stable', ewc: { lambda: 5 }, optimizer: { kind: 'sgd', lr: 0.1 } });
    expect(c.replay.strategy).toBe('prioritizedLoss');
    expect(c.ewc).toMatchObject({ enabled: true, mode: 'online', lambda: 5 });
    expect(c.optimizer).toMatchObject({ kind: 'sgd', lr: 0.1, momentum: 0 });
    const f = parseLearnerConfig({ preset: 'fast' });
    expect(f.replay.strategy).toBe('uniform');
    expect(f.ewc.enabled).toBe(false);
  });

  it('rejects a bad field with a typed error that names it', () => {
    try {
      parseLearnerConfig({ optimizer: { lr: -1 } });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(InvalidConfigError);
      expect((err as InvalidConfigError).field).toBe('config.optimizer.lr');
    }
    expect(() => parseLearnerConfig({ model: { dropout: 1 } })).toThrow(/config\.model\.dropout/);
  });

  it('replay.distill (dark experience replay) is off by default and cannot be combined with LwF distillation', () => {
    expect(parseLearnerConfig({}).replay.distill).toEqual({ weight: 0, temperature: 2 });
    expect(parseLearnerConfig({ replay: { distill: { weight: 0.5 } } }).replay.distill).toEqual({ weight: 0.5, temperature: 2 });
    expect(() => parseLearnerConfig({ replay: { distill: { weight: 1 } }, distillation: { enabled: true } })).toThrow(/config\.replay\.distill.*distillation\.enabled/);
    expect(() => parseLearnerConfig({ replay: { distill: { weight: -1 } } })).toThrow(/config\.replay\.distill\.weight/);
    expect(() => parseLearnerConfig({ replay: { distill: { temperature: 0 } } })).toThrow(/config\.replay\.distill\.temperature/);
    expect(parseLearnerConfig({ replay: { distill: { weight: 0 } }, distillation: { enabled: true } }).distillation.enabled).toBe(true);
  });

  it("rejects replay.asymmetric with admission 'consolidation', naming the field", () => {
    expect(() => parseLearnerConfig({ replay: { asymmetric: true, admission: 'consolidation' } })).toThrow(/config\.replay\.asymmetric.*admission 'step'/);
    expect(parseLearnerConfig({ replay: { asymmetric: true } }).replay).toMatchObject({ asymmetric: true, admission: 'step' });
    expect(parseLearnerConfig({}).replay.asymmetric).toBe(false);
  });

  it('passes model.init through to the model and validates ewc.maxTasks', () => {
    expect(() => parseLearnerConfig({ model: { init: 'xavier' } })).toThrow(/config\.model\.init/);
    expect(() => parseLearnerConfig({ ewc: { maxTasks: 0 } })).toThrow(/config\.ewc\.maxTasks/);
    const kernels = loadKernels({ backend: 'ts' });
    const make = (init: 'auto' | 'torch') =>
      OnlineLearner.create(
        { seed: 4, model: { inputSize: 16, hidden: [32], classes: 3, init }, batchSize: 4, replay: { enabled: false } },
        { kernels },
      );
    const torch = make('torch');
    const auto = make('auto');
    for (const l of [torch, auto]) l.learnOne({ id: 'a', input: new Float32Array(16).fill(0.5), target: 1 });
    const bias = (l: OnlineLearner) => l.model().params.subarray(16 * 32, 16 * 32 + 32);
    // torch draws the biases uniform in ±1/√16; auto leaves them at zero until a step
    expect(bias(torch).every((b) => Math.abs(b) <= 0.25) && bias(torch).some((b) => b !== 0)).toBe(true);
    expect(bias(auto).every((b) => b === 0)).toBe(true);
  });
});
