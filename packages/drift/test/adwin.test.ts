import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ADWIN, PythonRandom } from '../src/index.js';

// River's own ADWIN property tests, with the same streams.
describe('ADWIN properties (River test_adwin_regression)', () => {
  it('never drifts on 5,000 constant values', () => {
    const d = new ADWIN();
    for (let i = 0; i < 5000; i++) {
      d.update(1.0);
      expect(d.driftDetected).toBe(false);
    }
  });

  it('drifts at most twice on 5,000 N(0,1) values from Random(123)', () => {
    const r = new PythonRandom(123);
    const d = new ADWIN();
    let drifts = 0;
    for (let i = 0; i < 5000; i++) {
      d.update(r.gauss(0, 1));
      if (d.driftDetected) drifts += 1;
    }
    expect(drifts).toBeLessThanOrEqual(2);
  });

  it('detects a jump from 0 to 100 within 200 steps (delta = 0.01)', () => {
    const d = new ADWIN({ delta: 0.01 });
    for (let i = 0; i < 200; i++) d.update(0);
    let at = -1;
    for (let i = 0; i < 200 && at < 0; i++) {
      d.update(100);
      if (d.driftDetected) at = i;
    }
    expect(at).toBeGreaterThanOrEqual(0);
    expect(at).toBeLessThan(200);
  });

  it('reports nothing inside the grace period', () => {
    const d = new ADWIN({ gracePeriod: 100, clock: 1 });
    for (let i = 0; i < 50; i++) d.update(0);
    for (let i = 0; i < 50; i++) {
      d.update(1000);
      expect(d.driftDetected).toBe(false);
    }
  });

  it('restarts with a window of one value on the update after a drift', () => {
    const d = new ADWIN({ clock: 1 });
    for (let i = 0; i < 500; i++) d.update(0);
    let found = false;
    for (let i = 0; i < 500 && !found; i++) found = d.update(100).driftDetected;
    expect(found).toBe(true);
    expect(d.width).toBeLessThan(1000);
    d.update(50);
    expect(d.width).toBe(1);
    expect(d.estimation).toBe(50);
  });

  it('keeps width, total and the sum of squared deviations exact while nothing is cut', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), { minLength: 1, maxLength: 300 }), (xs) => {
        const d = new ADWIN({ clock: 1_000_000 });
        for (const x of xs) d.update(x);
        const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
        const ss = xs.reduce((a, x) => a + (x - mean) ** 2, 0);
        expect(d.width).toBe(xs.length);
        expect(d.total).toBeCloseTo(xs.reduce((a, b) => a + b, 0), 6);
        expect(Math.abs(d.variance - ss)).toBeLessThanOrEqual(1e-6 * Math.max(1, ss));
      }),
      { numRuns: 60, seed: 7 },
    );
  });

  it('holds at most maxBuckets buckets per row (the histogram stays logarithmic)', () => {
    const d = new ADWIN({ clock: 1_000_000 });
    for (let i = 0; i < 10_000; i++) d.update(i % 7);
    const rows = d.snapshot().state.rows;
    expect(rows.length).toBeLessThanOrEqual(12);
    for (const row of rows) expect(row.totals.length).toBeLessThanOrEqual(5);
    const held = rows.reduce((a, row, r) => a + row.totals.length * 2 ** r, 0);
    expect(held).toBe(10_000);
  });
});
