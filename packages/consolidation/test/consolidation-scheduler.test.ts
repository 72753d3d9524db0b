import { describe, expect, it } from 'vitest';
import { InvalidConfigError, StateVersionError } from '@retain/core';
import { ConsolidationScheduler } from '../src/index.js';

describe('ConsolidationScheduler', () => {
  it('becomes due after N examples and resets on markConsolidated', () => {
    const s = new ConsolidationScheduler({ everyExamples: 10 }, () => 0);
    s.observe(9);
    expect(s.shouldConsolidate()).toBe(false);
    s.observe();
    expect(s.reason()).toBe('examples');
    s.markConsolidated();
    expect(s.shouldConsolidate()).toBe(false);
    expect(s.consolidations).toBe(1);
  });

  it('becomes due after N ticks of the logical clock', () => {
    const s = new ConsolidationScheduler({ everySteps: 3, everyExamples: 100 }, () => 0);
    s.tick(2);
    s.observe(50);
    expect(s.shouldConsolidate()).toBe(false);
    s.tick();
    expect(s.reason()).toBe('steps');
  });

  it('becomes due after a wall-clock duration, measured from the last consolidation', () => {
    let now = 1000;
    const s = new ConsolidationScheduler({ everyMs: 500 }, () => now);
    now = 1499;
    expect(s.shouldConsolidate()).toBe(false);
    now = 1500;
    expect(s.reason()).toBe('time');
    s.markConsolidated();
    now = 1999;
    expect(s.shouldConsolidate()).toBe(false);
  });

  it('becomes due at once on a drift signal unless drift triggering is off', () => {
    const s = new ConsolidationScheduler({ everyExamples: 1000 }, () => 0);
    s.signalDrift();
    expect(s.reason()).toBe('drift');
    const off = new ConsolidationScheduler({ everyExamples: 1000, onDrift: false }, () => 0);
    off.signalDrift();
    expect(off.shouldConsolidate()).toBe(false);
  });

  it('restores its counters and rejects other versions', () => {
    const a = new ConsolidationScheduler({ everyExamples: 5 }, () => 7);
    a.observe(4);
    const b = new ConsolidationScheduler({ everyExamples: 5 }, () => 7);
    b.restore(a.snapshot());
    b.observe(1);
    expect(b.reason()).toBe('examples');
    expect(() => b.restore({ ...a.snapshot(), version: 3 })).toThrow(StateVersionError);
  });

  it('names the bad field of its configuration', () => {
    expect(() => new ConsolidationScheduler({ everyExamples: 0 })).toThrow(InvalidConfigError);
    expect(() => new ConsolidationScheduler({ everyMs: -1 })).toThrow(/scheduler\.everyMs/);
  });
});
