// Learner benchmark: learnOne throughput (native and ts) with the `stable` preset on MNIST, predictOne latency
// p50/p99, resident memory after 100k and 1M examples (flat once the replay buffer is full), checkpoint time
// and size at 100k examples. Each measurement runs in its own process.
// Usage: pnpm bench:learner [--json] [--quick]
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadKernels } from '@retain/kernels';
import { parseLearnerConfig } from '@retain/learner';
import { machineInfo } from './kernels-machine.js';
import { BENCH_CONFIG, checkpointPhase, streamPhase, type CheckpointResult, type StreamResult } from './learner-phases.js';
import { flatness, learnerTable, type LearnerBenchResult } from './learner-table.js';

const HELP = `pnpm bench:learner [--json] [--quick] [--malloc-control]
  full:  native 1,000,000 examples (RSS every 100k), ts 20,000, checkpoint at 100,000, 10,000 predictions each
  quick: native 100,000 (RSS every 10k), ts 3,000, checkpoint at 20,000, 2,000 predictions each
  --malloc-control: the native run again with MALLOC_MMAP_THRESHOLD_=131072 (glibc's dynamic mmap threshold
  off), to tell the learner's own memory from allocator fragmentation`;

/** Fixes glibc's mmap threshold at its default, which turns off the dynamic raise that fragments the heap. */
const MALLOC_CONTROL_ENV = { MALLOC_MMAP_THRESHOLD_: '131072' };

/** Sizes of one run. */
interface Plan {
  nativeExamples: number;
  nativeSampleEvery: number;
  flatFrom: number;
  tsExamples: number;
  tsSampleEvery: number;
  checkpointExamples: number;
  predictCalls: number;
}

const FULL: Plan = {
  nativeExamples: 1_000_000,
  nativeSampleEvery: 100_000,
  flatFrom: 100_000,
  tsExamples: 20_000,
  tsSampleEvery: 10_000,
  checkpointExamples: 100_000,
  predictCalls: 10_000,
};
const QUICK: Plan = {
  nativeExamples: 100_000,
  nativeSampleEvery: 10_000,
  flatFrom: 20_000,
  tsExamples: 3_000,
  tsSampleEvery: 1_000,
  checkpointExamples: 20_000,
  predictCalls: 2_000,
};

type Phase =
  | { kind: 'stream'; backend: 'native' | 'ts'; examples: number; head: number; sampleEvery: number; predictCalls: number }
  | { kind: 'checkpoint'; examples: number };

/** Run one phase in a child process with `--expose-gc`; its result comes back as JSON on stdout. */
function inChild<T>(phase: Phase, env: Record<string, string> = {}): T {
  const script = fileURLToPath(import.meta.url);
  const args = [...process.execArgv, '--expose-gc', script, '--phase', JSON.stringify(phase)];
  const r = spawnSync(process.execPath, args, {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 2 ** 20,
    env: { ...process.env, ...env },
  });
  if (r.status !== 0) throw new Error(`phase ${JSON.stringify(phase)} failed with status ${String(r.status)}`);
  return JSON.parse(r.stdout) as T;
}

function runPhase(phase: Phase): unknown {
  if (phase.kind === 'checkpoint') return checkpointPhase(phase.examples);
  return streamPhase(phase.backend, phase.examples, phase.head, phase.sampleEvery, phase.predictCalls);
}

function main(): void {
  const { values } = parseArgs({
    options: {
      json: { type: 'boolean', default: false },
      quick: { type: 'boolean', default: false },
      'malloc-control': { type: 'boolean', default: false },
      phase: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return void console.log(HELP);
  if (values.phase !== undefined) return void process.stdout.write(JSON.stringify(runPhase(JSON.parse(values.phase) as Phase)));
  const plan = values.quick ? QUICK : FULL;
  const t0 = performance.now();
  const machine = { ...machineInfo(), kernels: `${loadKernels().backend} ${loadKernels().info.cpuFeatures.join(',')}`.trim() };
  const log = (s: string): void => void process.stderr.write(`${s}\n`);
  log(`native: ${plan.nativeExamples} examples`);
  const native = inChild<StreamResult>({
    kind: 'stream',
    backend: 'native',
    examples: plan.nativeExamples,
    head: plan.tsExamples,
    sampleEvery: plan.nativeSampleEvery,
    predictCalls: plan.predictCalls,
  });
  let mallocControl: LearnerBenchResult['mallocControl'] = null;
  if (values['malloc-control']) {
    log(`native with ${Object.entries(MALLOC_CONTROL_ENV).map(([k, v]) => `${k}=${v}`).join(' ')}: ${plan.nativeExamples} examples`);
    const run = inChild<StreamResult>(
      { kind: 'stream', backend: 'native', examples: plan.nativeExamples, head: plan.tsExamples, sampleEvery: plan.nativeSampleEvery, predictCalls: plan.predictCalls },
      MALLOC_CONTROL_ENV,
    );
    mallocControl = { env: MALLOC_CONTROL_ENV, native: run, flatness: flatness(run, plan.flatFrom) };
  }
  log(`ts: ${plan.tsExamples} examples`);
  const ts = inChild<StreamResult>({
    kind: 'stream',
    backend: 'ts',
    examples: plan.tsExamples,
    head: plan.tsExamples,
    sampleEvery: plan.tsSampleEvery,
    predictCalls: plan.predictCalls,
  });
  log(`checkpoint: ${plan.checkpointExamples} examples`);
  const checkpoint = inChild<CheckpointResult>({ kind: 'checkpoint', examples: plan.checkpointExamples });
  const result: LearnerBenchResult = {
    benchmark: 'learner',
    quick: values.quick,
    command: `pnpm bench:learner${values.quick ? ' --quick' : ''}${values['malloc-control'] ? ' --malloc-control' : ''}${values.json ? ' --json' : ''}`,
    machine,
    config: parseLearnerConfig(BENCH_CONFIG),
    native,
    ts,
    flatness: flatness(native, plan.flatFrom),
    checkpoint,
    mallocControl,
    totalSeconds: (performance.now() - t0) / 1000,
  };
  console.log(values.json ? JSON.stringify(result, null, 2) : learnerTable(result));
}

main();
