import { describe, expect, it } from 'vitest';
import { Curriculum } from '../src/index.js';

describe('Curriculum', () => {
  it('admits the next level once accuracy over the window at the current level passes the threshold', () => {
    const c = new Curriculum({ threshold: 0.75, window: 4 });
    expect(c.admits(0)).toBe(true);
    expect(c.admits(1)).toBe(false);
    expect(c.record(0, true)).toBe(false);
    expect(c.record(0, false)).toBe(false);
    expect(c.record(0, true)).toBe(false);
    expect(c.record(0, true)).toBe(true); // the window is full at 3/4 = 0.75: passes
    expect(c.level).toBe(1);
    expect(c.admits(1)).toBe(true);
    expect(c.admits(2)).toBe(false);
  });

  it('slides the window so old mistakes stop counting, and ignores outcomes of other levels', () => {
    const c = new Curriculum({ threshold: 1, window: 3 });
    c.record(0, false);
    c.record(0, true);
    c.record(0, true);
    expect(c.level).toBe(0);
    expect(c.record(5, true)).toBe(false);
    expect(c.accuracy).toBeCloseTo(2 / 3);
    expect(c.record(0, true)).toBe(true);
    expect(c.level).toBe(1);
    expect(c.accuracy).toBeNaN();
  });

  it('filters examples by level (no level means the start level) and stops at maxLevel', () => {
    const c = new Curriculum({ threshold: 0.5, window: 2, minExamples: 1, maxLevel: 1 });
    const items = [{ level: 0 }, { level: 1 }, {}, { level: 2 }];
    expect(c.filter(items)).toEqual([{ level: 0 }, {}]);
    c.record(0, true);
    expect(c.filter(items)).toEqual([{ level: 0 }, { level: 1 }, {}]);
    expect(c.record(1, true)).toBe(false);
    expect(c.level).toBe(1);
  });

  it('restores its window and names bad config fields', () => {
    const a = new Curriculum({ threshold: 0.9, window: 5 });
    for (const ok of [true, true, false]) a.record(0, ok);
    const b = new Curriculum({ threshold: 0.9, window: 5 });
    b.restore(a.snapshot());
    expect(b.accuracy).toBeCloseTo(2 / 3);
    expect(() => new Curriculum({ threshold: 0 })).toThrow(/curriculum\.threshold/);
    expect(() => new Curriculum({ threshold: 0.5, window: 2, minExamples: 3 })).toThrow(/curriculum\.minExamples/);
  });
});
