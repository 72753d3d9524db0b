import { describe, expect, it } from 'vitest';
import { ADWIN, detectionMetrics, evaluateDetectors, matchAlarms, type DriftDetector } from '../src/index.js';

// Examples from River's drift.evaluate docstrings.
describe('detection metrics (River drift.evaluate semantics)', () => {
  it('matches alarms to the earliest window and collects false alarms', () => {
    const m = matchAlarms([110, 900], [100], { maxDelay: 50 });
    expect([...m.hits.entries()]).toEqual([[0, [110]]]);
    expect(m.falseAlarms).toEqual([900]);
  });

  it('computes precision, episode recall, F1 and missed detection rate', () => {
    const m = detectionMetrics([110, 900], [100, 500], 1000, { maxDelay: 50 });
    expect(m.precision).toBe(0.5);
    expect(m.episodeRecall).toBe(0.5);
    expect(m.f1).toBe(0.5);
    expect(m.missedDetectionRate).toBe(0.5);
    expect(m.detectionDelay).toBe(10);
    expect(m.falseAlarmRate).toBe(0.001);
  });

  it('averages the first-alarm delay over caught changes only', () => {
    expect(detectionMetrics([110, 530], [100, 500, 900], 1000, { maxDelay: 50 }).detectionDelay).toBe(20);
  });

  it('measures the mean time between false alarms (NaN below two)', () => {
    expect(detectionMetrics([200, 300, 500], [], 1000, { maxDelay: 50 }).meanTimeBetweenFalseAlarms).toBe(150);
    expect(detectionMetrics([200], [], 1000, { maxDelay: 50 }).meanTimeBetweenFalseAlarms).toBeNaN();
  });

  it('honours spans and early alarms', () => {
    const m = matchAlarms([95, 130, 180], [[100, 120]], { maxDelay: 50, maxEarly: 5 });
    expect(m.hits.get(0)).toEqual([95, 130]);
    expect(m.falseAlarms).toEqual([180]);
  });

  it('rejects a change that ends before it starts', () => {
    expect(() => matchAlarms([], [[10, 5]], { maxDelay: 5 })).toThrowError(expect.objectContaining({ field: 'changes[0]' }));
  });
});

describe('evaluateDetectors', () => {
  const step = (n: number, at: number, lo: number, hi: number): number[] =>
    Array.from({ length: n }, (_, i) => (i < at ? lo : hi) + ((i * 7919) % 13) / 130);

  it('pools metrics over streams and adds the periodic baseline', () => {
    const streams = [
      { values: step(2000, 1000, 0, 5), changes: [1000] },
      { values: step(1500, 600, 5, 0), changes: [600] },
    ];
    const rows = evaluateDetectors({ detectors: { ADWIN: () => new ADWIN() }, streams, maxDelay: 200, baselinePeriod: 250 });
    expect(rows.map((r) => r.detector)).toEqual(['ADWIN', 'periodic(250)']);
    const [adwin, periodic] = rows;
    expect(adwin!.episodeRecall).toBe(1);
    expect(adwin!.missedDetectionRate).toBe(0);
    expect(adwin!.detectionDelay).toBeLessThan(100);
    // The schedule fires at 249, 499, …: on stream 1 the hit is 1249 (delay 249 > 200 → miss);
    // on stream 2 it is 749 (delay 149).
    expect(periodic!.alarms).toEqual([
      [249, 499, 749, 999, 1249, 1499, 1749, 1999],
      [249, 499, 749, 999, 1249, 1499],
    ]);
    expect(periodic!.episodeRecall).toBe(0.5);
    expect(periodic!.detectionDelay).toBe(149);
    expect(periodic!.precision).toBeCloseTo(1 / 14, 12);
  });

  it('gives each stream a fresh detector', () => {
    let made = 0;
    const counting = (): DriftDetector => {
      made += 1;
      return new ADWIN();
    };
    evaluateDetectors({ detectors: { a: counting }, streams: [{ values: [1, 2], changes: [] }, { values: [3], changes: [] }], maxDelay: 5, baselinePeriod: 0 });
    expect(made).toBe(2);
  });
});
