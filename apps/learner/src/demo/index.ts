import fs from 'node:fs';
import path from 'node:path';
import { InvalidArgumentError } from '@retain/core';
import { loadKernels, type Kernels } from '@retain/kernels';
import { writeReport } from '../report/index.js';
import { DEMO_SCALE, type DemoScale } from './demo-config.js';
import { runDemoLearning, DEMO_LEARNERS, type DemoTaskResult } from './demo-learning.js';
import { heldOutSuite, runDemoCycle } from './demo-promotion.js';
import { DemoProgress } from './demo-progress.js';
import { demoParagraph, type DemoSummary } from './demo-summary.js';

export { DEMO_SCALE, fineTuneConfig, stableConfig, type DemoScale } from './demo-config.js';
export { runDemoLearning, demoConfigs, accuracyOn, DEMO_LEARNERS } from './demo-learning.js';
export type { DemoLearnerName, DemoLearningOptions, DemoLearningResult, DemoTaskResult } from './demo-learning.js';
export { heldOutSuite, runDemoCycle, DEMO_POLICY } from './demo-promotion.js';
export { demoParagraph, type DemoSummary } from './demo-summary.js';

/** Options of {@link runDemo} (`retain demo [--store DIR] [--out FILE] [--json]`). */
export interface DemoOptions {
  /** Folder of the demo's stores (one per learner); default `./.retain-demo`. Old demo stores in it are replaced. */
  store?: string;
  /** Report file; default `<store>/report.html`. */
  out?: string;
  /** Print only the final summary, as JSON, on stdout (no progress, no per-task lines). */
  json?: boolean;
  /** Shrink or grow the run (tests use a few small tasks). */
  scale?: Partial<DemoScale>;
  /** Run the promotion cycle (default true). */
  promotion?: boolean;
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
  kernels?: Kernels;
}

/** Default folder of `retain demo`. */
export const DEFAULT_DEMO_STORE = './.retain-demo';
const OWNED = new Set<string>([...DEMO_LEARNERS, 'report.html']);

/** Remove the previous demo's stores; refuse a folder that holds anything else. */
function prepareFolder(dir: string, out: string): void {
  if (!fs.existsSync(dir)) return;
  if (!fs.statSync(dir).isDirectory()) throw new InvalidArgumentError('store', `${dir} is not a directory`);
  const foreign = fs.readdirSync(dir).filter((n) => !OWNED.has(n) && path.join(dir, n) !== out);
  if (foreign.length > 0) {
    throw new InvalidArgumentError('store', `${dir} holds ${foreign.slice(0, 3).join(', ')}: not a retain demo folder; pick a new or empty one`);
  }
  for (const name of DEMO_LEARNERS) fs.rmSync(path.join(dir, name), { recursive: true, force: true });
}

const p1 = (v: number): string => `${(100 * v).toFixed(1)}%`;
const mean = (a: readonly number[]): number => a.reduce((s, v) => s + v, 0) / a.length;

function taskLine(r: DemoTaskResult, total: number): string {
  const ft = r.accuracy['fine-tune'];
  const st = r.accuracy.stable;
  return (
    `after task ${String(r.task).padStart(2)}/${total}  first task: fine-tune ${p1(ft[0]!).padStart(6)}  stable ${p1(st[0]!).padStart(6)}` +
    `   all ${r.task} so far: fine-tune ${p1(mean(ft)).padStart(6)}  stable ${p1(mean(st)).padStart(6)}`
  );
}

/**
 * `retain demo`: permuted-MNIST tasks through a fine-tuning learner and a `stable` learner side by side,
 * accuracy on the first task and on all tasks after each one, one promotion cycle on a new permutation,
 * then the HTML report. Returns (and prints) what happened.
 */
export async function runDemo(options: DemoOptions = {}): Promise<DemoSummary> {
  const t0 = Date.now();
  const scale: DemoScale = { ...DEMO_SCALE, ...options.scale };
  const dir = path.resolve(options.store ?? DEFAULT_DEMO_STORE);
  const out = path.resolve(options.out ?? path.join(dir, 'report.html'));
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  const say = (line: string): void => {
    if (!options.json) stdout.write(`${line}\n`);
  };
  prepareFolder(dir, out);
  const kernels = options.kernels ?? loadKernels();
  say(
    `retain demo: ${scale.tasks} permuted-MNIST tasks × ${scale.trainPerTask.toLocaleString('en-US')} images through two learners ` +
      `(${kernels.backend} kernels). fine-tune = plain training; stable = replay + online EWC.`,
  );
  const progress = new DemoProgress(stderr, !options.json);
  const learning = runDemoLearning({
    scale,
    storeDir: dir,
    kernels,
    onProgress: (seen, total, acc) => progress.update(seen, total, acc),
    onTask: (r) => {
      progress.clear();
      say(taskLine(r, scale.tasks));
    },
  });
  progress.clear();
  let cycle = null;
  if (options.promotion ?? true) {
    say(`promotion: new traffic from ${learning.nextTask.name} (${learning.nextTask.train.n} images); the challenger continues the stable learner on it…`);
    const suite = heldOutSuite([
      ...learning.scenario.tasks.map((t, i) => ({ name: t.name, set: learning.benchmark[i]! })),
      { name: learning.nextTask.name, set: learning.nextTask.benchmark },
    ]);
    const traffic = { name: learning.nextTask.name, set: learning.nextTask.train };
    cycle = await runDemoCycle({ store: path.join(dir, 'stable'), champion: learning.learners.stable, traffic, suite, kernels });
  } else learning.learners.stable.store?.close();
  learning.learners['fine-tune'].store?.close();
  const report = writeReport({ store: dir, out, stdout: null });
  const summary: DemoSummary = {
    store: dir,
    report: report.path,
    ms: Date.now() - t0,
    learningMs: learning.ms,
    backend: kernels.backend,
    tasks: scale.tasks,
    trainPerTask: scale.trainPerTask,
    matrices: learning.matrices,
    promotion: cycle && {
      reportId: cycle.id,
      outcome: cycle.outcome,
      promotedVersionId: cycle.promotedVersionId,
      baselineReward: cycle.baselineMetrics?.averageReward ?? null,
      challengerReward: cycle.challengerMetrics?.averageReward ?? null,
      gates: cycle.decision?.gates.map((g) => ({ gate: g.gate, passed: g.passed })) ?? [],
      reasons: cycle.decision?.reasons ?? (cycle.error ? [cycle.error.message] : cycle.skipReason ? [cycle.skipReason] : []),
    },
    paragraph: '',
  };
  summary.paragraph = demoParagraph(summary);
  if (options.json) stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  else {
    if (summary.promotion) {
      const p = summary.promotion;
      const gates = p.gates.map((g) => `${g.gate} ${g.passed ? 'pass' : 'FAIL'}`).join(', ');
      say(`promotion ${p.reportId}: ${p.outcome}${p.promotedVersionId ? ` → ${p.promotedVersionId}` : ''}; gates: ${gates || 'none ran'}`);
    }
    say(`\nreport: ${summary.report}`);
    say(`done in ${(summary.ms / 1000).toFixed(1)} s\n`);
    say(summary.paragraph);
  }
  return summary;
}
