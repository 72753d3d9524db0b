import { performance } from 'node:perf_hooks';
import type { BenchmarkKind, BenchmarkSuite, BenchmarkTask } from './benchmark-suite.js';
import { aggregateResults, type EvaluationMetrics, type TaskResult } from './evaluation-metrics.js';

/** What a model returns for one input: the action, and optionally its own latency measurement. */
export interface Prediction {
  action: string | number;
  latencyMs?: number;
}

/** Passed to the predictor so a caller that logs trajectories can tell benchmark traffic apart. */
export interface PredictContext {
  benchmark: true;
  taskId: string;
  kind: BenchmarkKind;
}

/** A model as the evaluator sees it: input in, action out (sync or async). */
export type Predictor = (
  input: BenchmarkTask['input'],
  context: PredictContext,
) => Prediction | Promise<Prediction>;

/** Scores a prediction on a task; the default gives 1 for the expected action and 0 otherwise. */
export type RewardFunction = (task: BenchmarkTask, action: string | number) => number;

/** Exact-match reward: 1 when the action equals the expected action, else 0. */
export const exactMatchReward: RewardFunction = (task, action) => (action === task.expectedAction ? 1 : 0);

/** Options of an {@link Evaluator}. */
export interface EvaluatorOptions {
  reward?: RewardFunction;
}

/**
 * Runs a model over a benchmark suite, task by task in suite order. A task whose prediction throws
 * or is malformed counts as an error with reward 0; it never aborts the run.
 */
export class Evaluator {
  private readonly reward: RewardFunction;

  constructor(options: EvaluatorOptions = {}) {
    this.reward = options.reward ?? exactMatchReward;
  }

  /** Evaluate `predict` on every task of `suite`. */
  async run(suite: BenchmarkSuite, predict: Predictor): Promise<EvaluationMetrics> {
    const results: TaskResult[] = [];
    for (const task of suite.tasks) results.push(await this.runTask(task, predict));
    const byKind: Record<string, ReturnType<typeof aggregateResults>> = {};
    for (const kind of new Set(results.map((r) => r.kind))) {
      byKind[kind] = aggregateResults(results.filter((r) => r.kind === kind));
    }
    return { suiteId: suite.id, suiteVersion: suite.suiteVersion, ...aggregateResults(results), byKind, tasks: results };
  }

  private async runTask(task: BenchmarkTask, predict: Predictor): Promise<TaskResult> {
    const base = { taskId: task.id, kind: task.kind, expectedAction: task.expectedAction };
    const t0 = performance.now();
    let prediction: Prediction;
    try {
      prediction = await predict(task.input, { benchmark: true, taskId: task.id, kind: task.kind });
    } catch (err) {
      const latencyMs = performance.now() - t0;
      return { ...base, action: null, reward: 0, error: describeError(err), latencyMs };
    }
    const measured = performance.now() - t0;
    const own = prediction?.latencyMs;
    const latencyMs = typeof own === 'number' && Number.isFinite(own) && own >= 0 ? own : measured;
    const action = prediction?.action;
    if (!(typeof action === 'string' || (typeof action === 'number' && Number.isFinite(action)))) {
      return { ...base, action: null, reward: 0, error: `malformed prediction: ${safeJson(prediction)}`, latencyMs };
    }
    const reward = this.reward(task, action);
    if (!Number.isFinite(reward)) {
      return { ...base, action, reward: 0, error: `reward function returned ${String(reward)}`, latencyMs };
    }
    return { ...base, action, reward, error: null, latencyMs };
  }
}

function describeError(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}
