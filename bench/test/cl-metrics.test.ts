import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, ShapeError } from '@retain/core';
import { clMetrics, meanStd } from '../src/cl/metrics.js';

// R[i][j]: accuracy on task j after stage i. Task 1 peaks after stage 2 (0.95), so forgetting ≠ −BWT.
const R = [
  [0.9, 0.1, 0.2],
  [0.95, 0.8, 0.3],
  [0.6, 0.5, 0.9],
];
const b = [0.1, 0.1, 0.1];

describe('clMetrics', () => {
  it('computes ACC, BWT, FWT and forgetting of a hand-worked 3-task matrix', () => {
    const m = clMetrics(R, b);
    expect(m.acc).toBeCloseTo((0.6 + 0.5 + 0.9) / 3, 12);
    // ((0.6 − 0.9) + (0.5 − 0.8)) / 2
    expect(m.bwt).toBeCloseTo(-0.3, 12);
    // ((R[1][2]… ) : (0.1 − 0.1) + (0.3 − 0.1)) / 2
    expect(m.fwt).toBeCloseTo(0.1, 12);
    // task 1: max(0.9, 0.95) − 0.6 = 0.35; task 2: max(0.1, 0.8) − 0.5 = 0.3
    expect(m.forgetting).toBeCloseTo(0.325, 12);
  });

  it('gives zero BWT and forgetting when nothing is forgotten', () => {
    const m = clMetrics([[0.5, 0.2], [0.5, 0.7]], [0.2, 0.2]);
    expect(m).toEqual({ acc: 0.6, bwt: 0, fwt: 0, forgetting: 0 });
  });

  it('defines only ACC for a single joint-training row', () => {
    expect(clMetrics([[0.9, 0.8, 0.7]], b)).toEqual({ acc: expect.closeTo(0.8, 12), bwt: null, fwt: null, forgetting: null });
  });

  it('rejects a ragged row, a wrong row count and a non-finite accuracy, naming the place', () => {
    expect(() => clMetrics([[0.9, 0.1], [0.9, 0.1, 0.2]], b)).toThrow(ShapeError);
    expect(() => clMetrics([R[0]!, R[1]!], b)).toThrow(ShapeError);
    try {
      clMetrics([[0.9, Number.NaN, 0.2]], b);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidArgumentError);
      expect((error as InvalidArgumentError).field).toBe('matrix[0][1]');
    }
  });
});

describe('meanStd', () => {
  it('uses the sample standard deviation (n − 1)', () => {
    const s = meanStd([1, 2, 3, 4]);
    expect(s.mean).toBe(2.5);
    expect(s.std).toBeCloseTo(Math.sqrt(5 / 3), 12);
    expect(s.n).toBe(4);
  });

  it('reports a zero spread for one seed', () => {
    expect(meanStd([0.7])).toEqual({ mean: 0.7, std: 0, n: 1 });
  });
});
