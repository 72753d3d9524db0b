// The learner benchmark's printed table (the same content `--json` prints as JSON).
import type { MachineInfo } from './kernels-machine.js';
import type { CheckpointResult, Latency, StreamResult } from './learner-phases.js';

/** Resident memory at the two reference points of the flatness check. */
export interface Flatness {
  fromExamples: number;
  toExamples: number;
  rssFromMiB: number;
  rssToMiB: number;
  rssGrowthPct: number;
  /** The same growth over the learner's own share (RSS minus the RSS before the learner existed). */
  learnerFromMiB: number;
  learnerToMiB: number;
  learnerGrowthPct: number;
  /** Growth under 5 % once the replay buffer is full. */
  flat: boolean;
}

/** Everything one run of the learner benchmark measured. */
export interface LearnerBenchResult {
  benchmark: 'learner';
  quick: boolean;
  command: string;
  machine: MachineInfo & { kernels: string };
  config: unknown;
  native: StreamResult;
  ts: StreamResult;
  flatness: Flatness;
  checkpoint: CheckpointResult;
  /** The native run again with glibc's mmap threshold fixed (`--malloc-control`), or null. */
  mallocControl: { env: Record<string, string>; native: StreamResult; flatness: Flatness } | null;
  totalSeconds: number;
}

const n0 = (v: number): string => Math.round(v).toLocaleString('en-US');
const n1 = (v: number): string => v.toFixed(1);
const kib = (b: number): string => `${n0(b / 1024)} KiB`;
const pct = (v: number): string => `${v >= 0 ? '+' : ''}${v.toFixed(2)}%`;
const lat = (l: Latency): string => `${n1(l.p50Us)} / ${n1(l.p99Us)} / ${n0(l.maxUs)}`;

/** The flatness check between the first sample at or after `from` and the last sample. */
export function flatness(r: StreamResult, from: number): Flatness {
  const a = r.memory.find((m) => m.examples >= from) ?? r.memory[0]!;
  const b = r.memory.at(-1)!;
  const growth = (x: number, y: number): number => (100 * (y - x)) / x;
  const la = a.rssMiB - r.baselineRssMiB;
  const lb = b.rssMiB - r.baselineRssMiB;
  const rssGrowthPct = growth(a.rssMiB, b.rssMiB);
  return {
    fromExamples: a.examples,
    toExamples: b.examples,
    rssFromMiB: a.rssMiB,
    rssToMiB: b.rssMiB,
    rssGrowthPct,
    learnerFromMiB: Math.round(la * 10) / 10,
    learnerToMiB: Math.round(lb * 10) / 10,
    learnerGrowthPct: growth(la, lb),
    flat: rssGrowthPct < 5,
  };
}

/** Markdown tables of a result, with the machine line first. */
export function learnerTable(r: LearnerBenchResult): string {
  const m = r.machine;
  const { native: nat, ts, flatness: f, checkpoint: c } = r;
  const lines = [
    `machine: ${m.cpuModel}, ${m.cores} cores, ${m.totalMemGiB} GiB, Node ${m.node}, ${m.os} ${m.arch}, kernels ${m.kernels}, load ${m.loadAverage.join(' ')}`,
    `command: ${r.command}   (stable preset, MNIST 784-128-10, batch 16, replay 2,000 prioritizedLoss, online EWC, sleep every 5,000 examples)`,
    '',
    '| measure | native | ts |',
    '|---|---|---|',
    `| learnOne throughput, whole run (examples/s) | ${n0(nat.examplesPerSec)} (${n0(nat.examples)} examples) | ${n0(ts.examplesPerSec)} (${n0(ts.examples)} examples) |`,
    `| learnOne throughput, first ${n0(ts.examples)} examples (examples/s) | ${n0(nat.headExamplesPerSec)} | ${n0(ts.headExamplesPerSec)} |`,
    `| learnOne latency p50 / p99 / max (µs) | ${lat(nat.learnOne)} | ${lat(ts.learnOne)} |`,
    `| predictOne latency p50 / p99 / max (µs, ${n0(nat.predictOne.calls)} calls) | ${lat(nat.predictOne)} | ${lat(ts.predictOne)} |`,
    `| ServingModel.predict latency p50 / p99 / max (µs) | ${lat(nat.servingPredict)} | ${lat(ts.servingPredict)} |`,
    `| consolidations / drifts | ${nat.consolidations} / ${nat.drifts} | ${ts.consolidations} / ${ts.drifts} |`,
    `| prequential accuracy / test accuracy (10k) | ${(100 * nat.prequentialAccuracy).toFixed(2)}% / ${(100 * nat.testAccuracy).toFixed(2)}% | ${(100 * ts.prequentialAccuracy).toFixed(2)}% / ${(100 * ts.testAccuracy).toFixed(2)}% |`,
    '',
    `resident memory, native (after a forced GC; ${n1(nat.baselineRssMiB)} MiB before the learner existed, MNIST loaded):`,
    '',
    '| examples | RSS MiB | heap used MiB | external MiB |',
    '|---|---|---|---|',
    ...nat.memory.map((s) => `| ${n0(s.examples)} | ${n1(s.rssMiB)} | ${n1(s.heapUsedMiB)} | ${n1(s.externalMiB)} |`),
    '',
    flatLine('RSS', f),
    ...(r.mallocControl ? controlLines(r.mallocControl) : []),
    '',
    `checkpoint at ${n0(c.examples)} examples (native, store attached; ${n0(c.examplesPerSec)} examples/s with a checkpoint at each of ${c.autoCheckpoints} consolidations, ${c.retainedCheckpoints} retained):`,
    '',
    '| measure | value |',
    '|---|---|',
    `| incremental checkpoint (saveState) | ${n1(c.incrementalMs)} ms: state ${kib(c.incrementalStateBytes)} + ${n0(c.incrementalRows)} rows (${kib(c.incrementalRowBytes)}) |`,
    `| full rewrite of every row | ${n1(c.fullRewriteMs)} ms |`,
    `| store size (retain.db + WAL) | ${kib(c.storeBytes)} (${kib(c.dbBytes)} + ${kib(c.walBytes)}) |`,
    `| resume (open + loadLearner) | ${n1(c.resumeMs)} ms, exact: ${c.resumeExact ? 'yes' : 'NO'} |`,
    '',
    `total ${n1(r.totalSeconds)} s`,
  ];
  return lines.join('\n');
}

function flatLine(label: string, f: Flatness): string {
  return (
    `${label} ${n0(f.fromExamples)} → ${n0(f.toExamples)} examples: ${n1(f.rssFromMiB)} → ${n1(f.rssToMiB)} MiB (${pct(f.rssGrowthPct)}); ` +
    `learner's share ${n1(f.learnerFromMiB)} → ${n1(f.learnerToMiB)} MiB (${pct(f.learnerGrowthPct)}): ${f.flat ? 'flat (< 5%)' : 'NOT flat (≥ 5%)'}`
  );
}

function controlLines(c: NonNullable<LearnerBenchResult['mallocControl']>): string[] {
  const env = Object.entries(c.env).map(([k, v]) => `${k}=${v}`).join(' ');
  return [
    '',
    `the same native run with ${env} (${n0(c.native.examplesPerSec)} examples/s; RSS ${c.native.memory.map((s) => n1(s.rssMiB)).join(', ')} MiB):`,
    flatLine('RSS', c.flatness),
  ];
}
