import { PythonRandom } from '../src/python-random.js';

/** River's ADWIN/PageHinkley/KSWIN docstring stream: Random(12345), 1000 of {0,1} then 1000 of {4..7}. */
export function riverNumericStream(): number[] {
  const r = new PythonRandom(12345);
  return [...r.choices([0, 1], 1000), ...r.choices([4, 5, 6, 7], 1000)];
}

/** River's binary docstring stream: Random(42), 1000 fair bits then 1000 with P(1) = 0.7. */
export function riverBinaryStream(): number[] {
  const r = new PythonRandom(42);
  return [...r.choices([0, 1], 1000), ...r.choices([0, 1], 1000, [0.3, 0.7])];
}

/** Indices at which the detector reported a drift. */
export function driftIndices(d: { update(x: number): unknown; driftDetected: boolean }, xs: readonly number[]): number[] {
  const out: number[] = [];
  xs.forEach((x, i) => {
    d.update(x);
    if (d.driftDetected) out.push(i);
  });
  return out;
}

/** River's docstring print loop: first warning after each drift, and every drift. */
export function warningsAndDrifts(
  d: { update(x: number): unknown; driftDetected: boolean; warningDetected: boolean },
  xs: readonly number[],
): string[] {
  const out: string[] = [];
  let printWarning = true;
  xs.forEach((x, i) => {
    d.update(x);
    if (d.warningDetected && printWarning) {
      out.push(`warning ${i}`);
      printWarning = false;
    }
    if (d.driftDetected) {
      out.push(`drift ${i}`);
      printWarning = true;
    }
  });
  return out;
}
