// One cell of the benchmark matrix: a method on a scenario with one seed, start to finish.
import os from 'node:os';
import { InvalidArgumentError, Rng } from '@retain/core';
import { OnlineLearner, type MnistSet, type Scenario } from '@retain/learner';
import type { Kernels } from '@retain/kernels';
import { clMetrics } from './metrics.js';
import { methodConfig, parseOverrides, variantName } from './methods.js';
import { protocolFor, withProtocolOverrides, type Protocol } from './protocols.js';
import type { RunRecord } from './run-record.js';
import { gitCommit, machineBusySec, machineInfo, peakRssMiB } from './run-environment.js';
import { scenarioTasks } from './task-data.js';
import { taskAccuracy } from './task-evaluator.js';

/** What to run. */
export interface CellOptions {
  scenario: string;
  method: string;
  seed: number;
  quick?: boolean;
  /** `key.path=value` overrides of the learner config (`protocol.*`: of the protocol); the run is filed as a variant. */
  sets?: readonly string[];
  kernels?: Kernels;
  /** Threads for the native kernels' large products and optimizer passes (results do not change). Default 1. */
  threads?: number;
  /** Progress lines (one per task). */
  log?: (line: string) => void;
}

/** Runs a cell and returns its record (the caller decides whether to write it). */
export function runCell(options: CellOptions): RunRecord {
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const busy0 = machineBusySec();
  const load0 = os.loadavg();
  const sets = options.sets ?? [];
  const { protocol: protocolSets, ...configSets } = parseOverrides(sets);
  const p = withProtocolOverrides(protocolFor(options.scenario, options.quick ?? false), (protocolSets ?? {}) as Record<string, unknown>);
  // Every method but joint reads one task's training set at a time (permuted MNIST then keeps one permuted copy).
  const scenario = scenarioTasks(p, options.seed, { sequential: options.method !== 'joint' });
  const config = methodConfig(options.method, p, options.seed, scenario.classes, configSets, scenario.tasks[0]!.train.d);
  if (config.model.standardize) throw new InvalidArgumentError('model.standardize', 'the benchmark feeds normalized MNIST; leave it false');
  const learner = OnlineLearner.create(config, options.kernels ? { kernels: options.kernels } : {});
  const threads = learner.kernels.setThreads(options.threads ?? 1);
  const run = new CellRun(p, scenario, learner, options.seed, options.log ?? (() => {}));
  const tTrain = performance.now();
  if (options.method === 'joint') run.joint();
  else if (p.online) run.online();
  else run.offline();
  const tEnd = performance.now();
  const last = run.matrix[run.matrix.length - 1]!;
  const testSizes = scenario.tasks.map((t) => t.test.n);
  const accAll = last.reduce((s, a, j) => s + a * testSizes[j]!, 0) / testSizes.reduce((a, b) => a + b, 0);
  const cpu = process.cpuUsage(cpu0);
  const cpuSec = (cpu.user + cpu.system) / 1e6;
  const wallSec = (tEnd - t0) / 1000;
  const round = (v: number): number => Math.round(v * 100) / 100;
  return {
    version: 1,
    scenario: p.scenario,
    method: variantName(options.method, sets),
    seed: options.seed,
    quick: options.quick ?? false,
    protocol: { ...p },
    config: { ...config },
    overrides: [...sets],
    taskNames: scenario.tasks.map((t) => t.name),
    baseline: run.baseline,
    matrix: run.matrix,
    metrics: { ...clMetrics(run.matrix, run.baseline), accAll },
    curve: run.curve,
    prequential: learner.history().map((h) => ({ at: h.at, accuracy: h.accuracy })),
    steps: learner.stats().steps,
    examples: learner.stats().examplesSeen,
    timeSec: { total: wallSec, train: (tEnd - tTrain - run.evalMs) / 1000, evaluate: run.evalMs / 1000, cpu: cpuSec },
    peakRssMiB: peakRssMiB(),
    machine: {
      ...machineInfo(learner.kernels.backend, threads),
      loadAverage: load0.map(round),
      loadAverageEnd: os.loadavg().map(round),
      // Cores other processes kept busy on average during the run: how much of the machine this run did not have.
      otherCores: round(Math.max(0, (machineBusySec() - busy0 - cpuSec) / wallSec)),
    },
    date: new Date().toISOString(),
    commit: gitCommit(),
  };
}

/** The training loop of one cell; every method goes through `learnOne` and `consolidate` of the same learner. */
class CellRun {
  readonly matrix: number[][] = [];
  readonly curve: RunRecord['curve'] = [];
  baseline: number[] = [];
  evalMs = 0;
  private readonly rng: Rng;

  constructor(
    private readonly p: Protocol,
    private readonly scenario: Scenario,
    private readonly learner: OnlineLearner,
    seed: number,
    private readonly log: (line: string) => void,
  ) {
    this.rng = new Rng((seed ^ 0x5eed) >>> 0);
  }

  /** Offline: `itersPerTask` steps of `batchSize` new examples per task (reshuffled each epoch), consolidate at the end. */
  offline(): void {
    const { batchSize, itersPerTask, curvePointsPerTask } = this.p;
    const every = Math.max(1, Math.floor(itersPerTask / curvePointsPerTask));
    this.scenario.tasks.forEach((task, t) => {
      const order = this.shuffled(task.train.n);
      let pos = 0;
      for (let it = 0; it < itersPerTask; it++) {
        for (let b = 0; b < batchSize; b++) {
          if (pos === order.length) {
            this.rng.shuffle(order);
            pos = 0;
          }
          this.feed(t, task.train, order[pos++]!);
        }
        if ((it + 1) % every === 0 && it + 1 < itersPerTask) this.point(t + (it + 1) / itersPerTask);
      }
      this.learner.consolidate('task boundary');
      this.endStage(t);
    });
  }

  /** Online: one pass over each task's shuffled stream, no boundary given to the learner (evaluation only). */
  online(): void {
    this.scenario.tasks.forEach((task, t) => {
      const order = this.shuffled(task.train.n);
      const every = Math.max(1, Math.floor(order.length / this.p.curvePointsPerTask));
      for (let i = 0; i < order.length; i++) {
        this.feed(t, task.train, order[i]!);
        if ((i + 1) % every === 0 && i + 1 < order.length) this.point(t + (i + 1) / order.length);
      }
      // Examples still waiting for a full mini-batch are trained only when the stream ends.
      if (t === this.scenario.tasks.length - 1) this.learner.flush();
      this.endStage(t);
    });
  }

  /** Joint (upper bound): the union of every task, shuffled; offline gets `itersPerTask × tasks` steps, online one pass. */
  joint(): void {
    const tasks = this.scenario.tasks;
    const refs: number[] = [];
    tasks.forEach((task, t) => {
      for (let i = 0; i < task.train.n; i++) refs.push(t * 2 ** 20 + i);
    });
    const order = Uint32Array.from(refs);
    this.rng.shuffle(order);
    const total = this.p.online ? order.length : this.p.itersPerTask * tasks.length * this.p.batchSize;
    const every = Math.max(1, Math.floor(total / (this.p.curvePointsPerTask * tasks.length)));
    let pos = 0;
    for (let k = 0; k < total; k++) {
      if (pos === order.length) {
        this.rng.shuffle(order);
        pos = 0;
      }
      const ref = order[pos++]!;
      const t = Math.floor(ref / 2 ** 20);
      this.feed(t, tasks[t]!.train, ref % 2 ** 20);
      if ((k + 1) % every === 0 && k + 1 < total) this.point(((k + 1) / total) * tasks.length);
    }
    this.learner.flush();
    this.endStage(tasks.length - 1);
  }

  private feed(t: number, set: MnistSet, i: number): void {
    const task = this.scenario.tasks[t]!;
    this.learner.learnOne({
      id: `t${t}-${i}`,
      input: set.x.subarray(i * set.d, (i + 1) * set.d),
      target: set.y[i]!,
      // Task boundaries are given offline, so the task is the example's domain (task-balanced replay); online, nothing is.
      ...(this.p.online ? {} : { domain: `task-${t}` }),
      ...(task.allowedClasses ? { allowedClasses: task.allowedClasses } : {}),
    });
    // The model exists after the first example and no step has run yet: FWT's untrained baseline.
    if (this.baseline.length === 0 && this.learner.stats().steps === 0) this.baseline = this.evaluateAll();
  }

  private evaluateAll(limit?: number): number[] {
    const t0 = performance.now();
    const model = this.learner.model();
    const out = this.scenario.tasks.map((task) => taskAccuracy(this.learner, task.test, task.allowedClasses, limit, model));
    this.evalMs += performance.now() - t0;
    return out;
  }

  private point(stage: number): void {
    this.curve.push({ stage, examples: this.learner.stats().examplesSeen, acc: this.evaluateAll(this.p.curveTestSize) });
  }

  private endStage(t: number): void {
    const row = this.evaluateAll();
    this.matrix.push(row);
    // The curve's point at a stage's end is the matrix row (the whole test sets), not a second, smaller sweep.
    this.curve.push({ stage: t + 1, examples: this.learner.stats().examplesSeen, acc: row });
    const shown = row.map((a) => (100 * a).toFixed(1)).join(' ');
    this.log(`stage ${t + 1}/${this.scenario.tasks.length}: [${shown}] steps ${this.learner.stats().steps} rss ${peakRssMiB().toFixed(0)} MiB`);
  }

  private shuffled(n: number): Uint32Array {
    const order = new Uint32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    this.rng.shuffle(order);
    return order;
  }
}
