import path from 'node:path';
import { RetainError } from '@retain/core';
import type { LearnerConfigInput } from '../config.js';
import { openLearner } from '../learner-persistence.js';
import type { OnlineLearner } from '../online-learner.js';
import { loadMnist } from '../scenarios/mnist.js';
import { permutedMnist, splitMnist, type Scenario } from '../scenarios/scenario.js';
import { readJsonl } from './jsonl-reader.js';
import { Progress } from './progress.js';

/** Options shared by `retain learn` and `retain resume`. */
export interface LearnOptions {
  store: string;
  input?: string;
  scenario?: string;
  tasks?: number;
  limit?: number;
  testLimit?: number;
  json?: boolean;
  checkpointEvery?: number;
  config: LearnerConfigInput;
  checkpoint?: number;
}

/** What a learn run did, printed at the end (JSON with --json). */
export interface LearnSummary {
  store: string;
  checkpoint: number;
  examplesSeen: number;
  learned: number;
  rejected: number;
  resumedFrom: number | null;
  accuracy: number;
  drifts: number;
  consolidations: number;
  backend: string;
  taskAccuracy?: number[][];
}

function hookEvents(learner: OnlineLearner, progress: Progress): void {
  learner.on('drift', (e) => progress.event('drift', { ...e }, `drift detected at example ${e.at} (${e.detector}); actions: ${e.actions.join(', ')}`));
  learner.on('consolidation', (e) =>
    progress.event('consolidation', { at: e.at, reason: e.reason, steps: e.report.steps }, `consolidated at example ${e.at} (${e.reason}, ${e.report.steps} steps)`),
  );
  learner.on('classAdded', (e) => progress.event('classAdded', { ...e }, `new class ${String(e.label)} → output ${e.index} (${e.classes} classes)`));
}

/** `retain learn --input FILE`: learn a JSONL stream, checkpointing with the byte offset reached. */
export async function learnJsonl(opts: LearnOptions): Promise<LearnSummary> {
  const file = opts.input === '-' ? '-' : path.resolve(opts.input!);
  const learner = openLearner(opts.store, withCheckpointEvery(opts), opts.checkpoint !== undefined ? { checkpoint: opts.checkpoint } : {});
  const last = learner.store!.listCheckpoints().at(-1);
  const resumeAt = file !== '-' && last?.inputPath === file && last.inputOffset !== null ? last.inputOffset : 0;
  const progress = Progress.for(!!opts.json);
  hookEvents(learner, progress);
  let offset = resumeAt;
  learner.setCheckpointContext(() => ({ inputPath: file === '-' ? null : file, inputOffset: offset }));
  let learned = 0;
  let rejected = 0;
  for await (const line of readJsonl(file, resumeAt)) {
    offset = line.endOffset;
    let example: unknown;
    try {
      example = JSON.parse(line.text);
    } catch {
      rejected++;
      learner.core.stats.rejected++;
      progress.event('rejected', { line: line.lineNo, error: 'not JSON' }, `line ${line.lineNo}: not valid JSON, skipped`);
      continue;
    }
    try {
      learner.learnOne(example);
      learned++;
    } catch (err) {
      if (!(err instanceof RetainError)) throw err;
      rejected++;
      progress.event('rejected', { line: line.lineNo, code: err.code, field: err.field, error: err.message }, `line ${line.lineNo}: ${err.message}, skipped`);
    }
    const s = learner.core.stats;
    progress.update(s.examplesSeen, s.recentAccuracy, s.drifts);
  }
  const s = learner.core.stats;
  progress.update(s.examplesSeen, s.recentAccuracy, s.drifts, true);
  progress.done();
  const checkpoint = learner.saveState();
  const summary = summarize(learner, opts.store, checkpoint, learned, rejected, resumeAt > 0 ? last!.id : null);
  learner.store!.close();
  return summary;
}

function withCheckpointEvery(opts: LearnOptions): LearnerConfigInput {
  if (opts.checkpointEvery === undefined) return opts.config;
  return { ...opts.config, checkpoint: { ...(opts.config.checkpoint ?? {}), everyExamples: opts.checkpointEvery } };
}

function summarize(learner: OnlineLearner, store: string, checkpoint: number, learned: number, rejected: number, resumedFrom: number | null): LearnSummary {
  const st = learner.stats();
  return {
    store,
    checkpoint,
    examplesSeen: st.examplesSeen,
    learned,
    rejected,
    resumedFrom,
    accuracy: st.accuracy,
    drifts: st.drifts,
    consolidations: st.consolidations,
    backend: st.backend,
  };
}

/** Build the named MNIST scenario. */
export function buildScenario(name: string, tasks: number, limit: number | undefined, testLimit: number | undefined, seed: number): Scenario {
  const train = loadMnist('train', limit);
  const test = loadMnist('test', testLimit);
  if (name === 'permuted-mnist') return permutedMnist(train, test, tasks, seed);
  const mode = name === 'split-mnist' || name === 'split-mnist-class' ? 'class' : name === 'split-mnist-task' ? 'task' : 'domain';
  return splitMnist(train, test, mode);
}

/** `retain learn --scenario S`: stream each task's training images, evaluate on every task after each. */
export async function learnScenario(opts: LearnOptions): Promise<LearnSummary> {
  const scenario = buildScenario(opts.scenario!, opts.tasks ?? 3, opts.limit, opts.testLimit, 1);
  const config: LearnerConfigInput = { ...withCheckpointEvery(opts), model: { ...(opts.config.model ?? {}), classes: opts.config.model?.classes ?? scenario.classes } };
  const learner = openLearner(opts.store, config, opts.checkpoint !== undefined ? { checkpoint: opts.checkpoint } : {});
  const inputPath = `scenario:${opts.scenario}:tasks=${scenario.tasks.length}:limit=${opts.limit ?? 'all'}`;
  const last = learner.store!.listCheckpoints().at(-1);
  const resumeAt = last?.inputPath === inputPath && last.inputOffset !== null ? last.inputOffset : 0;
  const total = scenario.tasks.reduce((s, t) => s + t.train.n, 0);
  const progress = Progress.for(!!opts.json, total);
  hookEvents(learner, progress);
  let position = 0;
  learner.setCheckpointContext(() => ({ inputPath, inputOffset: position }));
  const d = scenario.tasks[0]!.train.x.length / scenario.tasks[0]!.train.n;
  const matrix: number[][] = [];
  let learned = 0;
  for (const [t, task] of scenario.tasks.entries()) {
    for (let i = 0; i < task.train.n; i++, position++) {
      if (position < resumeAt) continue;
      learner.learnOne({
        id: `t${t}-${i}`,
        input: task.train.x.subarray(i * d, (i + 1) * d),
        target: task.train.y[i]!,
        domain: task.name,
        ...(task.allowedClasses ? { allowedClasses: task.allowedClasses } : {}),
      });
      learned++;
      progress.update(position + 1, learner.core.stats.recentAccuracy, learner.core.stats.drifts);
    }
    if (position <= resumeAt) continue;
    learner.flush();
    const row = scenario.tasks.slice(0, t + 1).map((u) => accuracyOn(learner, u.test, d, u.allowedClasses));
    matrix.push(row);
    progress.event(
      'task',
      { task: t + 1, accuracy: row },
      `after task ${t + 1} (${task.name}): accuracy ${row.map((a, j) => `T${j + 1} ${(100 * a).toFixed(1)}%`).join('  ')}`,
    );
  }
  progress.done();
  if (matrix.length > 0) learner.store!.setMeta('scenario', { name: scenario.name, tasks: scenario.tasks.map((t) => t.name), accuracy: matrix });
  const checkpoint = learner.saveState();
  const summary = { ...summarize(learner, opts.store, checkpoint, learned, 0, resumeAt > 0 ? last!.id : null), taskAccuracy: matrix };
  learner.store!.close();
  return summary;
}

function accuracyOn(learner: OnlineLearner, set: { n: number; x: Float32Array; y: Int32Array }, d: number, allowed?: number[]): number {
  let correct = 0;
  for (let i = 0; i < set.n; i++) {
    const p = learner.predictOne(set.x.subarray(i * d, (i + 1) * d), allowed ? { allowedClasses: allowed } : {});
    if (p.index === set.y[i]) correct++;
  }
  return set.n ? correct / set.n : Number.NaN;
}
