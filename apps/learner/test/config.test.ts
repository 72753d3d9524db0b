import { describe, expect, it } from 'vitest';
import { InvalidConfigError } from '@retain/core';
import { parseLearnerConfig } from '../src/index.js';

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
});
