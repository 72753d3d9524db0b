// Cost of consolidation inside a training step at ~1M parameters, per available backend: the EWC penalty +
// gradient (fused kernel) and the Fisher refresh, as fractions of the plain step measured in the same run.
// Usage: pnpm bench:consolidation [--json] [--fisher-examples N] [--rounds R]
import { Rng } from '@retain/core';
import { type Kernels, loadKernels } from '@retain/kernels';
import { Distillation, EWC, SynapticIntelligence, TrainStep, type Batch } from '@retain/consolidation';
import { machineInfo } from './kernels-machine.js';
import { measureInterleaved, median, type TimedCase } from './kernels-timing.js';

const args = process.argv.slice(2);
const json = args.includes('--json');
const flag = (name: string, fallback: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const fisherExamples = flag('--fisher-examples', 512);
const rounds = flag('--rounds', 9);

const model = { sizes: [784, 1024, 200, 10], activation: 'relu' as const };
const batchSize = 128;
const separateTasks = 5;

interface CaseResult {
  name: string;
  medianMs: number;
  /** Fastest round: the least disturbed by neighbours on a shared machine. */
  minMs: number;
  spread: number;
  /** (case − plain step) / plain step for step cases, case / plain step otherwise; from medians. */
  fractionOfStep: number;
  /** The same from the fastest rounds. */
  fractionOfStepMin: number;
}

interface BackendResult {
  backend: string;
  kernelsVersion: string;
  cpuFeatures: string[];
  params: number;
  batch: number;
  cases: CaseResult[];
  fisher: { kind: string; examples: number; ms: number; msPerExample: number; stepsPerBatchOfExamples: number }[];
  /** One full-stack step timed phase by phase in the same iteration, so load bursts hit every phase alike. */
  phases: { name: string; medianMs: number; shareOfStep: number }[];
}

/**
 * The operations TrainStep performs with EWC (online, 1 task) + SI + distillation, each timed: teacher
 * forward, lossGrad, EWC penalty+grad, SI penalty+grad, Adam (with SI's copy of θ and g), SI's ω update.
 * Median per phase over `iterations`.
 */
function phaseBreakdown(kernels: Kernels, batch: Batch, ewc: EWC, si: SynapticIntelligence, distill: Distillation, params: Float32Array, iterations: number) {
  const grad = new Float32Array(params.length);
  const m = new Float32Array(params.length);
  const v = new Float32Array(params.length);
  const names = ['teacher forward', 'lossGrad (+ fused KL)', 'EWC penalty+grad', 'SI penalty+grad', 'adam update', 'SI path integral (ω)'];
  const times: number[][] = names.map(() => []);
  for (let it = 0; it < iterations + 1; it++) {
    const t: number[] = [performance.now()];
    const teacher = distill.teacher(batch)!;
    t.push(performance.now());
    kernels.lossGrad({ ...model, params, x: batch.x, batch: batch.batch, targets: batch.targets, grad, distill: teacher });
    t.push(performance.now());
    ewc.penaltyGrad(params, grad);
    t.push(performance.now());
    si.penaltyGrad(params, grad);
    t.push(performance.now());
    si.beforeUpdate(params, grad);
    kernels.adamStep({ params, grad, m, v, step: it + 1, lr: 1e-4 });
    t.push(performance.now());
    si.afterUpdate(params);
    t.push(performance.now());
    if (it === 0) continue; // warm-up
    for (let k = 0; k < names.length; k++) times[k]!.push(t[k + 1]! - t[k]!);
  }
  const med = times.map(median);
  const total = med.reduce((a, b) => a + b, 0);
  return names.map((name, k) => ({ name, medianMs: med[k]!, shareOfStep: med[k]! / total }));
}

function batchOf(rng: Rng, n: number): Batch {
  const x = new Float32Array(n * 784);
  for (let i = 0; i < x.length; i++) x[i] = rng.normal();
  const targets = new Int32Array(n);
  for (let i = 0; i < n; i++) targets[i] = rng.int(10);
  return { x, targets, batch: n };
}

function benchBackend(kernels: Kernels): BackendResult {
  const rng = new Rng(1);
  const batch = batchOf(rng, batchSize);
  const fisherData = batchOf(rng, fisherExamples);
  const optimizer = { kind: 'adam', lr: 1e-4 } as const;
  const make = (regularizers: TrainStep['regularizers']) => new TrainStep({ kernels, model, seed: 1, optimizer, regularizers });

  const plain = make([]);
  const online = new EWC(kernels, { model, lambda: 100, mode: 'online' });
  online.consolidate(plain.params, { ...fisherData, batch: 128, x: fisherData.x.subarray(0, 128 * 784), targets: fisherData.targets.subarray(0, 128) });
  const withOnline = make([online]);
  const separate = new EWC(kernels, { model, lambda: 100, mode: 'separate' });
  const fisher = online.task(0).fisher;
  for (let t = 0; t < separateTasks; t++) separate.addTask(plain.params, fisher);
  const withSeparate = make([separate]);
  const ewc = new EWC(kernels, { model, lambda: 100 });
  ewc.addTask(plain.params, fisher);
  const si = new SynapticIntelligence(kernels, { model, c: 1 });
  const distill = new Distillation(kernels, { model });
  const full = make([ewc, si, distill]);
  full.step(batch);
  si.closeTask(full.params);
  distill.takeTeacher(full.params);
  const grad = new Float32Array(plain.params.length);

  const cases: TimedCase[] = [
    { name: 'step (adam, no regularizer)', run: () => void plain.step(batch) },
    { name: 'step + online EWC', run: () => void withOnline.step(batch) },
    { name: `step + separate EWC (${separateTasks} tasks)`, run: () => void withSeparate.step(batch) },
    { name: 'step + EWC + SI + distillation', run: () => void full.step(batch) },
    { name: 'EWC penalty+grad alone (1 task)', run: () => void online.penaltyGrad(withOnline.params, grad) },
  ];
  const timings = measureInterleaved(cases, { rounds, roundMs: kernels.backend === 'ts' ? 1 : 300, warmupMs: 200, warmupRuns: 2 });
  const step = timings.get(cases[0]!.name)!;
  const stepMs = step.medianMs;
  const share = (i: number, ms: number, base: number) => (i === 0 ? 0 : cases[i]!.name.startsWith('step') ? (ms - base) / base : ms / base);
  const results: CaseResult[] = cases.map((c, i) => {
    const t = timings.get(c.name)!;
    return {
      name: c.name,
      medianMs: t.medianMs,
      minMs: t.minMs,
      spread: t.spread,
      fractionOfStep: share(i, t.medianMs, stepMs),
      fractionOfStepMin: share(i, t.minMs, step.minMs),
    };
  });

  const fisherRows: BackendResult['fisher'] = [];
  for (const kind of ['empirical', 'predicted', 'expected'] as const) {
    const estimator = new EWC(kernels, { model, lambda: 1, fisher: kind });
    const out = new Float32Array(plain.params.length);
    estimator.computeFisher(plain.params, fisherData, out);
    const runs: number[] = [];
    for (let r = 0; r < 3; r++) {
      const t0 = performance.now();
      estimator.computeFisher(plain.params, fisherData, out);
      runs.push(performance.now() - t0);
    }
    const ms = median(runs);
    fisherRows.push({ kind, examples: fisherExamples, ms, msPerExample: ms / fisherExamples, stepsPerBatchOfExamples: (ms / fisherExamples) * batchSize / stepMs });
  }
  const phases = phaseBreakdown(kernels, batch, ewc, si, distill, full.params.slice(), kernels.backend === 'ts' ? 8 : 40);
  return {
    phases,
    backend: kernels.backend,
    kernelsVersion: kernels.info.version,
    cpuFeatures: kernels.info.cpuFeatures,
    params: plain.params.length,
    batch: batchSize,
    cases: results,
    fisher: fisherRows,
  };
}

const available: Kernels[] = [];
for (const backend of ['native', 'ts'] as const) {
  try {
    available.push(loadKernels({ backend }));
  } catch (err) {
    if (!json) console.log(`${backend}: unavailable (${(err as Error).message})`);
  }
}
const machine = machineInfo();
const results = available.map(benchBackend);

if (json) {
  console.log(JSON.stringify({ benchmark: 'consolidation', machine, model, batch: batchSize, fisherExamples, rounds, results }, null, 2));
} else {
  console.log(`consolidation cost at ${results[0]?.params.toLocaleString('en')} parameters (MLP ${model.sizes.join('-')} ${model.activation}, batch ${batchSize})`);
  console.log(`machine: ${machine.cpuModel}, ${machine.cores} cores, Node ${machine.node}, ${machine.os} ${machine.arch}, load ${machine.loadAverage.join('/')}`);
  for (const r of results) {
    console.log(`\n[${r.backend}] kernels ${r.kernelsVersion}${r.cpuFeatures.length ? ` (${r.cpuFeatures.join(', ')})` : ''}`);
    console.log(`${'case'.padEnd(40)} ${'median ms'.padStart(10)} ${'min ms'.padStart(10)} ${'spread'.padStart(7)} ${'vs step'.padStart(9)} ${'(min)'.padStart(8)}`);
    const pct = (f: number, first: boolean) => (first ? '—' : `${f >= 0 ? '+' : ''}${(f * 100).toFixed(1)}%`);
    r.cases.forEach((c, i) => {
      console.log(
        `${c.name.padEnd(40)} ${c.medianMs.toFixed(3).padStart(10)} ${c.minMs.toFixed(3).padStart(10)} ${(c.spread * 100).toFixed(0).padStart(6)}% ${pct(c.fractionOfStep, i === 0).padStart(9)} ${pct(c.fractionOfStepMin, i === 0).padStart(8)}`,
      );
    });
    console.log(`${'full-stack step, phase by phase'.padEnd(40)} ${'median ms'.padStart(10)} ${'share'.padStart(10)}`);
    for (const ph of r.phases) console.log(`${ph.name.padEnd(40)} ${ph.medianMs.toFixed(3).padStart(10)} ${`${(ph.shareOfStep * 100).toFixed(1)}%`.padStart(10)}`);
    console.log(`${'Fisher refresh'.padEnd(40)} ${'ms'.padStart(10)} ${'ms/ex'.padStart(7)} ${'steps per 128 ex'.padStart(17)}`);
    for (const f of r.fisher) {
      console.log(`${`${f.kind}, ${f.examples} examples`.padEnd(40)} ${f.ms.toFixed(1).padStart(10)} ${f.msPerExample.toFixed(3).padStart(7)} ${f.stepsPerBatchOfExamples.toFixed(2).padStart(17)}`);
    }
  }
  console.log('\n"vs step": extra time over the plain step in the same run, from medians and from fastest rounds');
  console.log('(penalty alone: its time as a share of the step). Cases are interleaved round by round.');
  console.log('"steps per 128 ex": Fisher time over a batch-sized set of examples, in plain steps.');
}
