// Replay and memory benchmark: inserts/s, sample(128) and updatePriorities(128) latency at capacity 1M for
// every strategy, the sum-tree sampler against O(n) samplers at 1M, and recall latency over 100k episodes.
// Usage: pnpm bench:replay [--json] [--quick]
import os from 'node:os';
import { Rng } from '@retain/core';
import { EpisodicMemory } from '@retain/memory';
import { ReplayBuffer, SumTree } from '@retain/replay';
import type { ReplayStrategyInput } from '@retain/replay';
import { bruteForceRecall, naiveLinearSample, prefixSumSample } from './replay-peers.js';

const args = new Set(process.argv.slice(2));
const JSON_OUT = args.has('--json');
const QUICK = args.has('--quick');
const CAPACITY = QUICK ? 100_000 : 1_000_000;
const EXTRA_INSERTS = QUICK ? 50_000 : 500_000;
const BATCH = 128;
const CALLS = QUICK ? 200 : 2000;
const ROUNDS = 5;
const EPISODES = QUICK ? 20_000 : 100_000;
const DIM = 128;

const STRATEGIES: { name: string; strategy: ReplayStrategyInput }[] = [
  { name: 'uniform', strategy: { kind: 'uniform' } },
  { name: 'prioritizedLoss', strategy: { kind: 'prioritizedLoss' } },
  { name: 'prioritizedRecency', strategy: { kind: 'prioritizedRecency', halfLife: CAPACITY / 4 } },
  { name: 'mixed', strategy: { kind: 'mixed' } },
  { name: 'domainBalanced', strategy: { kind: 'domainBalanced' } },
  { name: 'reservoir', strategy: { kind: 'reservoir' } },
  { name: 'reservoir (loss)', strategy: { kind: 'reservoir', weighting: 'loss' } },
];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Median over rounds of the mean time per call, in µs. */
function timeCalls(calls: number, fn: (i: number) => void): number {
  const per: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = performance.now();
    for (let i = 0; i < calls; i++) fn(i);
    per.push(((performance.now() - t0) * 1000) / calls);
  }
  return median(per);
}

interface StrategyRow {
  strategy: string;
  fillInsertsPerSec: number;
  fullInsertsPerSec: number;
  sampleUs: number;
  updateUs: number;
}

const ids = Array.from({ length: CAPACITY + EXTRA_INSERTS }, (_, i) => `ex${i}`);
const DOMAINS = ['d0', 'd1', 'd2', 'd3', 'd4', 'd5', 'd6', 'd7'];

function benchStrategy(name: string, strategy: ReplayStrategyInput): StrategyRow {
  const rng = new Rng(1);
  const losses = Float64Array.from({ length: 4096 }, () => rng.float() * 3);
  const buf = new ReplayBuffer<number>({ capacity: CAPACITY, strategy, seed: 7 });
  let t0 = performance.now();
  for (let i = 0; i < CAPACITY; i++) buf.add(i, { id: ids[i]!, loss: losses[i & 4095]!, domain: DOMAINS[i & 7]!, time: i });
  const fillMs = performance.now() - t0;
  t0 = performance.now();
  for (let i = CAPACITY; i < CAPACITY + EXTRA_INSERTS; i++) {
    buf.add(i, { id: ids[i]!, loss: losses[i & 4095]!, domain: DOMAINS[i & 7]!, time: i });
  }
  const fullMs = performance.now() - t0;
  for (let i = 0; i < 50; i++) buf.sample(BATCH);
  const sampleUs = timeCalls(CALLS, () => buf.sample(BATCH));
  // Handles drawn beforehand so only the update is timed.
  const batches = Array.from({ length: CALLS }, () => buf.sample(BATCH).handles);
  const fresh = Array.from({ length: CALLS }, (_, c) => Float64Array.from({ length: BATCH }, (_, j) => losses[(c * 131 + j) & 4095]!));
  const updateUs = timeCalls(CALLS, (i) => buf.updatePriorities(batches[i]!, fresh[i]!));
  return {
    strategy: name,
    fillInsertsPerSec: CAPACITY / (fillMs / 1000),
    fullInsertsPerSec: EXTRA_INSERTS / (fullMs / 1000),
    sampleUs,
    updateUs,
  };
}

function benchSamplers() {
  const rng = new Rng(3);
  const weights = Float64Array.from({ length: CAPACITY }, () => Math.pow(rng.float() * 3 + 1e-6, 0.6));
  const tree = new SumTree(CAPACITY);
  weights.forEach((w, i) => tree.setLeafOnly(i, w));
  tree.rebuild();
  const draws = Array.from({ length: 64 }, () => Array.from({ length: BATCH }, () => rng.float()));
  const out = new Int32Array(BATCH);
  const treeOut = new Int32Array(BATCH);
  const prefix = new Float64Array(CAPACITY);
  const sumTreeUs = timeCalls(200, (c) => {
    const u = draws[c & 63]!;
    const total = tree.total();
    for (let d = 0; d < BATCH; d++) treeOut[d] = tree.find(u[d]! * total);
  });
  const naiveUs = timeCalls(QUICK ? 2 : 3, (c) => naiveLinearSample(weights, draws[c & 63]!, out));
  // The samplers must agree on what they draw (up to rounding at bucket edges).
  let agree = 0;
  for (let d = 0; d < BATCH; d++) {
    treeOut[d] = tree.find(draws[0]![d]! * tree.total());
  }
  naiveLinearSample(weights, draws[0]!, out);
  for (let d = 0; d < BATCH; d++) if (Math.abs(out[d]! - treeOut[d]!) <= 1) agree++;
  const prefixUs = timeCalls(20, (c) => prefixSumSample(weights, prefix, draws[c & 63]!, out));
  return {
    capacity: CAPACITY,
    batch: BATCH,
    sumTreeUs,
    naiveLinearUs: naiveUs,
    prefixSumUs: prefixUs,
    speedupOverNaive: naiveUs / sumTreeUs,
    speedupOverPrefixSum: prefixUs / sumTreeUs,
    drawsAgreeing: `${agree}/${BATCH}`,
  };
}

function benchRecall() {
  const rng = new Rng(5);
  const mem = new EpisodicMemory<number>({ dim: DIM });
  const packed = new Float32Array(EPISODES * DIM);
  for (let i = 0; i < EPISODES * DIM; i++) packed[i] = rng.normal();
  const t0 = performance.now();
  for (let e = 0; e < EPISODES; e++) mem.insert({ id: `ep${e}`, key: packed.subarray(e * DIM, (e + 1) * DIM), payload: e, time: e });
  const insertMs = performance.now() - t0;
  const queries = Array.from({ length: 32 }, () => Float32Array.from({ length: DIM }, () => rng.normal()));
  let mismatches = 0;
  for (const q of queries.slice(0, 3)) {
    const a = mem.recall(q, 10).map((h) => h.episode.payload);
    const b = bruteForceRecall(packed, DIM, EPISODES, q, 10);
    if (a.join() !== b.join()) mismatches++;
  }
  const recallUs = timeCalls(8, (i) => mem.recall(queries[i % 32]!, 10));
  const bruteUs = timeCalls(2, (i) => bruteForceRecall(packed, DIM, EPISODES, queries[i % 32]!, 10));
  return {
    episodes: EPISODES,
    dim: DIM,
    k: 10,
    recallMs: recallUs / 1000,
    bruteForceSortMs: bruteUs / 1000,
    insertsPerSec: EPISODES / (insertMs / 1000),
    topKMatchesBruteForce: mismatches === 0,
  };
}

const cpus = os.cpus();
const machine = {
  cpu: cpus[0]?.model.trim() ?? 'unknown',
  cores: cpus.length,
  node: process.version,
  os: `${os.type()} ${os.release()} ${process.arch}`,
  loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
};
const strategies = STRATEGIES.map(({ name, strategy }) => benchStrategy(name, strategy));
const samplers = benchSamplers();
const recall = benchRecall();
const result = {
  benchmark: 'replay',
  command: `pnpm bench:replay${JSON_OUT ? ' --json' : ''}${QUICK ? ' --quick' : ''}`,
  machine,
  config: { capacity: CAPACITY, extraInserts: EXTRA_INSERTS, batch: BATCH, calls: CALLS, rounds: ROUNDS },
  strategies,
  samplers,
  recall,
  targets: { sumTreeOverNaive: { target: 100, measured: samplers.speedupOverNaive, met: samplers.speedupOverNaive >= 100 } },
};

if (JSON_OUT) {
  console.log(JSON.stringify(result, null, 2));
} else {
  const f = (v: number, d = 1) => (v >= 1000 ? Math.round(v).toLocaleString('en-US') : v.toFixed(d));
  console.log('retain replay benchmark');
  console.log(`machine  ${machine.cpu}, ${machine.cores} cores, ${machine.os}, Node ${machine.node}, load ${machine.loadAverage.join('/')}`);
  console.log(`capacity ${CAPACITY.toLocaleString('en-US')}; batch ${BATCH}; median of ${ROUNDS} rounds × ${CALLS} calls\n`);
  const rows = strategies.map((s) => [s.strategy, f(s.fillInsertsPerSec), f(s.fullInsertsPerSec), f(s.sampleUs), f(s.updateUs)]);
  const head = ['strategy', 'inserts/s (filling)', 'inserts/s (full)', 'sample(128) µs', 'updatePriorities(128) µs'];
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (c: string[]) => c.map((x, i) => (i === 0 ? x.padEnd(w[i]!) : x.padStart(w[i]!))).join('  ');
  console.log([line(head), w.map((n) => '-'.repeat(n)).join('  '), ...rows.map(line)].join('\n'));
  console.log(`\nweighted sampling of ${BATCH} draws over ${CAPACITY.toLocaleString('en-US')} priorities`);
  console.log(`  sum-tree                          ${f(samplers.sumTreeUs)} µs`);
  console.log(`  naive linear scan per draw        ${f(samplers.naiveLinearUs)} µs   → sum-tree ${f(samplers.speedupOverNaive)}× faster (target ≥ 100×: ${result.targets.sumTreeOverNaive.met ? 'MET' : 'not met'})`);
  console.log(`  prefix sums + binary search       ${f(samplers.prefixSumUs)} µs   → sum-tree ${f(samplers.speedupOverPrefixSum)}× faster`);
  console.log(`  draws agreeing with the naive one ${samplers.drawsAgreeing}`);
  console.log(`\nrecall k=10 over ${EPISODES.toLocaleString('en-US')} episodes of dimension ${DIM}`);
  console.log(`  EpisodicMemory.recall             ${recall.recallMs.toFixed(2)} ms (top-10 equals brute force: ${recall.topKMatchesBruteForce})`);
  console.log(`  brute force: score all + sort     ${recall.bruteForceSortMs.toFixed(2)} ms`);
  console.log(`  inserts                           ${f(recall.insertsPerSec)} episodes/s`);
}
