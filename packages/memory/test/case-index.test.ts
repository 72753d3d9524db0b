import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { InvalidArgumentError, NotFoundError, StateVersionError, StoreCorruptError } from '@retain/core';
import { describe, expect, it } from 'vitest';
import { CaseIndex, normalizeCaseInput } from '../src/index.js';

describe('CaseIndex', () => {
  it('folds case, whitespace and punctuation but keeps symbols', () => {
    expect(normalizeCaseInput('  Reset   my PASSWORD, please!! ')).toBe('reset my password please');
    expect(normalizeCaseInput('reset\tmy\npassword—please')).toBe('reset my password please');
    expect(normalizeCaseInput('ＡＢＣ')).toBe('abc'); // NFKC folds full-width letters
    expect(normalizeCaseInput('2+2=?')).toBe('2+2=');
    expect(normalizeCaseInput('2+2')).not.toBe(normalizeCaseInput('2=2'));
  });

  it('keeps the highest-reward trajectory per normalized input, the earlier one on ties', () => {
    const index = new CaseIndex();
    expect(index.record('Reset my password', 't1', 0.4)).toBe(true);
    expect(index.record('reset my password!', 't2', 0.9)).toBe(true);
    expect(index.record('RESET  my password', 't3', 0.9)).toBe(false);
    expect(index.record('reset my password', 't4', 0.2)).toBe(false);
    expect(index.bestFor('Reset my password?')).toEqual({ trajectoryId: 't2', reward: 0.9 });
    expect(index.bestFor('unknown task')).toBeUndefined();
    expect(index.size).toBe(1);
  });

  it('rejects bad input with typed errors and keeps its entries', () => {
    const index = new CaseIndex();
    index.record('a task', 't1', 1);
    expect(() => index.record('?!', 't2', 1)).toThrow(expect.objectContaining({ field: 'input' }));
    expect(() => index.record('a task', 't2', NaN)).toThrow(expect.objectContaining({ field: 'reward' }));
    expect(() => index.record('a task', '', 5)).toThrow(InvalidArgumentError);
    expect(index.toJSON().entries).toEqual([{ input: 'a task', trajectoryId: 't1', reward: 1 }]);
  });

  it('forgets every input whose best trajectory is removed', () => {
    const index = new CaseIndex();
    index.record('one', 'shared', 1);
    index.record('two', 'shared', 1);
    index.record('three', 'other', 1);
    expect(index.forgetTrajectory('shared')).toBe(2);
    expect(index.bestFor('one')).toBeUndefined();
    expect(index.bestFor('three')?.trajectoryId).toBe('other');
  });

  it('saves and loads versioned JSON with identical answers', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'case-index-'));
    const file = path.join(dir, 'cases.json');
    const index = new CaseIndex();
    for (let i = 0; i < 100; i++) index.record(`Task #${i % 37}`, `t${i}`, (i * 7) % 13);
    index.save(file);
    const loaded = CaseIndex.load(file);
    expect(loaded.toJSON()).toEqual(index.toJSON());
    expect(loaded.bestFor('task 5')).toEqual(index.bestFor('TASK 5'));
    expect(JSON.parse(fs.readFileSync(file, 'utf8')).version).toBe(1);
    fs.rmSync(dir, { recursive: true });
  });

  it('turns a corrupt, foreign, newer or missing file into a typed error, never an empty index', () => {
    const good = new CaseIndex();
    good.record('x', 't', 1);
    const json = good.toJSON();
    expect(() => CaseIndex.fromJSON('{"version":1,"format":"retain.case-ind')).toThrow(StoreCorruptError);
    expect(() => CaseIndex.fromJSON({ version: 1, format: 'someone-else', entries: [] })).toThrow(StoreCorruptError);
    expect(() => CaseIndex.fromJSON([])).toThrow(StoreCorruptError);
    expect(() => CaseIndex.fromJSON({ ...json, version: 2 })).toThrow(StateVersionError);
    expect(() => CaseIndex.fromJSON({ ...json, entries: [{ input: 'x', trajectoryId: 't', reward: 'high' }] })).toThrow(
      expect.objectContaining({ field: 'caseIndex.entries[0].reward' }),
    );
    expect(() => CaseIndex.fromJSON({ ...json, entries: [{ input: 'Not Normal!', trajectoryId: 't', reward: 1 }] })).toThrow(
      StoreCorruptError,
    );
    expect(() => CaseIndex.load(path.join(os.tmpdir(), 'no-such-dir-xyz', 'cases.json'))).toThrow(NotFoundError);
  });
});
