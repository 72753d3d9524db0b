import { describe, expect, it } from 'vitest';
import { KLDriftDetector } from '../src/index.js';

// Closed form: smoothed histograms p (window) and q (baseline), KL = Σ p log(p/q).
function kl(cur: number[], base: number[], a: number): number {
  const pn = cur.reduce((s, c) => s + c, 0) + a * cur.length;
  const qn = base.reduce((s, c) => s + c, 0) + a * base.length;
  return cur.reduce((s, c, i) => {
    const p = (c + a) / pn;
    const q = (base[i]! + a) / qn;
    return s + p * Math.log(p / q);
  }, 0);
}

describe('KLDriftDetector', () => {
  it('computes the smoothed KL divergence of window against baseline exactly', () => {
    // Baseline 0..9 once each over 10 bins of width 0.9: bins hold [1,1,1,1,1,1,1,1,1,1].
    const d = new KLDriftDetector({ bins: 10, baselineSize: 10, windowSize: 4, threshold: 100 });
    for (let v = 0; v < 10; v++) d.update(v);
    expect(d.lastReport).toBeNull();
    for (const v of [9, 9, 9, 0]) d.update(v);
    const r = d.lastReport!;
    expect(r.divergence).toBeCloseTo(kl([1, 0, 0, 0, 0, 0, 0, 0, 0, 3], [1, 1, 1, 1, 1, 1, 1, 1, 1, 1], 0.5), 12);
    expect(r.baselineMean).toBe(4.5);
    expect(r.currentMean).toBe(6.75);
    expect(r.driftDetected).toBe(false);
    expect(r.recommendation).toBe('none');
  });

  it('puts values beyond the baseline range in the end bins', () => {
    const d = new KLDriftDetector({ bins: 2, baselineSize: 4, windowSize: 2, threshold: 100 });
    for (const v of [0, 0, 1, 1]) d.update(v);
    d.update(-50).update(-60);
    expect(d.lastReport!.divergence).toBeCloseTo(kl([2, 0], [2, 2], 0.5), 12);
  });

  it('advises raiseReplayRatio when the loss rises moderately', () => {
    const d = new KLDriftDetector({ bins: 4, baselineSize: 8, windowSize: 4, threshold: 0.3, severeFactor: 10 });
    for (const v of [0, 1, 2, 3, 0, 1, 2, 3]) d.update(v);
    for (const v of [3, 3, 3, 2]) d.update(v);
    const r = d.lastReport!;
    expect(r.divergence).toBeCloseTo(kl([0, 0, 1, 3], [2, 2, 2, 2], 0.5), 12);
    expect(r.driftDetected).toBe(true);
    expect(r.recommendation).toBe('raiseReplayRatio');
  });

  it('advises refreshFisher when a feature summary shifts moderately', () => {
    const d = new KLDriftDetector({ source: 'feature', bins: 4, baselineSize: 8, windowSize: 4, threshold: 0.3, severeFactor: 10 });
    for (const v of [0, 1, 2, 3, 0, 1, 2, 3]) d.update(v);
    for (const v of [3, 3, 3, 2]) d.update(v);
    expect(d.lastReport!.recommendation).toBe('refreshFisher');
  });

  it('advises consolidate when the divergence is severe', () => {
    const d = new KLDriftDetector({ bins: 4, baselineSize: 8, windowSize: 8, threshold: 0.1, severeFactor: 3 });
    for (const v of [0, 1, 2, 3, 0, 1, 2, 3]) d.update(v);
    let report = null;
    for (let i = 0; i < 8 && report === null; i++) {
      d.update(100);
      if (d.driftDetected) report = d.lastReport;
    }
    expect(report!.divergence).toBeGreaterThanOrEqual(0.3);
    expect(report!.recommendation).toBe('consolidate');
  });

  it('rebuilds its baseline from the drifted window on the next update', () => {
    const d = new KLDriftDetector({ bins: 4, baselineSize: 4, windowSize: 4, threshold: 0.2 });
    for (const v of [0, 1, 2, 3]) d.update(v);
    for (const v of [50, 50, 50, 50]) d.update(v);
    expect(d.driftDetected).toBe(true);
    d.update(50);
    expect(d.driftDetected).toBe(false);
    const s = d.snapshot().state;
    expect(s.baseline).toEqual([50, 50, 50, 50]);
    expect(s.edges).not.toBeNull();
    expect(s.window).toEqual([50]);
  });

  it('warns between the warning and drift thresholds', () => {
    const target = kl([0, 0, 1, 3], [2, 2, 2, 2], 0.5);
    const d = new KLDriftDetector({ bins: 4, baselineSize: 8, windowSize: 4, threshold: target + 0.01, warningThreshold: target - 0.01 });
    for (const v of [0, 1, 2, 3, 0, 1, 2, 3, 3, 3, 3, 2]) d.update(v);
    expect(d.warningDetected).toBe(true);
    expect(d.driftDetected).toBe(false);
  });
});
