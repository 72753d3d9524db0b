import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Rng } from '@retain/core';
import { OnlineLearningCoordinator, defaultBenchmarkSuite, openPromotionStore, type CurrentVersion } from '../src/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const child = path.join(here, 'cycle-child.ts');

interface Child {
  proc: ChildProcessWithoutNullStreams;
  /** Every stdout line so far. */
  lines: string[];
  ready: Promise<void>;
  /** Resolves with stdout line `index` (0-based) once it arrives. */
  line: (index: number) => Promise<string>;
  exited: Promise<number | null>;
}

function start(args: string[]): Child {
  const proc = spawn(process.execPath, ['--import', 'tsx', '--conditions=@retain/source', child, ...args], {
    cwd: path.join(here, '..'),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let notify: (() => void)[] = [];
  let buf = '';
  let stderr = '';
  proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  proc.stdout.on('data', (d: Buffer) => {
    buf += d.toString();
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      lines.push(buf.slice(0, i));
      buf = buf.slice(i + 1);
    }
    const waiting = notify;
    notify = [];
    for (const n of waiting) n();
  });
  const exited = new Promise<number | null>((resolve) =>
    proc.on('exit', (code) => {
      if (code !== 0 && code !== null && stderr) console.error(stderr);
      resolve(code);
      for (const n of notify) n();
    }),
  );
  const line = async (index: number): Promise<string> => {
    while (lines.length <= index) {
      if (proc.exitCode !== null || proc.signalCode !== null) throw new Error(`child exited before line ${index}: ${stderr}`);
      await new Promise<void>((resolve) => notify.push(resolve));
    }
    return lines[index]!;
  };
  const ready = line(0).then((l) => {
    if (l !== 'ready') throw new Error(`child said ${l}: ${stderr}`);
  });
  return { proc, lines, ready, line, exited };
}

const tmpDir = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'retain-safety-'));

function seedTrajectories(dir: string): void {
  const s = openPromotionStore(dir);
  s.trajectories.addTrajectories(
    defaultBenchmarkSuite().tasks.map((t) => ({
      id: `seed-${t.id}`,
      input: t.input,
      action: t.expectedAction,
      reward: 1,
      latencyMs: 1,
      createdAt: 0,
    })),
  );
  s.close();
}

function assertComplete(cur: CurrentVersion): void {
  const spec = cur.version.spec as { sha256: string; bytes: number };
  expect(cur.version.weights.byteLength).toBe(spec.bytes);
  expect(crypto.createHash('sha256').update(cur.version.weights).digest('hex')).toBe(spec.sha256);
}

describe('two processes', () => {
  it('lets exactly one of two simultaneous cycles run; the other gets LockedError', async () => {
    const dir = tmpDir();
    seedTrajectories(dir);
    const release = path.join(dir, 'release');
    const a = start(['race', dir, release]);
    const b = start(['race', dir, release]);
    await Promise.all([a.ready, b.ready]);
    a.proc.stdin.end('go\n');
    b.proc.stdin.end('go\n');
    const first = JSON.parse(await Promise.race([a.line(1), b.line(1)])) as { ok: boolean; code?: string };
    // The loser answers at once; the winner is still training until we release it.
    expect(first).toMatchObject({ ok: false, code: 'E_LOCKED' });
    fs.writeFileSync(release, '');
    await Promise.all([a.exited, b.exited]);
    const results = [a.lines[1]!, b.lines[1]!].map((l) => JSON.parse(l) as { ok: boolean; reportId: string; outcome: string });
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    const winner = results.find((r) => r.ok)!;
    expect(winner).toMatchObject({ ok: true, reportId: 'report-1', outcome: 'accepted' });
    const s = openPromotionStore(dir);
    expect(s.reports.listReports().map((r) => r.id)).toEqual(['report-1']);
    expect(s.versions.listVersions().map((v) => v.id)).toEqual(['v1']);
    expect(s.db.prepare('SELECT COUNT(*) AS n FROM promotion_locks').get()).toEqual({ n: 0 });
    s.close();
  }, 120_000);
});

describe('kill -9', () => {
  it('always reopens with current pointing at a complete version, over 30 random kills', async () => {
    const dir = tmpDir();
    const rng = new Rng(2024);
    const watcherStore = openPromotionStore(dir);
    const watched: string[] = [];
    const watchErrors: unknown[] = [];
    const watcher = watcherStore.watchCurrent(
      (cur) => {
        if (cur === null) return;
        assertComplete(cur);
        watched.push(cur.version.id);
      },
      { intervalMs: 20, onError: (e) => watchErrors.push(e) },
    );
    const verified = new Set<string>();
    const t0 = Date.now();
    let next = start(['churn', dir, '1']);
    for (let i = 0; i < 30; i++) {
      const c = next;
      await c.ready;
      next = start(['churn', dir, String(i + 2)]); // loads while this one runs
      c.proc.stdin.end('go\n');
      await c.line(1); // its first cycle is done: the kill lands somewhere in a later one
      await new Promise((r) => setTimeout(r, rng.int(120)));
      c.proc.kill('SIGKILL');
      await c.exited;
      const s = openPromotionStore(dir);
      expect(s.db.pragma('integrity_check', { simple: true })).toBe('ok');
      const cur = s.versions.getCurrent();
      if (cur) assertComplete(cur);
      for (const v of s.versions.listVersions()) {
        if (verified.has(v.id)) continue; // versions are immutable: each is checked once
        assertComplete({ version: s.versions.getVersion(v.id), since: cur!.since });
        verified.add(v.id);
      }
      const ids = s.reports.listReports().map((r) => r.id);
      expect(new Set(ids).size).toBe(ids.length);
      s.close();
    }
    next.ready.catch(() => undefined); // killed before it finished loading: expected
    next.proc.kill('SIGKILL');
    await next.exited;
    watcher.poll();
    watcher.close();
    watcherStore.close();

    console.log(`30 kills in ${Date.now() - t0} ms`);
    const s = openPromotionStore(dir);
    const reports = s.reports.listReports();
    expect(reports.length).toBeGreaterThan(30);
    expect(reports.map((r) => r.id)).toEqual(reports.map((_, i) => `report-${reports.length - i}`));
    expect(s.versions.countVersions()).toBeGreaterThan(1);
    expect(watched.length).toBeGreaterThan(1);
    expect(watchErrors).toEqual([]);
    // the lock of the last killed child does not block the next cycle
    s.trajectories.addTrajectories([
      { id: 'after-kills', input: { op: 'x' }, action: 'y', reward: 1, latencyMs: 1, createdAt: 0 },
    ]);
    const coordinator = new OnlineLearningCoordinator({
      store: s,
      train: ({ base }) => ({ weights: base!.weights, spec: base!.spec }),
      createPredictor: () => () => ({ action: 'unknown', latencyMs: 1 }),
    });
    const r = await coordinator.runCycle({ dryRun: true });
    expect(r.outcome).toBe('rejected');
    s.close();
  }, 120_000);
});
