import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ADWIN, DDM, EDDM, HDDM_A, HDDM_W, KSWIN, PageHinkley, PythonRandom, ks2Samp, type DriftDetector } from '../src/index.js';
import { driftIndices } from './streams.js';

// Alarms printed by River 0.26.1 itself (and p-values by SciPy 1.17.1) on long streams with many
// drifts, where any departure from River's arithmetic or reset semantics would show.
const fixture = JSON.parse(readFileSync(new URL('./fixtures/river-0.26.1.json', import.meta.url), 'utf8')) as {
  alarms: Record<string, number[]>;
  ks: { a: number[]; b: number[]; statistic: number; pValue: number }[];
};

function gaussianStream(): number[] {
  const r = new PythonRandom(5);
  return Array.from({ length: 20000 }, (_, i) => r.gauss(Math.floor(i / 700) % 2 === 0 ? 0 : 1.5, 1));
}
function errorStream(): number[] {
  const r = new PythonRandom(6);
  return Array.from({ length: 20000 }, (_, i) => (r.random() < (Math.floor(i / 900) % 2 === 0 ? 0.1 : 0.35) ? 1 : 0));
}

const gaussian = gaussianStream();
const errors = errorStream();
const cases: [string, () => DriftDetector, number[]][] = [
  ['ADWIN', () => new ADWIN(), gaussian],
  ['PH', () => new PageHinkley({ threshold: 20 }), gaussian],
  ['KSWIN', () => new KSWIN({ seed: 3 }), gaussian],
  ['DDM', () => new DDM(), errors],
  ['EDDM', () => new EDDM(), errors],
  ['HDDM_A', () => new HDDM_A({ twoSidedTest: true }), errors],
  ['HDDM_W', () => new HDDM_W({ twoSidedTest: true }), errors],
];

describe('alarms identical to River 0.26.1 on 20,000-value streams', () => {
  it.each(cases)('%s', (name, make, xs) => {
    const expected = fixture.alarms[name]!;
    expect(expected.length).toBeGreaterThan(10);
    expect(driftIndices(make(), xs)).toEqual(expected);
  });
});

describe('ks2Samp is bit-identical to scipy.stats.ks_2samp', () => {
  it('on 50 random pairs of sizes 1..60 with ties', () => {
    for (const c of fixture.ks) {
      const got = ks2Samp(c.a, c.b);
      expect(got.statistic).toBe(c.statistic);
      expect(got.pValue).toBe(c.pValue);
    }
  });
});
