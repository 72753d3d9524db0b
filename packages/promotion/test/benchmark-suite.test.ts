import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, NotFoundError, StateVersionError, StoreCorruptError } from '@retain/core';
import { createBenchmarkSuite, defaultBenchmarkSuite, loadBenchmarkSuite, saveBenchmarkSuite } from '../src/index.js';

const tmp = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'retain-suite-'));

describe('BenchmarkSuite', () => {
  it('seeds a default suite with four tasks of every kind and unique ids', () => {
    const s = defaultBenchmarkSuite();
    const kinds = s.tasks.map((t) => t.kind);
    for (const k of ['memory', 'tool', 'skill', 'composite']) expect(kinds.filter((x) => x === k)).toHaveLength(4);
    expect(new Set(s.tasks.map((t) => t.id)).size).toBe(16);
    expect(s).toMatchObject({ format: 'retain.benchmark-suite', version: 1, id: 'retain-seed', suiteVersion: 1 });
  });

  it('round-trips through a JSON file', () => {
    const file = path.join(tmp(), 'suites', 'seed.json');
    saveBenchmarkSuite(file, defaultBenchmarkSuite());
    expect(loadBenchmarkSuite(file)).toEqual(defaultBenchmarkSuite());
  });

  it('rejects an unparsable file as StoreCorruptError', () => {
    const file = path.join(tmp(), 'bad.json');
    fs.writeFileSync(file, '{"format": "retain.benchmark-suite", "version": 1, "tasks": [');
    expect(() => loadBenchmarkSuite(file)).toThrow(StoreCorruptError);
  });

  it('rejects a foreign JSON file as StoreCorruptError', () => {
    const file = path.join(tmp(), 'package.json');
    fs.writeFileSync(file, JSON.stringify({ name: 'something-else', version: '1.0.0' }));
    expect(() => loadBenchmarkSuite(file)).toThrow(StoreCorruptError);
  });

  it('names the bad field of a damaged suite', () => {
    const file = path.join(tmp(), 'damaged.json');
    const s = defaultBenchmarkSuite() as unknown as { tasks: { kind: string }[] };
    s.tasks[2]!.kind = 'vibes';
    fs.writeFileSync(file, JSON.stringify(s));
    expect(() => loadBenchmarkSuite(file)).toThrow(expect.objectContaining({ code: 'E_STORE_CORRUPT', field: `${file}.tasks[2].kind` }));
  });

  it('rejects a newer format version as StateVersionError and a missing file as NotFoundError', () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, 'v9.json'), JSON.stringify({ ...defaultBenchmarkSuite(), version: 9 }));
    expect(() => loadBenchmarkSuite(path.join(dir, 'v9.json'))).toThrow(StateVersionError);
    expect(() => loadBenchmarkSuite(path.join(dir, 'missing.json'))).toThrow(NotFoundError);
  });

  it('refuses duplicate task ids', () => {
    const task = { id: 'a', kind: 'tool', input: [1], expectedAction: 'x' };
    expect(() => createBenchmarkSuite('dup', 1, [task, task])).toThrow(InvalidArgumentError);
  });
});
