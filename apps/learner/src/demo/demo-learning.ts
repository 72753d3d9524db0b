import path from 'node:path';
import type { Kernels } from '@retain/kernels';
import type { LearnerConfigInput } from '../config.js';
import { openLearner } from '../learner-persistence.js';
import { OnlineLearner } from '../online-learner.js';
import { loadMnist, type MnistSet } from '../scenarios/mnist.js';
import { permutedMnist, type Scenario } from '../scenarios/scenario.js';
import { fineTuneConfig, stableConfig, type DemoScale } from './demo-config.js';

/** The two learners of the demo, by the name their sub-store and the report use. */
export const DEMO_LEARNERS = ['fine-tune', 'stable'] as const;
/** A demo learner's name. */
export type DemoLearnerName = (typeof DEMO_LEARNERS)[number];

/** Accuracy of both learners after one task: on every task seen so far. */
export interface DemoTaskResult {
  task: number;
  name: string;
  /** Accuracy on tasks 1..task, per learner. */
  accuracy: Record<DemoLearnerName, number[]>;
}

/** Options of {@link runDemoLearning}. */
export interface DemoLearningOptions {
  scale: DemoScale;
  /** When set, each learner persists to `<storeDir>/<name>` (a fresh store is expected). */
  storeDir?: string;
  kernels?: Kernels;
  /** Replace a learner's config (tuning, tests); default {@link demoConfigs}. */
  configs?: Partial<Record<DemoLearnerName, LearnerConfigInput>>;
  onProgress?: (seen: number, total: number, recent: Record<DemoLearnerName, number>) => void;
  onTask?: (result: DemoTaskResult) => void;
}

/** What the learning part of the demo produced. */
export interface DemoLearningResult {
  scenario: Scenario;
  learners: Record<DemoLearnerName, OnlineLearner>;
  /** Accuracy matrices R[i][j] (after task i, on task j ≤ i), per learner. */
  matrices: Record<DemoLearnerName, number[][]>;
  /** Held-out images per task for the promotion benchmark (never trained on, never in the test rows). */
  benchmark: MnistSet[];
  /** One more permutation the learners never saw: the new traffic of the promotion cycle (train and held-out benchmark images). */
  nextTask: { name: string; train: MnistSet; benchmark: MnistSet };
  ms: number;
}

/** Configs of the two demo learners at a given scale. */
export function demoConfigs(scale: DemoScale): Record<DemoLearnerName, LearnerConfigInput> {
  return { 'fine-tune': fineTuneConfig(scale.seed), stable: stableConfig(scale.seed, scale.trainPerTask) };
}

function rows(set: MnistSet, from: number, to: number): MnistSet {
  const d = set.d;
  return { n: to - from, d, x: set.x.subarray(from * d, to * d), y: set.y.subarray(from, to) };
}

/** Accuracy of `learner` on `set` (argmax of the model's outputs). */
export function accuracyOn(learner: OnlineLearner, set: MnistSet): number {
  const d = set.x.length / set.n;
  let correct = 0;
  for (let i = 0; i < set.n; i++) if (learner.predictOne(set.x.subarray(i * d, (i + 1) * d)).index === set.y[i]) correct++;
  return set.n ? correct / set.n : Number.NaN;
}

/**
 * Stream permuted-MNIST tasks through a fine-tuning learner and a `stable` learner side by side (each
 * image goes to both in turn), evaluating both on every task seen so far after each task.
 */
export function runDemoLearning(options: DemoLearningOptions): DemoLearningResult {
  const t0 = Date.now();
  const { scale } = options;
  const train = loadMnist('train', scale.trainPerTask);
  const heldOut = loadMnist('test', scale.testPerTask + scale.benchmarkPerTask);
  // One permutation more than is streamed: the promotion cycle's new domain.
  const all = permutedMnist(train, heldOut, scale.tasks + 1, scale.seed);
  const next = all.tasks.pop()!;
  const scenario = all;
  const configs = { ...demoConfigs(scale), ...options.configs };
  const open = (name: DemoLearnerName): OnlineLearner => {
    const kernels = options.kernels ? { kernels: options.kernels } : {};
    return options.storeDir ? openLearner(path.join(options.storeDir, name), configs[name], kernels) : OnlineLearner.create(configs[name], kernels);
  };
  const learners = { 'fine-tune': open('fine-tune'), stable: open('stable') };
  const matrices: Record<DemoLearnerName, number[][]> = { 'fine-tune': [], stable: [] };
  const tests = scenario.tasks.map((t) => rows(t.test, 0, scale.testPerTask));
  const benchmark = scenario.tasks.map((t) => rows(t.test, scale.testPerTask, t.test.n));
  const total = scenario.tasks.reduce((s, t) => s + t.train.n, 0);
  const d = 784;
  let seen = 0;
  for (const [t, task] of scenario.tasks.entries()) {
    for (let i = 0; i < task.train.n; i++) {
      const input = task.train.x.subarray(i * d, (i + 1) * d);
      for (const name of DEMO_LEARNERS) learners[name].learnOne({ id: `t${t + 1}-${i}`, input, target: task.train.y[i]!, domain: task.name });
      seen++;
      if (options.onProgress && (seen % 100 === 0 || seen === total)) {
        options.onProgress(seen, total, { 'fine-tune': learners['fine-tune'].core.stats.recentAccuracy, stable: learners.stable.core.stats.recentAccuracy });
      }
    }
    const accuracy = {} as Record<DemoLearnerName, number[]>;
    for (const name of DEMO_LEARNERS) {
      learners[name].flush();
      accuracy[name] = tests.slice(0, t + 1).map((set) => accuracyOn(learners[name], set));
      matrices[name].push(accuracy[name]);
    }
    options.onTask?.({ task: t + 1, name: task.name, accuracy });
  }
  if (options.storeDir) {
    for (const name of DEMO_LEARNERS) {
      const store = learners[name].store!;
      store.setMeta('scenario', { name: scenario.name, tasks: scenario.tasks.map((t) => t.name), accuracy: matrices[name] });
      learners[name].saveState();
    }
  }
  const nextTask = { name: next.name, train: next.train, benchmark: rows(next.test, scale.testPerTask, next.test.n) };
  return { scenario, learners, matrices, benchmark, nextTask, ms: Date.now() - t0 };
}
