// The measurements of the learner benchmark. Each runs in its own process (see learner.ts), so the resident
// memory it reports is its own and one phase's garbage never lands in another's timings.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadKernels, type BackendName } from '@retain/kernels';
import { OnlineLearner, ServingModel, loadLearner, loadMnist, openLearner, LearnerStore, type LearnerConfigInput, type MnistSet } from '@retain/learner';

/** The configuration every phase learns with: the `stable` preset on MNIST's ten classes. */
export const BENCH_CONFIG: LearnerConfigInput = { preset: 'stable', seed: 1, model: { classes: 10 } };

const PIXELS = 784;

/** Latency percentiles in µs. */
export interface Latency {
  calls: number;
  p50Us: number;
  p99Us: number;
  maxUs: number;
}

/** One resident-memory sample, taken after a forced GC when `--expose-gc` is on. */
export interface MemorySample {
  examples: number;
  rssMiB: number;
  heapUsedMiB: number;
  externalMiB: number;
}

/** What a streaming phase measured on one backend. */
export interface StreamResult {
  backend: BackendName;
  examples: number;
  seconds: number;
  examplesPerSec: number;
  /** Throughput over the first `headExamples` (the length of the TS run, so both backends compare alike). */
  headExamples: number;
  headExamplesPerSec: number;
  learnOne: Latency;
  predictOne: Latency;
  servingPredict: Latency;
  /** RSS after MNIST is loaded and before the learner exists: subtract it for the learner's own share. */
  baselineRssMiB: number;
  memory: MemorySample[];
  consolidations: number;
  drifts: number;
  prequentialAccuracy: number;
  testAccuracy: number;
}

/** What the checkpoint phase measured. */
export interface CheckpointResult {
  examples: number;
  /** learnOne throughput with the store attached (a checkpoint at every consolidation). */
  examplesPerSec: number;
  autoCheckpoints: number;
  retainedCheckpoints: number;
  incrementalMs: number;
  incrementalStateBytes: number;
  incrementalRows: number;
  incrementalRowBytes: number;
  fullRewriteMs: number;
  dbBytes: number;
  walBytes: number;
  storeBytes: number;
  resumeMs: number;
  resumeExact: boolean;
}

function percentile(sorted: Float64Array | Float32Array, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

function latencyOf(us: Float32Array): Latency {
  const sorted = us.slice().sort();
  return { calls: us.length, p50Us: percentile(sorted, 0.5), p99Us: percentile(sorted, 0.99), maxUs: sorted[sorted.length - 1] ?? Number.NaN };
}

function memorySample(examples: number): MemorySample {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) {
    gc();
    gc();
  }
  const m = process.memoryUsage();
  const mib = (b: number): number => Math.round((b / 2 ** 20) * 10) / 10;
  return { examples, rssMiB: mib(m.rss), heapUsedMiB: mib(m.heapUsed), externalMiB: mib(m.external) };
}

function image(set: MnistSet, k: number): Float32Array {
  return set.x.subarray(k * PIXELS, (k + 1) * PIXELS);
}

/** Time `fn` once per test image, cycling; warm-up calls first. */
function timePredictions(test: MnistSet, calls: number, fn: (x: Float32Array) => unknown): Latency {
  for (let i = 0; i < 200; i++) fn(image(test, i % test.n));
  const us = new Float32Array(calls);
  for (let i = 0; i < calls; i++) {
    const x = image(test, i % test.n);
    const t0 = performance.now();
    fn(x);
    us[i] = (performance.now() - t0) * 1000;
  }
  return latencyOf(us);
}

/**
 * Stream `examples` MNIST training images (cycling through the 60k with fresh ids) through learnOne, timing
 * each call and sampling memory every `sampleEvery`; then time predictOne and the serving model on test images.
 */
export function streamPhase(backend: BackendName, examples: number, headExamples: number, sampleEvery: number, predictCalls: number): StreamResult {
  const train = loadMnist('train');
  const test = loadMnist('test');
  const learnUs = new Float32Array(examples);
  const baseline = memorySample(0);
  const learner = OnlineLearner.create(BENCH_CONFIG, { kernels: loadKernels({ backend }) });
  const memory: MemorySample[] = [];
  let headMs = 0;
  let paused = 0;
  const t0 = performance.now();
  for (let i = 0; i < examples; i++) {
    const k = i % train.n;
    const s = performance.now();
    learner.learnOne({ id: `x${i}`, input: image(train, k), target: train.y[k]! });
    learnUs[i] = (performance.now() - s) * 1000;
    if (i + 1 === headExamples) headMs = performance.now() - t0 - paused;
    if ((i + 1) % sampleEvery === 0) {
      // Time spent sampling memory (forced GCs) is left out of the throughput.
      const pause = performance.now();
      memory.push(memorySample(i + 1));
      process.stderr.write(`  ${backend}: ${i + 1} examples, RSS ${memory.at(-1)!.rssMiB} MiB\n`);
      paused += performance.now() - pause;
    }
  }
  const ms = performance.now() - t0 - paused;
  learner.flush();
  const st = learner.stats();
  let correct = 0;
  for (let i = 0; i < test.n; i++) if (learner.predictOne(image(test, i)).index === test.y[i]) correct++;
  const serving = ServingModel.fromLearner(learner);
  return {
    backend: learner.kernels.backend,
    examples,
    seconds: ms / 1000,
    examplesPerSec: examples / (ms / 1000),
    headExamples,
    headExamplesPerSec: headMs > 0 ? headExamples / (headMs / 1000) : Number.NaN,
    learnOne: latencyOf(learnUs),
    predictOne: timePredictions(test, predictCalls, (x) => learner.predictOne(x)),
    servingPredict: timePredictions(test, predictCalls, (x) => serving.predict(x)),
    baselineRssMiB: baseline.rssMiB,
    memory,
    consolidations: st.consolidations,
    drifts: st.drifts,
    prequentialAccuracy: st.accuracy,
    testAccuracy: correct / test.n,
  };
}

function fileSize(file: string): number {
  return fs.existsSync(file) ? fs.statSync(file).size : 0;
}

function sameParams(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

/**
 * Learn `examples` images with a store attached (native), then time an explicit incremental checkpoint, a
 * full rewrite of every row, and a resume; the store's size is retain.db plus its WAL.
 */
export function checkpointPhase(examples: number): CheckpointResult {
  const train = loadMnist('train');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'retain-bench-learner-'));
  try {
    const learner = openLearner(dir, BENCH_CONFIG, { kernels: loadKernels({ backend: 'native' }) });
    let autoCheckpoints = 0;
    learner.on('checkpoint', () => autoCheckpoints++);
    const t0 = performance.now();
    for (let i = 0; i < examples; i++) {
      const k = i % train.n;
      learner.learnOne({ id: `x${i}`, input: image(train, k), target: train.y[k]! });
    }
    const learnMs = performance.now() - t0;
    const store = learner.store!;
    let t = performance.now();
    const id = learner.saveState();
    const incrementalMs = performance.now() - t;
    const written = store.db
      .prepare('SELECT COUNT(*) AS n, COALESCE(SUM(length(data)), 0) AS bytes FROM learner_rows WHERE added_in = ?')
      .get(id) as { n: number; bytes: number };
    const stateBytes = (store.db.prepare('SELECT length(state) AS b FROM learner_checkpoints WHERE id = ?').get(id) as { b: number }).b;
    learner.rewriteRows = true;
    t = performance.now();
    learner.saveState();
    const fullRewriteMs = performance.now() - t;
    const retained = store.listCheckpoints().length;
    const dbBytes = fileSize(path.join(dir, 'retain.db'));
    const walBytes = fileSize(path.join(dir, 'retain.db-wal'));
    const params = learner.model().params;
    const seen = learner.stats().examplesSeen;
    store.close();
    t = performance.now();
    const reopened = LearnerStore.open(dir);
    const resumed = loadLearner(reopened, undefined, { kernels: loadKernels({ backend: 'native' }) })!;
    const resumeMs = performance.now() - t;
    const resumeExact = resumed.stats().examplesSeen === seen && sameParams(resumed.model().params, params);
    reopened.close();
    return {
      examples,
      examplesPerSec: examples / (learnMs / 1000),
      autoCheckpoints,
      retainedCheckpoints: retained,
      incrementalMs,
      incrementalStateBytes: stateBytes,
      incrementalRows: written.n,
      incrementalRowBytes: written.bytes,
      fullRewriteMs,
      dbBytes,
      walBytes,
      storeBytes: dbBytes + walBytes,
      resumeMs,
      resumeExact,
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
