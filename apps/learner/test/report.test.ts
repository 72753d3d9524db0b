import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NotFoundError } from '@retain/core';
import { createBenchmarkSuite, openPromotionStore, runOnlineLearningCycle } from '@retain/promotion';
import { openLearner } from '../src/learner-persistence.js';
import { collectReportData, matrixMetrics, renderReportHtml, reportAssets, writeReport } from '../src/report/index.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'retain-report-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function embedded(html: string): { learners: { ok: boolean; value?: { name: string }[] }; promotion: { ok: boolean } } {
  const m = /<script type="application\/json" id="retain-report-data">([\s\S]*?)<\/script>/.exec(html);
  return JSON.parse(m![1]!);
}

/** A `retain learn`-style store: one learner at the root, two domains, a scenario matrix. */
function learnStore(dir: string): void {
  const learner = openLearner(dir, { seed: 3, model: { inputSize: 4, hidden: [8], classes: 2 }, replay: { capacity: 50 } });
  for (let i = 0; i < 400; i++) {
    const domain = i < 200 ? 'a' : 'b';
    const sign = (i * 7919) % 2 === 0 ? 1 : -1;
    const input = domain === 'a' ? [sign, 0.5, 0, 1] : [0, 1, sign, -0.5];
    learner.learnOne({ id: `e${i}`, input, target: sign > 0 ? 1 : 0, domain });
  }
  learner.store!.setMeta('scenario', { name: 'toy', tasks: ['a', 'b'], accuracy: [[0.9], [0.6, 0.95]] });
  learner.saveState();
  learner.store!.close();
}

describe('matrixMetrics', () => {
  it('computes ACC, BWT and forgetting of a 3-task matrix by the closed forms', () => {
    const m = matrixMetrics([[0.9], [0.7, 0.8], [0.5, 0.6, 0.9]]);
    expect(m.acc).toBeCloseTo((0.5 + 0.6 + 0.9) / 3, 12);
    expect(m.bwt).toBeCloseTo((0.5 - 0.9 + (0.6 - 0.8)) / 2, 12);
    expect(m.forgetting).toBeCloseTo((0.9 - 0.5 + (0.8 - 0.6)) / 2, 12);
  });

  it('takes forgetting from the best earlier row, not the diagonal', () => {
    const m = matrixMetrics([[0.5], [0.8, 0.9], [0.6, 0.9, 0.7]]);
    expect(m.bwt).toBeCloseTo((0.6 - 0.5 + (0.9 - 0.9)) / 2, 12);
    expect(m.forgetting).toBeCloseTo((0.8 - 0.6 + 0) / 2, 12);
  });

  it('has no BWT or forgetting with one task', () => {
    expect(matrixMetrics([[0.75]])).toEqual({ acc: 0.75, bwt: null, forgetting: null });
  });
});

describe('writeReport', () => {
  it('throws NotFoundError for a store directory that does not exist', () => {
    expect(() => writeReport({ store: path.join(tmp, 'missing'), stdout: null })).toThrow(NotFoundError);
  });

  it('renders an empty store as "no data" sections without charts', () => {
    const dir = path.join(tmp, 'empty');
    fs.mkdirSync(dir);
    const s = writeReport({ store: dir, stdout: null });
    expect(s.sections).toEqual({ accuracy: false, matrix: false, replay: false, promotion: false });
    expect(s.learners).toEqual([]);
    const html = fs.readFileSync(s.path, 'utf8');
    expect(html).not.toContain('data-chart=');
    expect(html.match(/class="empty"/g)!.length).toBe(4);
    expect(s.path).toBe(path.join(dir, 'report.html'));
  });

  it('renders a retain learn store: curve, matrix and replay from the learner, promotion as no data', () => {
    const dir = path.join(tmp, 'learn');
    learnStore(dir);
    const lines: string[] = [];
    const out = { write: (s: string) => lines.push(s) } as unknown as NodeJS.WritableStream;
    const s = writeReport({ store: dir, out: path.join(tmp, 'out', 'learn.html'), stdout: out });
    expect(s.sections).toEqual({ accuracy: true, matrix: true, replay: true, promotion: false });
    expect(s.learners).toEqual(['learn']);
    expect(lines.join('')).toContain(`report written to ${path.join(tmp, 'out', 'learn.html')}`);
    const data = collectReportData(dir);
    expect(data.learners.ok).toBe(true);
    const l = data.learners.ok ? data.learners.value[0]! : null;
    expect(l!.examplesSeen).toBe(400);
    expect(l!.history.map((h) => h.at)).toEqual([100, 200, 300, 400]);
    expect(l!.replay!.byDomain.reduce((a, d) => a + d.count, 0)).toBe(l!.replay!.size);
    expect(l!.scenario!.metrics.bwt).toBeCloseTo(-0.3, 12);
    const html = fs.readFileSync(s.path, 'utf8');
    for (const c of ['accuracy-over-time', 'accuracy-matrix', 'first-task', 'replay-composition']) expect(html).toContain(`data-chart="${c}"`);
    // Self-contained: nothing is fetched (no src= or href= to anything but the page's own anchors).
    expect(html).not.toMatch(/<script[^>]+src=/);
    expect(html).not.toMatch(/<link[^>]+href=/);
    expect(html).toContain('Plot.plot');
    expect(embedded(html).learners.value![0]!.name).toBe('learn');
  });

  it('shows versions and the gate results of promotion cycles, ', async () => {
    const dir = path.join(tmp, 'promo');
    learnStore(dir);
    const store = openPromotionStore(dir);
    const tasks = Array.from({ length: 10 }, (_, i) => ({ id: `k${i}`, kind: 'skill', input: { k: i }, expectedAction: `a${i % 3}` }));
    const suite = createBenchmarkSuite('toy', 1, tasks);
    store.trajectories.addTrajectories(tasks.map((t) => ({ id: `t-${t.id}`, input: t.input, action: t.expectedAction, reward: 1, latencyMs: 1, createdAt: 0 })));
    const decode = (w: Uint8Array): Record<string, string> => JSON.parse(new TextDecoder().decode(w));
    const report = await runOnlineLearningCycle({
      store,
      benchmark: suite,
      minNewTrajectories: 1,
      train: ({ examples }) => ({
        weights: new TextEncoder().encode(JSON.stringify(Object.fromEntries(examples.map((e) => [JSON.stringify(e.input), e.target])))),
        spec: { kind: '<lookup>' },
      }),
      createPredictor: (m) => (input) => ({ action: decode(m.weights)[JSON.stringify(input)] ?? 'none' }),
    });
    store.close();
    expect(report.outcome).toBe('accepted');
    const s = writeReport({ store: dir, stdout: null });
    expect(s.sections.promotion).toBe(true);
    const data = collectReportData(dir);
    const p = data.promotion.ok ? data.promotion.value : null;
    expect(p!.current).toBe('v1');
    expect(p!.versions.map((v) => v.id)).toEqual(['v1']);
    expect(p!.cycles).toHaveLength(1);
    expect(p!.cycles[0]!.decision!.gates.map((g) => g.gate)).toEqual(['requiredTaskCount', 'minReward', 'maxErrorRate']);
    expect(p!.cycles[0]!.challengerReward).toBe(1);
    const html = fs.readFileSync(s.path, 'utf8');
    expect(html).toContain('data-chart="promotion-gates"');
    expect(html).toContain('<span class="badge">current</span>');
  });

  it('escapes store text in the page and in the JSON island', () => {
    const data = collectReportData(path.join(tmp, 'learn'));
    const evil = '</script><img src=x onerror=alert(1)>';
    if (data.learners.ok) data.learners.value[0]!.name = evil;
    const html = renderReportHtml(data, reportAssets());
    expect(html).not.toContain(evil);
    expect(html).toContain('&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;');
    expect(embedded(html).learners.value![0]!.name).toBe(evil);
  });
});
