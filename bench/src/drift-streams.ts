import type { LabelledStream } from '@retain/drift';
import { PythonRandom } from '@retain/drift';

/** A long numeric stream for throughput: N(0,1) noise whose mean moves by 3 every 100,000 values. */
export function throughputNumeric(n: number, seed: number): Float64Array {
  const r = new PythonRandom(seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = r.gauss(Math.floor(i / 100_000) % 2 === 0 ? 0 : 3, 1);
  return out;
}

/** A long 0/1 error stream for throughput: error rate alternates 0.1 / 0.3 every 100,000 values. */
export function throughputBinary(n: number, seed: number): Float64Array {
  const r = new PythonRandom(seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = r.random() < (Math.floor(i / 100_000) % 2 === 0 ? 0.1 : 0.3) ? 1 : 0;
  return out;
}

/**
 * Streams with known abrupt changes for the evaluation table: `count` streams of `length` values,
 * each with two change points drawn uniformly in the middle, away from each other and the ends.
 * Numeric: N(μ, 1) with |Δμ| drawn in [1, 3]. Binary: error rate p → p ± Δ, Δ in [0.15, 0.3].
 */
export function labelledStreams(kind: 'numeric' | 'binary', count: number, length: number, seed: number): LabelledStream[] {
  const r = new PythonRandom(seed);
  const streams: LabelledStream[] = [];
  for (let s = 0; s < count; s++) {
    const third = Math.floor(length / 3);
    const c1 = third - 300 + r.randbelow(600);
    const c2 = 2 * third - 300 + r.randbelow(600);
    const values = new Float64Array(length);
    if (kind === 'numeric') {
      const mu = [0, 0, 0];
      mu[1] = mu[0]! + (r.random() < 0.5 ? -1 : 1) * (1 + 2 * r.random());
      mu[2] = mu[1]! + (r.random() < 0.5 ? -1 : 1) * (1 + 2 * r.random());
      for (let i = 0; i < length; i++) values[i] = r.gauss(mu[i < c1 ? 0 : i < c2 ? 1 : 2]!, 1);
    } else {
      const p0 = 0.1 + 0.2 * r.random();
      const p1 = p0 + 0.15 + 0.15 * r.random();
      const p = [p0, p1, p0];
      for (let i = 0; i < length; i++) values[i] = r.random() < p[i < c1 ? 0 : i < c2 ? 1 : 2]! ? 1 : 0;
    }
    streams.push({ name: `${kind}-${s}`, values, changes: [c1, c2] });
  }
  return streams;
}
