import { describe, expect, it } from 'vitest';
import {
  ADWIN,
  DDM,
  EDDM,
  HDDM_A,
  HDDM_W,
  KLDriftDetector,
  KSWIN,
  PageHinkley,
  PeriodicTrigger,
  restoreDetector,
  type DriftDetector,
} from '../src/index.js';
import { riverBinaryStream, riverNumericStream } from './streams.js';

interface Case {
  name: string;
  make: () => DriftDetector;
  stream: number[];
  binary: boolean;
  /** Resets to a fresh state on the update after a drift (the KL detector re-baselines instead). */
  freshAfterDrift: boolean;
}

const numeric = riverNumericStream();
const binary = riverBinaryStream();
const cases: Case[] = [
  { name: 'ADWIN', make: () => new ADWIN(), stream: numeric, binary: false, freshAfterDrift: true },
  { name: 'PageHinkley', make: () => new PageHinkley(), stream: numeric, binary: false, freshAfterDrift: true },
  { name: 'KSWIN', make: () => new KSWIN({ alpha: 0.0001, seed: 42 }), stream: numeric, binary: false, freshAfterDrift: true },
  { name: 'DDM', make: () => new DDM(), stream: binary, binary: true, freshAfterDrift: true },
  { name: 'EDDM', make: () => new EDDM({ alpha: 0.8, beta: 0.75 }), stream: binary, binary: true, freshAfterDrift: true },
  { name: 'HDDM_A', make: () => new HDDM_A(), stream: binary, binary: true, freshAfterDrift: true },
  { name: 'HDDM_W', make: () => new HDDM_W(), stream: binary, binary: true, freshAfterDrift: true },
  {
    name: 'KL',
    make: () => new KLDriftDetector({ baselineSize: 300, windowSize: 100 }),
    stream: numeric,
    binary: false,
    freshAfterDrift: false,
  },
  { name: 'PeriodicTrigger', make: () => new PeriodicTrigger({ period: 700 }), stream: numeric, binary: false, freshAfterDrift: true },
];

function alarms(d: DriftDetector, xs: readonly number[], from = 0): number[] {
  const out: number[] = [];
  for (let i = from; i < xs.length; i++) {
    d.update(xs[i]!);
    if (d.driftDetected) out.push(i);
  }
  return out;
}

describe.each(cases)('$name conforms to the DriftDetector contract', ({ make, stream, binary: isBinary, freshAfterDrift }) => {
  it('reports at least one drift on its River stream, each on a single update', () => {
    const d = make();
    const found = alarms(d, stream);
    expect(found.length).toBeGreaterThan(0);
    for (let i = 1; i < found.length; i++) expect(found[i]! - found[i - 1]!).toBeGreaterThan(1);
  });

  it.each([NaN, Infinity, -Infinity])('rejects %s with a typed error and keeps its state', (bad) => {
    const d = make();
    for (let i = 0; i < 1200; i++) d.update(stream[i]!);
    const before = JSON.stringify(d.snapshot());
    expect(() => d.update(bad)).toThrowError(expect.objectContaining({ code: 'E_INVALID_ARGUMENT', field: 'x' }));
    expect(JSON.stringify(d.snapshot())).toBe(before);
  });

  it.runIf(isBinary)('rejects a value that is not 0 or 1 and keeps its state', () => {
    const d = make();
    for (let i = 0; i < 500; i++) d.update(stream[i]!);
    const before = JSON.stringify(d.snapshot());
    for (const bad of [2, 0.5, -1]) {
      expect(() => d.update(bad)).toThrowError(expect.objectContaining({ code: 'E_INVALID_ARGUMENT' }));
    }
    expect(JSON.stringify(d.snapshot())).toBe(before);
  });

  it('keeps the state it had when a bad value arrives right after a drift', () => {
    const d = make();
    const first = alarms(make(), stream)[0]!;
    for (let i = 0; i <= first; i++) d.update(stream[i]!);
    expect(d.driftDetected).toBe(true);
    const before = JSON.stringify(d.snapshot());
    expect(() => d.update(NaN)).toThrow();
    expect(d.driftDetected).toBe(true);
    expect(JSON.stringify(d.snapshot())).toBe(before);
  });

  it('continues identically after a JSON snapshot round trip', () => {
    const all = alarms(make(), stream);
    for (const cut of [1, 517, all[0]! + 1, 1500]) {
      const d = make();
      for (let i = 0; i < cut; i++) d.update(stream[i]!);
      const copy = restoreDetector(JSON.parse(JSON.stringify(d.snapshot())));
      expect(alarms(copy, stream, cut)).toEqual(all.filter((i) => i >= cut));
    }
  });

  it.runIf(freshAfterDrift)('starts from a fresh state on the update after a drift', () => {
    const d = make();
    const first = alarms(make(), stream)[0]!;
    for (let i = 0; i <= first; i++) d.update(stream[i]!);
    d.update(stream[first + 1]!);
    const fresh = restoreDetector(d.snapshot());
    fresh.reset();
    fresh.update(stream[first + 1]!);
    expect(d.snapshot()).toEqual(fresh.snapshot());
    expect(d.driftDetected).toBe(false);
  });

  it('refuses a snapshot of another kind, an unknown version and a corrupt field', () => {
    const d = make();
    for (let i = 0; i < 300; i++) d.update(stream[i]!);
    const snap = d.snapshot();
    const before = JSON.stringify(snap);
    expect(() => d.restore({ ...snap, kind: 'Nope' })).toThrowError(expect.objectContaining({ code: 'E_INVALID_ARGUMENT' }));
    expect(() => d.restore({ ...snap, version: 2 })).toThrowError(expect.objectContaining({ code: 'E_STATE_VERSION' }));
    expect(() => d.restore({ ...snap, state: { ...(snap.state as object), driftDetected: 'yes' } })).toThrowError(
      expect.objectContaining({ code: 'E_STORE_CORRUPT', field: 'snapshot.state.driftDetected' }),
    );
    expect(JSON.stringify(d.snapshot())).toBe(before);
  });
});

describe('constructors validate their options', () => {
  it('names the bad option in an InvalidConfigError', () => {
    expect(() => new ADWIN({ delta: 2 })).toThrowError(expect.objectContaining({ code: 'E_INVALID_CONFIG', field: 'options.delta' }));
    expect(() => new KSWIN({ windowSize: 50, statSize: 30 })).toThrowError(
      expect.objectContaining({ code: 'E_INVALID_CONFIG', field: 'options.statSize' }),
    );
    expect(() => new EDDM({ alpha: 0.5, beta: 0.9 })).toThrowError(expect.objectContaining({ field: 'options.beta' }));
    expect(() => new PageHinkley({ mode: 'sideways' as never })).toThrowError(expect.objectContaining({ field: 'options.mode' }));
  });

  it('restoreDetector refuses an unknown kind', () => {
    expect(() => restoreDetector({ version: 1, kind: 'Magic' })).toThrowError(
      expect.objectContaining({ code: 'E_INVALID_ARGUMENT', field: 'snapshot.kind' }),
    );
  });
});
