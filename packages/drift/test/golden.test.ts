import { describe, expect, it } from 'vitest';
import { ADWIN, DDM, EDDM, HDDM_A, HDDM_W, KSWIN, PageHinkley, PythonRandom } from '../src/index.js';
import { driftIndices, riverBinaryStream, riverNumericStream, warningsAndDrifts } from './streams.js';

describe("River's published docstring indices", () => {
  it('ADWIN detects the change at index 1023', () => {
    expect(driftIndices(new ADWIN(), riverNumericStream())).toEqual([1023]);
  });

  it('ADWIN finds [1023, 2015, 3007] on the four-segment Random(42) stream', () => {
    const r = new PythonRandom(42);
    const xs = [
      ...r.choices([0, 1], 1000),
      ...r.choices([4, 5, 6, 7], 1000),
      ...r.choices([0, 1], 1000),
      ...r.choices([4, 5, 6, 7], 1000),
    ];
    expect(driftIndices(new ADWIN(), xs)).toEqual([1023, 2015, 3007]);
  });

  it('PageHinkley detects the change at index 1006', () => {
    expect(driftIndices(new PageHinkley(), riverNumericStream())).toEqual([1006]);
  });

  it('KSWIN(alpha=0.0001, seed=42) detects the change at index 1016', () => {
    expect(driftIndices(new KSWIN({ alpha: 0.0001, seed: 42 }), riverNumericStream())).toEqual([1016]);
  });

  it('DDM warns at 1084, drifts at 1334, warns again at 1492', () => {
    expect(warningsAndDrifts(new DDM(), riverBinaryStream())).toEqual(['warning 1084', 'drift 1334', 'warning 1492']);
  });

  it('HDDM_A warns at 451 and drifts at 1206', () => {
    expect(warningsAndDrifts(new HDDM_A(), riverBinaryStream())).toEqual(['warning 451', 'drift 1206']);
  });

  it('HDDM_W warns at 451 and drifts at 1077', () => {
    expect(warningsAndDrifts(new HDDM_W(), riverBinaryStream())).toEqual(['warning 451', 'drift 1077']);
  });

  it('EDDM(alpha=0.8, beta=0.75) warns at 1059 and drifts at 1278', () => {
    expect(warningsAndDrifts(new EDDM({ alpha: 0.8, beta: 0.75 }), riverBinaryStream())).toEqual([
      'warning 1059',
      'drift 1278',
    ]);
  });
});
