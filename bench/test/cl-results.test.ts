import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { StoreCorruptError } from '@retain/core';
import { htmlReport } from '../src/cl/html-report.js';
import { resultsMarkdown, summarize } from '../src/cl/results-table.js';
import { listRuns, readRun, runPath, writeRun, type RunRecord } from '../src/cl/run-record.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'cl-results-'));
  dirs.push(d);
  return d;
}

function record(scenario: string, method: string, seed: number, acc: number): RunRecord {
  const matrix = [
    [0.99, 0.1],
    [acc * 2 - 0.98, 0.98],
  ];
  return {
    version: 1,
    scenario,
    method,
    seed,
    quick: false,
    protocol: {},
    config: {},
    overrides: [],
    taskNames: ['a', 'b'],
    baseline: [0.1, 0.1],
    matrix,
    metrics: { acc, bwt: matrix[1]![0]! - 0.99, fwt: 0, forgetting: 0.99 - matrix[1]![0]!, accAll: acc },
    curve: [
      { stage: 1, examples: 10, acc: [0.99, 0.1] },
      { stage: 2, examples: 20, acc: [matrix[1]![0]!, 0.98] },
    ],
    prequential: [],
    steps: 2,
    examples: 20,
    timeSec: { total: 2, train: 1.5, evaluate: 0.5, cpu: 2 },
    peakRssMiB: 100 + seed,
    machine: { cpu: 'test cpu', cores: 2, node: 'v20', os: 'Linux', backend: 'native', loadAverage: [0] },
    date: '2025-01-01T00:00:00.000Z',
    commit: 'abc',
  };
}

describe('run files and the results table', () => {
  it('writes a run where the layout says and reads it back unchanged', () => {
    const root = tmp();
    const r = record('permuted-mnist', 'ewc', 2, 0.95);
    const file = writeRun(root, r);
    expect(file).toBe(runPath(root, 'permuted-mnist', 'ewc', 2));
    expect(file.endsWith(path.join('permuted-mnist', 'ewc', 'seed-2.json'))).toBe(true);
    expect(readRun(file)).toEqual(r);
    expect(listRuns(root)).toEqual([file]);
  });

  it('rejects a run file missing its matrix with the field named', () => {
    const root = tmp();
    const file = writeRun(root, record('permuted-mnist', 'ewc', 0, 0.9));
    const raw = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
    delete raw['matrix'];
    fs.writeFileSync(file, JSON.stringify(raw));
    expect(() => readRun(file)).toThrow(StoreCorruptError);
    expect(() => readRun(file)).toThrow(/matrix/);
  });

  it('summarizes seeds as mean ± sample std beside the published figure and lists targets missed', () => {
    const records = [record('permuted-mnist', 'ewc', 0, 0.93), record('permuted-mnist', 'ewc', 1, 0.95), record('split-mnist-class-hsu', 'replay-reservoir', 0, 0.92)];
    const rows = summarize(records);
    expect(rows.map((r) => `${r.scenario}/${r.method}`)).toEqual(['permuted-mnist/ewc', 'split-mnist-class-hsu/replay-reservoir']);
    // Hsu's figure is the target of its own protocol and context on van de Ven's class-IL rows
    expect(summarize([record('split-mnist-class', 'replay-reservoir', 0, 0.89)])[0]!.meets).toBeNull();
    const ewc = rows[0]!;
    expect(ewc.acc!.mean).toBeCloseTo(94, 10);
    expect(ewc.acc!.std).toBeCloseTo(Math.sqrt(2), 10);
    expect(ewc.meets).toBe(false);
    expect(rows[1]!.meets).toBe(true);
    expect(ewc.peakMiB).toBe(101);
    const md = resultsMarkdown(rows, records, [{ scenario: 'permuted-mnist', method: 'si', seed: 0 }], tmp());
    expect(md).toContain('| ewc | 0,1 | 94.00 ± 1.41 | ≥ 94.31 ❌ |');
    expect(md).toContain('| replay-reservoir | 0 | 92.00 | ≥ 90.78 ✅ |');
    expect(md).toContain('- permuted-mnist / si (seed 0)');
    expect(md).toContain('- permuted-mnist / ewc: 94.00 ± 1.41 against ≥ 94.31');
    const html = htmlReport(rows, records);
    // The heat map shows the seed mean: (0.88 + 0.92) / 2.
    expect(html).toContain('<title>R[2][1] = 90.00%</title>');
    expect((html.match(/<polyline/g) ?? []).length).toBe(4);
  });
});
