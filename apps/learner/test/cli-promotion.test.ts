import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Rng } from '@retain/core';
import { createBenchmarkSuite, saveBenchmarkSuite } from '@retain/promotion';

const here = path.dirname(fileURLToPath(import.meta.url));
const nodeArgs = ['--import', 'tsx', '--conditions=@retain/source', path.join(here, '../src/cli.ts')];
function retain(args: string[]) {
  const r = spawnSync(process.execPath, [...nodeArgs, ...args], { cwd: path.join(here, '..'), encoding: 'utf8', env: { ...process.env, RETAIN_KERNELS: 'ts' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
const tools = ['search', 'calculator', 'calendar'];
const point = (rng: Rng, c: number) => ({ q_len: 3 * c + rng.normal() * 0.3, digits: c === 1 ? 1 : 0, kind: ['lookup', 'math', 'date'][c]! });

describe('retain CLI promotion loop', () => {
  it('learn → trajectories ingest → cycle → status/versions/reports → predict from the version → rollback errors cleanly', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'retain-cli-promo-'));
    const store = path.join(dir, 'store');
    const rng = new Rng(4);
    const examples = Array.from({ length: 300 }, (_, i) => JSON.stringify({ id: `e${i}`, input: point(rng, i % 3), target: tools[i % 3] }));
    fs.writeFileSync(path.join(dir, 'events.jsonl'), `${examples.join('\n')}\n`);
    expect(retain(['learn', '--input', path.join(dir, 'events.jsonl'), '--store', store, '--hidden', '8', '--lr', '0.02', '--batch-size', '4']).code).toBe(0);

    const trajectories = Array.from({ length: 120 }, (_, i) =>
      JSON.stringify({ id: `t${i}`, task: `question ${i % 3}`, input: point(rng, i % 3), action: tools[i % 3], reward: 1, latencyMs: 5, createdAt: 1_700_000_000_000 + i }),
    );
    fs.writeFileSync(path.join(dir, 'traj.jsonl'), `${trajectories.join('\n')}\n{"id": "broken"}\n`);
    const ingest = retain(['trajectories', 'ingest', path.join(dir, 'traj.jsonl'), '--store', store, '--json']);
    expect(ingest.code).toBe(1); // one bad line is reported
    expect(JSON.parse(ingest.stdout)).toMatchObject({ inserted: 120, bad: 1 });

    const suite = createBenchmarkSuite('router', 1, Array.from({ length: 24 }, (_, i) => ({ id: `b${i}`, kind: (['memory', 'tool', 'skill', 'composite'] as const)[i % 4], input: point(rng, i % 3), expectedAction: tools[i % 3]! })));
    saveBenchmarkSuite(path.join(store, 'benchmark.json'), suite);

    const cycle = retain(['cycle', '--store', store, '--min-new-trajectories', '10', '--json']);
    expect(cycle.code, cycle.stderr).toBe(0);
    const report = JSON.parse(cycle.stdout);
    expect(report.outcome, JSON.stringify(report.decision)).toBe('accepted');
    expect(report.promotedVersionId).toBe('v1');

    const again = JSON.parse(retain(['cycle', '--store', store, '--min-new-trajectories', '10', '--json']).stdout);
    expect(again.outcome).toBe('skipped');

    const status = JSON.parse(retain(['status', '--store', store, '--json']).stdout);
    expect(status.learner.examplesSeen).toBeGreaterThanOrEqual(300);
    expect(status.promotion).toMatchObject({ versionCount: 1, trajectoryCount: 120, reportCount: 2 });
    expect(status.promotion.currentVersion.id).toBe('v1');

    const versions = JSON.parse(retain(['versions', '--store', store, '--json']).stdout);
    expect(versions.current).toBe('v1');
    const reports = JSON.parse(retain(['reports', '--store', store, '--json']).stdout);
    expect(reports.map((r: { outcome: string }) => r.outcome)).toEqual(expect.arrayContaining(['accepted', 'skipped']));

    const pred = JSON.parse(retain(['predict', '--store', store, JSON.stringify({ task: 'question 1', input: point(rng, 1) })]).stdout);
    expect(pred).toMatchObject({ label: 'calculator', source: 'version v1' });
    expect(pred.hint.trajectoryId).toMatch(/^t/);

    const bad = retain(['rollback', 'v9', '--store', store]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/not found: v9/);
    const escape = retain(['rollback', '../x', '--store', store]);
    expect(escape.code).toBe(1);
    const outside = retain(['cycle', '--store', store, '--benchmark', '../benchmark.json']);
    expect(outside.code).toBe(1);
    expect(outside.stderr).toMatch(/benchmark|path/i);
    const ci = retain(['case-index', '--rebuild', '--store', store, '--json']);
    expect(JSON.parse(ci.stdout).cases).toBe(3);
  }, 180_000);
});
