import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  InvalidArgumentError,
  InvalidConfigError,
  RetainError,
  ShapeError,
  paramCount,
  paramLayout,
  parseAt,
} from '../src/index.js';

describe('paramLayout', () => {
  it('lays out fc{l}.weight (out x in) then fc{l}.bias, layer by layer', () => {
    const layout = paramLayout([3, 4, 2]);
    expect(layout.map((s) => [s.name, s.offset, s.length, s.shape])).toEqual([
      ['fc0.weight', 0, 12, [4, 3]],
      ['fc0.bias', 12, 4, [4]],
      ['fc1.weight', 16, 8, [2, 4]],
      ['fc1.bias', 24, 2, [2]],
    ]);
    expect(paramCount([3, 4, 2])).toBe(26);
    expect(paramCount([784, 400, 400, 10])).toBe(784 * 400 + 400 + 400 * 400 + 400 + 400 * 10 + 10);
  });

  it('allows a linear model and rejects bad sizes naming the index', () => {
    expect(paramCount([5, 3])).toBe(18);
    expect(() => paramCount([5])).toThrow(InvalidArgumentError);
    expect(() => paramCount([5, 0, 2])).toThrow(/sizes\[1\]/);
  });
});

describe('errors and parseAt', () => {
  it('errors carry stable codes and the field', () => {
    const e = new ShapeError('x', 12, 11, 'batch 4 x 3');
    expect(e).toBeInstanceOf(RetainError);
    expect(e.code).toBe('E_SHAPE');
    expect(e.field).toBe('x');
    expect(e.message).toBe('x: expected length 12, got 11 (batch 4 x 3)');
  });

  it('parseAt names the nested field that failed', () => {
    const schema = z.object({ optimizer: z.object({ lr: z.number().positive() }) });
    expect(parseAt(schema, { optimizer: { lr: 0.1 } }, 'config')).toEqual({ optimizer: { lr: 0.1 } });
    try {
      parseAt(schema, { optimizer: { lr: -1 } }, 'config', 'config');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(InvalidConfigError);
      expect((err as InvalidConfigError).field).toBe('config.optimizer.lr');
    }
  });
});
