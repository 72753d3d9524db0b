import { describe, expect, it } from 'vitest';
import { Evaluator, createBenchmarkSuite, percentileNearestRank } from '../src/index.js';

const suite = createBenchmarkSuite('unit', 3, [
  { id: 'm1', kind: 'memory', input: { k: 1 }, expectedAction: 'a' },
  { id: 'm2', kind: 'memory', input: { k: 2 }, expectedAction: 'b' },
  { id: 't1', kind: 'tool', input: [1, 2], expectedAction: 3 },
  { id: 's1', kind: 'skill', input: { k: 'x' }, expectedAction: 'c' },
]);

describe('Evaluator', () => {
  it('scores each task and aggregates reward, error rate and latency', async () => {
    const latencies: Record<string, number> = { m1: 4, m2: 8, t1: 12, s1: 100 };
    const m = await new Evaluator().run(suite, (input, ctx) => {
      if (ctx.taskId === 's1') throw new Error('tool crashed');
      const action = ctx.taskId === 'm2' ? 'wrong' : ctx.taskId === 't1' ? 3 : 'a';
      return { action, latencyMs: latencies[ctx.taskId]! };
    });
    expect(m.tasks.map((t) => [t.taskId, t.reward, t.error])).toEqual([
      ['m1', 1, null],
      ['m2', 0, null],
      ['t1', 1, null],
      ['s1', 0, 'Error: tool crashed'],
    ]);
    expect(m.averageReward).toBe(0.5);
    expect(m.errorRate).toBe(0.25);
    // A throwing task has no reported latency: its measured wall time counts.
    const thrown = m.tasks[3]!.latencyMs;
    expect(m.tasks.slice(0, 3).map((t) => t.latencyMs)).toEqual([4, 8, 12]);
    expect(m.averageLatencyMs).toBeCloseTo((4 + 8 + 12 + thrown) / 4, 12);
    expect(m.p95LatencyMs).toBe(Math.max(12, thrown));
    expect(m.byKind.memory).toMatchObject({ taskCount: 2, averageReward: 0.5, errorRate: 0 });
    expect(m.byKind.tool!.averageReward).toBe(1);
    expect(m.suiteVersion).toBe(3);
  });

  it('counts a malformed prediction as an error with reward 0', async () => {
    const m = await new Evaluator().run(suite, () => ({ action: undefined as unknown as string }));
    expect(m.errorRate).toBe(1);
    expect(m.averageReward).toBe(0);
    expect(m.tasks[0]!.error).toMatch(/^malformed prediction/);
  });

  it('uses a custom reward function', async () => {
    const m = await new Evaluator({ reward: (task, action) => (action === task.expectedAction ? 2 : -1) }).run(
      suite,
      (_input, ctx) => ({ action: ctx.taskId === 'm1' ? 'a' : 'nope', latencyMs: 1 }),
    );
    expect(m.averageReward).toBe((2 - 1 - 1 - 1) / 4);
  });
});

describe('percentileNearestRank', () => {
  it('takes sorted[ceil(0.95 n) - 1]', () => {
    const values = Array.from({ length: 20 }, (_, i) => 20 - i); // 20..1
    expect(percentileNearestRank(values, 0.95)).toBe(19);
    expect(percentileNearestRank([5], 0.95)).toBe(5);
    expect(percentileNearestRank(Array.from({ length: 21 }, (_, i) => i + 1), 0.95)).toBe(20);
    expect(percentileNearestRank([], 0.95)).toBe(0);
  });
});
