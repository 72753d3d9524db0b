// Kernels benchmark: one SGD step of an MLP 784-400-400-10 on 128 examples (native, pure TS, tfjs-wasm),
// diagonal Fisher against forward+backward, and the fused EWC penalty over 10M parameters.
// Usage: pnpm bench:kernels [--json] [--quick] [--skip-native]
import { parseArgs } from 'node:util';
import { loadKernels, type Kernels } from '@retain/kernels';
import { machineInfo } from './kernels-machine.js';
import { renderReport } from './kernels-report.js';
import { buildResult, type BackendStatus } from './kernels-result.js';
import { runEwc, runFisher, runTrainStep, type SuitePlan } from './kernels-suite.js';

const USAGE = `usage: pnpm bench:kernels [--json] [--quick] [--skip-native]
  --json         print the result as one JSON document on stdout (progress goes to stderr)
  --quick        3 short rounds per case instead of 7-9 (a smoke run; figures are noisier)
  --skip-native  measure as on a platform without the native binary (native fields become null)`;

let flags: { json: boolean; quick: boolean; 'skip-native': boolean; help: boolean };
try {
  flags = parseArgs({
    options: {
      json: { type: 'boolean', default: false },
      quick: { type: 'boolean', default: false },
      'skip-native': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  }).values as typeof flags;
} catch (e) {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n${USAGE}\n`);
  process.exit(2);
}
if (flags.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const json = flags.json;
const quick = flags.quick;

// With --json, stdout carries the JSON document only; anything a library prints goes to stderr.
const log = (msg: string) => process.stderr.write(`${msg}\n`);
if (json) {
  console.log = (...a: unknown[]) => console.error(...a);
  console.info = (...a: unknown[]) => console.error(...a);
}

function load(backend: 'native' | 'ts'): { kernels: Kernels | null; status: BackendStatus } {
  try {
    if (backend === 'native' && flags['skip-native']) throw new Error('skipped with --skip-native');
    const kernels = loadKernels({ backend });
    if (kernels.backend !== backend) throw new Error(`asked for ${backend}, got ${kernels.backend}`);
    const status = { available: true, version: kernels.info.version, cpuFeatures: [...kernels.info.cpuFeatures], error: null };
    return { kernels, status };
  } catch (e) {
    const error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    return { kernels: null, status: { available: false, version: null, cpuFeatures: [], error } };
  }
}

const plan: SuitePlan = quick
  ? {
      trainStep: { rounds: 3, roundMs: 150, warmupMs: 300, warmupRuns: 3 },
      fisher: { rounds: 3, roundMs: 150, warmupMs: 200, warmupRuns: 1 },
      ewc: { rounds: 3, roundMs: 150, warmupMs: 200, warmupRuns: 2 },
    }
  : {
      trainStep: { rounds: 9, roundMs: 300, warmupMs: 1500, warmupRuns: 5 },
      fisher: { rounds: 7, roundMs: 300, warmupMs: 1000, warmupRuns: 2 },
      ewc: { rounds: 9, roundMs: 250, warmupMs: 500, warmupRuns: 3 },
    };

async function main(): Promise<void> {
  const machine = machineInfo();
  const native = load('native');
  const js = load('ts');
  if (!native.kernels) {
    const bar = '!'.repeat(78);
    log(
      `${bar}\n!! NATIVE KERNELS NOT AVAILABLE: native fields are reported as null.\n!! ${native.status.error}\n` +
        `!! Build them with: cd packages/kernels && node scripts/build-native.mjs\n${bar}`,
    );
  }
  if (!js.kernels) log(`!! TS KERNELS NOT AVAILABLE: ${js.status.error}`);
  const backends = { native: native.kernels, js: js.kernels };

  const started = performance.now();
  log('train step (native, ts, tfjs-wasm) ...');
  const train = await runTrainStep(backends, plan.trainStep);
  log('fisher vs lossGrad ...');
  const fisher = runFisher(backends, plan.fisher);
  log('ewc penalty + grad ...');
  const ewc = runEwc(backends, plan.ewc);
  log(`done in ${((performance.now() - started) / 1000).toFixed(1)} s`);

  const result = buildResult({
    machine,
    native: native.status,
    js: js.status,
    quick,
    rounds: { trainStep: plan.trainStep.rounds, fisher: plan.fisher.rounds, ewc: plan.ewc.rounds },
    train,
    fisher,
    ewc,
  });
  process.stdout.write(json ? `${JSON.stringify(result, null, 2)}\n` : `${renderReport(result)}\n`);
}

// The tfjs-wasm module installs process handlers that rethrow, so failures are reported here, once and short.
main().catch((e: unknown) => {
  process.stderr.write(`kernels benchmark failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
