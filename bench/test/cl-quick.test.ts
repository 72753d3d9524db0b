import { describe, expect, it } from 'vitest';
import { runQuickSuite } from '../src/cl/quick-suite.js';

describe('continual-learning quick suite', () => {
  it('keeps the ordering that must always hold: replay ≫ fine-tune (class-IL), EWC > fine-tune (permuted), joint ≥ all', () => {
    const records = runQuickSuite(0);
    const acc = (scenario: string, method: string): number => records.find((r) => r.scenario === scenario && r.method === method)!.metrics.acc;
    const cls = 'split-mnist-class';
    const perm = 'permuted-mnist';
    // Fine-tune on class-IL keeps only the last task (~20%); replay keeps most of the others.
    expect(acc(cls, 'fine-tune')).toBeLessThan(0.25);
    expect(acc(cls, 'replay-reservoir') - acc(cls, 'fine-tune')).toBeGreaterThan(0.3);
    expect(acc(perm, 'ewc')).toBeGreaterThan(acc(perm, 'fine-tune') + 0.01);
    expect(acc(cls, 'joint')).toBeGreaterThanOrEqual(acc(cls, 'replay-reservoir'));
    expect(acc(perm, 'joint')).toBeGreaterThanOrEqual(Math.max(acc(perm, 'ewc'), acc(perm, 'fine-tune')));
    for (const r of records) {
      expect(r.matrix.length).toBe(r.method === 'joint' ? 1 : r.taskNames.length);
      expect(r.baseline.length).toBe(r.taskNames.length);
      // The machine's noise is recorded: other processes' busy cores (never negative), the load at start and end.
      expect(r.machine.otherCores).toBeGreaterThanOrEqual(0);
      expect(r.machine.otherCores).toBeLessThanOrEqual(r.machine.cores);
      expect(r.machine.loadAverageEnd).toHaveLength(3);
      expect(r.timeSec.cpu).toBeGreaterThan(0);
    }
    // About 16 s on the native kernels here; the TypeScript fallback takes ~6 min on a loaded 2-core machine.
  }, 600_000);
});
