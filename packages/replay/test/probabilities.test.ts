import { describe, expect, it } from 'vitest';
import { ReplayBuffer } from '../src/index.js';
import type { ReplayBufferOptions } from '../src/index.js';
import { chiSquare, chiSquareCritical } from './chi-square.js';

const LOSSES = [0.5, 2, 0, 1.25, 3];
const DOMAINS = ['a', 'b', 'b', 'b', 'c'];
const ALPHA = 0.7;
const EPS = 0.01;

function filled(options: Omit<ReplayBufferOptions, 'capacity'>): ReplayBuffer<number> {
  const buf = new ReplayBuffer<number>({ capacity: 5, priorityAlpha: ALPHA, priorityEpsilon: EPS, newItemPriority: 'loss', ...options });
  LOSSES.forEach((loss, i) => buf.add(i, { id: `i${i}`, loss, domain: DOMAINS[i], time: 100 * i }));
  return buf;
}

const pri = LOSSES.map((l) => (l + EPS) ** ALPHA);
const priSum = pri.reduce((a, b) => a + b, 0);
const recency = (h: number) => {
  const w = LOSSES.map((_, i) => 2 ** (i / h));
  const s = w.reduce((a, b) => a + b, 0);
  return w.map((x) => x / s);
};

/** Closed-form probability of each of the five items under each strategy. */
const CASES: { name: string; options: Omit<ReplayBufferOptions, 'capacity'>; expected: number[] }[] = [
  { name: 'uniform', options: { strategy: { kind: 'uniform' } }, expected: [0.2, 0.2, 0.2, 0.2, 0.2] },
  { name: 'prioritizedLoss', options: { strategy: { kind: 'prioritizedLoss' } }, expected: pri.map((p) => p / priSum) },
  { name: 'prioritizedRecency', options: { strategy: { kind: 'prioritizedRecency', halfLife: 2 } }, expected: recency(2) },
  {
    name: 'prioritizedRecency (wall clock, half-life 100 ms)',
    options: { strategy: { kind: 'prioritizedRecency', halfLife: 100, clock: 'wallClock' } },
    expected: recency(1),
  },
  {
    name: 'mixed',
    options: { strategy: { kind: 'mixed', lossFraction: 0.25 } },
    expected: pri.map((p) => (0.25 * p) / priSum + 0.75 / 5),
  },
  // Three domains: a third each, split evenly inside a domain.
  { name: 'domainBalanced', options: { strategy: { kind: 'domainBalanced' } }, expected: [1 / 3, 1 / 9, 1 / 9, 1 / 9, 1 / 3] },
  { name: 'reservoir', options: { strategy: { kind: 'reservoir' } }, expected: [0.2, 0.2, 0.2, 0.2, 0.2] },
  {
    name: 'reservoir (loss-weighted)',
    options: { strategy: { kind: 'reservoir', weighting: 'loss' } },
    expected: [0.2, 0.2, 0.2, 0.2, 0.2],
  },
];

describe.each(CASES)('sampling probabilities: $name', ({ options, expected }) => {
  it('reports the closed-form probability of every item exactly', () => {
    const buf = filled({ ...options, seed: 1 });
    expected.forEach((p, i) => expect(buf.probabilityOf(`i${i}`)).toBeCloseTo(p, 14));
    const batch = buf.sample(200);
    batch.ids.forEach((id, j) => expect(batch.probabilities[j]).toBeCloseTo(expected[Number(id.slice(1))]!, 14));
  });

  it('draws with those probabilities (χ² goodness of fit over 100k draws)', () => {
    const buf = filled({ ...options, seed: 2 });
    const counts = new Float64Array(5);
    for (let k = 0; k < 100; k++) for (const id of buf.sample(1000).ids) counts[Number(id.slice(1))]!++;
    expect(chiSquare(counts, expected, 100_000)).toBeLessThan(chiSquareCritical(4));
  });

  it('weights each draw by (N·P)^−β normalized by the largest weight in the buffer', () => {
    const beta = 0.55;
    const buf = filled({ ...options, seed: 3, importanceBeta: beta });
    const raw = expected.map((p) => (5 * p) ** -beta);
    const max = Math.max(...raw);
    const batch = buf.sample(100);
    batch.ids.forEach((id, j) => expect(batch.weights[j]).toBeCloseTo(raw[Number(id.slice(1))]! / max, 6));
  });
});

describe('importance weights', () => {
  it('anneals β linearly from importanceBeta to 1 over betaAnnealSamples draws, then holds it', () => {
    const buf = filled({ strategy: { kind: 'prioritizedLoss' }, importanceBeta: 0.4, betaAnnealSamples: 10 });
    expect(buf.beta).toBe(0.4);
    for (let k = 0; k < 5; k++) buf.sample(1);
    expect(buf.beta).toBeCloseTo(0.7, 15);
    for (let k = 0; k < 20; k++) buf.sample(1);
    expect(buf.beta).toBe(1);
    // With β = 1 the weights undo the sampling bias exactly: w ∝ 1/P.
    const batch = buf.sample(50);
    const pMin = Math.min(...pri) / priSum;
    batch.probabilities.forEach((p, j) => expect(batch.weights[j]).toBeCloseTo(pMin / p, 6));
  });
});
