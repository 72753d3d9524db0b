// Drift benchmark: updates/s of every detector on a 1M-value stream, then the evaluation table
// (delay, missed rate, MTFA, F1) on streams with known change points, beside a periodic baseline.
// River (Python) is measured in the same run when `python3 -c "import river"` works (or
// RIVER_PYTHON points at such an interpreter); otherwise its column says "n/a".
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import {
  ADWIN,
  DDM,
  EDDM,
  HDDM_A,
  HDDM_W,
  KLDriftDetector,
  KSWIN,
  PageHinkley,
  evaluateDetectors,
  type DetectorEvaluation,
  type DriftDetector,
} from '@retain/drift';
import { labelledStreams, throughputBinary, throughputNumeric } from './drift-streams.js';

const json = process.argv.includes('--json');
const N = Number(process.env.DRIFT_BENCH_N ?? 1_000_000);
const REPEATS = 3;

interface ThroughputRow {
  detector: string;
  stream: 'numeric' | 'binary';
  nsPerUpdate: number;
  updatesPerSecond: number;
  drifts: number;
  riverNsPerUpdate: number | null;
}

const detectors: { name: string; make: () => DriftDetector; stream: 'numeric' | 'binary' }[] = [
  { name: 'ADWIN', make: () => new ADWIN(), stream: 'numeric' },
  { name: 'PageHinkley', make: () => new PageHinkley(), stream: 'numeric' },
  { name: 'KSWIN', make: () => new KSWIN({ seed: 42 }), stream: 'numeric' },
  { name: 'KL', make: () => new KLDriftDetector({ source: 'feature' }), stream: 'numeric' },
  { name: 'DDM', make: () => new DDM(), stream: 'binary' },
  { name: 'EDDM', make: () => new EDDM(), stream: 'binary' },
  { name: 'HDDM_A', make: () => new HDDM_A(), stream: 'binary' },
  { name: 'HDDM_W', make: () => new HDDM_W(), stream: 'binary' },
];

function timeDetector(make: () => DriftDetector, xs: Float64Array): { ns: number; drifts: number } {
  let best = Infinity;
  let drifts = 0;
  for (let rep = 0; rep < REPEATS; rep++) {
    const d = make();
    let count = 0;
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < xs.length; i++) {
      d.update(xs[i]!);
      if (d.driftDetected) count++;
    }
    const ns = Number(process.hrtime.bigint() - t0) / xs.length;
    if (ns < best) best = ns;
    drifts = count;
  }
  return { ns: best, drifts };
}

// The same streams are written for Python, so River is timed on identical values.
function riverTimes(numeric: Float64Array, binary: Float64Array): Record<string, number> | null {
  const py = process.env.RIVER_PYTHON ?? 'python3';
  const probe = spawnSync(py, ['-c', 'import river'], { encoding: 'utf8' });
  if (probe.status !== 0) return null;
  const script = `
import sys, time, struct, json
from river import drift
n = ${N}
raw = sys.stdin.buffer.read()
num = struct.unpack('<%dd' % n, raw[: 8 * n])
binv = [int(v) for v in struct.unpack('<%dd' % n, raw[8 * n :])]
out = {}
for name, make, xs in [
    ('ADWIN', lambda: drift.ADWIN(), num),
    ('PageHinkley', lambda: drift.PageHinkley(), num),
    ('DDM', lambda: drift.binary.DDM(), binv),
    ('EDDM', lambda: drift.binary.EDDM(), binv),
    ('HDDM_A', lambda: (getattr(drift.binary, 'HDDM_A', None) or drift.binary.HDDMA)(), binv),
    ('HDDM_W', lambda: (getattr(drift.binary, 'HDDM_W', None) or drift.binary.HDDMW)(), binv),
]:
    d = make()
    t0 = time.perf_counter()
    for x in xs:
        d.update(x)
        d.drift_detected
    out[name] = (time.perf_counter() - t0) / n * 1e9
print(json.dumps(out))
`;
  const input = Buffer.concat([Buffer.from(numeric.buffer), Buffer.from(binary.buffer)]);
  const res = spawnSync(py, ['-c', script], { input, encoding: 'utf8', maxBuffer: 1 << 20 });
  if (res.status !== 0) {
    process.stderr.write(`River run failed: ${res.stderr}\n`);
    return null;
  }
  return JSON.parse(res.stdout) as Record<string, number>;
}

function riverVersion(): string | null {
  const py = process.env.RIVER_PYTHON ?? 'python3';
  const res = spawnSync(py, ['-c', 'import river, sys; print(river.__version__, sys.version.split()[0])'], {
    encoding: 'utf8',
  });
  return res.status === 0 ? res.stdout.trim() : null;
}

// Each detector is timed in its own process: one shared call site over eight classes would be
// megamorphic and slow every detector down, which is not how an application calls one detector.
const only = process.env.DRIFT_BENCH_ONLY;
if (only !== undefined) {
  const spec = detectors.find((d) => d.name === only)!;
  const xs = spec.stream === 'numeric' ? throughputNumeric(N, 1) : throughputBinary(N, 2);
  console.log(JSON.stringify(timeDetector(spec.make, xs)));
  process.exit(0);
}

function timeInChild(name: string): { ns: number; drifts: number } {
  const res = spawnSync(process.execPath, [...process.execArgv, process.argv[1]!], {
    env: { ...process.env, DRIFT_BENCH_ONLY: name },
    encoding: 'utf8',
  });
  if (res.status !== 0) throw new Error(`timing ${name} failed: ${res.stderr}`);
  return JSON.parse(res.stdout.trim().split('\n').pop()!) as { ns: number; drifts: number };
}

const numeric = throughputNumeric(N, 1);
const binary = throughputBinary(N, 2);
const river = riverTimes(numeric, binary);
const throughput: ThroughputRow[] = detectors.map(({ name, stream }) => {
  const { ns, drifts } = timeInChild(name);
  return {
    detector: name,
    stream,
    nsPerUpdate: ns,
    updatesPerSecond: 1e9 / ns,
    drifts,
    riverNsPerUpdate: river?.[name] ?? null,
  };
});

const MAX_DELAY = 250;
const numericStreams = labelledStreams('numeric', 20, 6000, 3);
const binaryStreams = labelledStreams('binary', 20, 6000, 4);
const evalNumeric = evaluateDetectors({
  detectors: {
    ADWIN: () => new ADWIN(),
    PageHinkley: () => new PageHinkley(),
    KSWIN: () => new KSWIN({ seed: 42 }),
    KL: () => new KLDriftDetector({ source: 'feature' }),
  },
  streams: numericStreams,
  maxDelay: MAX_DELAY,
  baselinePeriod: 1000,
});
const evalBinary = evaluateDetectors({
  detectors: { DDM: () => new DDM(), EDDM: () => new EDDM(), HDDM_A: () => new HDDM_A(), HDDM_W: () => new HDDM_W() },
  streams: binaryStreams,
  maxDelay: MAX_DELAY,
  baselinePeriod: 1000,
});

const cpu = os.cpus()[0];
const machine = {
  cpu: cpu?.model ?? 'unknown',
  cores: os.cpus().length,
  node: process.version,
  platform: `${os.platform()} ${os.arch()}`,
  river: riverVersion(),
};

const strip = (rows: DetectorEvaluation[]): Omit<DetectorEvaluation, 'alarms'>[] =>
  rows.map(({ alarms: _alarms, ...rest }) => rest);

if (json) {
  console.log(
    JSON.stringify(
      {
        machine,
        throughput: { n: N, repeats: REPEATS, rows: throughput },
        evaluation: {
          maxDelay: MAX_DELAY,
          numeric: { streams: numericStreams.length, length: 6000, rows: strip(evalNumeric) },
          binary: { streams: binaryStreams.length, length: 6000, rows: strip(evalBinary) },
        },
      },
      null,
      2,
    ),
  );
} else {
  const f = (x: number, d = 2): string => (Number.isFinite(x) ? x.toFixed(d) : '—');
  console.log(`machine: ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}, ${machine.platform}`);
  console.log(`River peer: ${machine.river ?? 'not installed (pip install river to measure it here)'}\n`);
  console.log(`Throughput, ${N.toLocaleString('en-US')} updates, best of ${REPEATS}`);
  console.log('| detector | stream | ns/update | updates/s | drifts | River ns/update | speed-up |');
  console.log('|---|---|---:|---:|---:|---:|---:|');
  for (const r of throughput) {
    const rv = r.riverNsPerUpdate;
    console.log(
      `| ${r.detector} | ${r.stream} | ${f(r.nsPerUpdate, 1)} | ${Math.round(r.updatesPerSecond).toLocaleString('en-US')} | ${r.drifts} | ${rv === null ? 'n/a' : f(rv, 0)} | ${rv === null ? 'n/a' : `${f(rv / r.nsPerUpdate, 1)}×`} |`,
    );
  }
  const table = (title: string, rows: DetectorEvaluation[]): void => {
    console.log(`\n${title}`);
    console.log('| detector | alarms | F1 | precision | missed rate | mean delay | MTFA | false alarms /1k |');
    console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
    for (const r of rows) {
      console.log(
        `| ${r.detector} | ${r.nAlarms} | ${f(r.f1, 3)} | ${f(r.precision, 3)} | ${f(r.missedDetectionRate, 3)} | ${f(r.detectionDelay, 1)} | ${f(r.meanTimeBetweenFalseAlarms, 0)} | ${f(r.falseAlarmRate, 3)} |`,
      );
    }
  };
  table(`Evaluation, numeric: 20 streams × 6000, 2 mean shifts each (|Δμ| ∈ [1,3]σ), max delay ${MAX_DELAY}`, evalNumeric);
  table(`Evaluation, binary: 20 streams × 6000, error rate up then back (Δ ∈ [0.15,0.3]), max delay ${MAX_DELAY}`, evalBinary);
}
