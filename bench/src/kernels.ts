// Kernels benchmark: one SGD step of an MLP 784-400-400-10 on 128 examples (native, pure TS, tfjs-wasm),
// diagonal Fisher against forward+backward, and the fused EWC penalty over 10M parameters.
// Usage: pnpm bench:kernels [--json] [--quick]
import { parseArgs } from 'node:util';
import { loadKernels, type Kernels } from '@retain/kernels';
import { machineInfo } from './kernels-machine.js';
import { renderReport } from './kernels-report.js';
import { buildResult, type BackendStatus } from './kernels-result.js';
import { runEwc, runFisher, runTrainStep, type SuitePlan } from './kernels-suite.js';

const { values: flags } = parseArgs({
  options: { json: { type: 'boolean', default: false }, quick: { type: 'boolean', default: false } },
  strict: true,
});
const json = flags.json === true;
const quick = flags.quick === true;

// With --json, stdout carries the JSON document only; anything a library prints goes to stderr.
const log = (msg: string) => process.stderr.write(`${msg}\n`);
if (json) {
  console.log = (...a: unknown[]) => console.error(...a);
  console.info = (...a: unknown[]) => console.error(...a);
}

function load(backend: 'native' | 'ts'): { kernels: Kernels | null; status: BackendStatus } {
  try {
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

const machine = machineInfo();
const native = load('native');
const js = load('ts');
if (!native.kernels) {
  const bar = '!'.repeat(78);
  log(`${bar}\n!! NATIVE KERNELS NOT AVAILABLE: native fields are reported as null.\n!! ${native.status.error}\n` +
    `!! Build them with: cd packages/kernels && node scripts/build-native.mjs\n${bar}`);
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
