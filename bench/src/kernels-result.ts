// The result of one kernels benchmark run: headline figures, ratios, targets, and everything behind them.
import type { MachineInfo } from './kernels-machine.js';
import {
  BATCH,
  EWC_BYTES_PER_PARAM,
  EWC_PARAMS,
  FISHER_EXAMPLES,
  LR,
  SIZES,
  type EwcResult,
  type FisherResult,
  type LossCheck,
  type TrainStepResult,
} from './kernels-suite.js';
import type { TfjsInfo } from './kernels-tfjs.js';
import type { Timing } from './kernels-timing.js';

/** A kernels backend as loaded in this run. */
export interface BackendStatus {
  available: boolean;
  version: string | null;
  cpuFeatures: string[];
  /** Why it is unavailable. */
  error: string | null;
}

/** Everything `--json` prints. */
export interface KernelsBenchResult {
  benchmark: 'kernels';
  version: 1;
  machine: MachineInfo;
  backends: { native: BackendStatus; js: BackendStatus; tfjsWasm: TfjsInfo };
  config: {
    model: string;
    batch: number;
    lr: number;
    fisherExamples: number;
    ewcParams: number;
    quick: boolean;
    rounds: { trainStep: number; fisher: number; ewc: number };
  };
  conventions: Record<string, string>;
  /** Examples per second of one full SGD step. */
  trainStep: { native: number | null; js: number | null; tfjsWasm: number };
  /** Time of fisherDiag (empirical) over 1,024 examples ÷ time of lossGrad over the same 1,024. */
  fisher: { ratioToForwardBackward: number | null; ratioToForwardBackwardJs: number | null };
  /** Bytes touched per second (GB = 1e9 bytes) by the fused EWC penalty + gradient. */
  ewc: { nativeGBps: number | null; jsGBps: number | null };
  ratios: { nativeOverTfjs: number | null; jsOverTfjs: number | null; ewcNativeOverJs: number | null };
  /**
   * The same ratios from median CPU time per op instead of wall time: every backend here computes on one
   * thread, so this is the ratio each would show with a core to itself (V8's GC threads count against JS/tfjs).
   */
  ratiosByCpuTime: {
    nativeOverTfjs: number | null;
    jsOverTfjs: number | null;
    ewcNativeOverJs: number | null;
    fisherToForwardBackward: number | null;
    fisherToForwardBackwardJs: number | null;
  };
  /**
   * Examples/s of every tfjs-wasm formulation: the two idiomatic ones (the faster is `trainStep.tfjsWasm`) and a
   * hand-tuned customGrad one that avoids tfjs-wasm's slow transposed-operand matMul, with native and ts against it.
   */
  tfjsVariants: {
    fused: number;
    unfused: number;
    customGrad: number;
    nativeOverCustomGrad: number | null;
    jsOverCustomGrad: number | null;
  };
  /** true / false when measured, null when a backend was missing. */
  targets: {
    trainStepNativeAtLeast15xTfjs: boolean | null;
    trainStepJsAtLeastHalfTfjs: boolean | null;
    fisherRatioAtMost2: boolean | null;
    ewcNativeAtLeast3xJs: boolean | null;
  };
  /** Mean cross-entropy at the shared initial parameters and after one SGD step, per backend. */
  checks: { native: LossCheck; js: LossCheck; tfjsWasm: LossCheck };
  /** Every timed case: ms per operation, median of the rounds, min, max, spread = (max − min)/median. */
  timings: Record<string, Omit<Timing, 'name'>>;
}

const ratio = (a: number | null, b: number | null): number | null => (a === null || b === null ? null : a / b);
const atLeast = (v: number | null, t: number): boolean | null => (v === null ? null : v >= t);

/** Assembles the headline figures from the three sections. */
export function buildResult(input: {
  machine: MachineInfo;
  native: BackendStatus;
  js: BackendStatus;
  quick: boolean;
  rounds: { trainStep: number; fisher: number; ewc: number };
  train: TrainStepResult;
  fisher: FisherResult;
  ewc: EwcResult;
}): KernelsBenchResult {
  const { train, fisher, ewc } = input;
  const perSecond = (ms: number | null) => (ms === null ? null : (BATCH * 1000) / ms);
  const gbps = (ms: number | null) => (ms === null ? null : (EWC_PARAMS * EWC_BYTES_PER_PARAM) / (ms / 1000) / 1e9);
  const trainStep = {
    native: perSecond(train.stepMs.native),
    js: perSecond(train.stepMs.js),
    tfjsWasm: perSecond(train.stepMs.tfjsWasm)!,
  };
  const fisherRatio = (f: FisherResult['native']) => (f === null ? null : f.fisherMs / f.lossGradMs);
  const ewcOut = { nativeGBps: gbps(ewc.nativeMs), jsGBps: gbps(ewc.jsMs) };
  const ratios = {
    nativeOverTfjs: ratio(trainStep.native, trainStep.tfjsWasm),
    jsOverTfjs: ratio(trainStep.js, trainStep.tfjsWasm),
    ewcNativeOverJs: ratio(ewcOut.nativeGBps, ewcOut.jsGBps),
  };
  const timings: KernelsBenchResult['timings'] = {};
  for (const { name, ...rest } of [...train.timings, ...fisher.timings, ...ewc.timings]) timings[name] = rest;
  const cpu = (name: string) => timings[name]?.cpuMedianMs ?? null;
  const bestTfjs = `tfjs-wasm ${train.tfjsVariant}`;
  const ratiosByCpuTime = {
    nativeOverTfjs: ratio(cpu(bestTfjs), cpu('native')),
    jsOverTfjs: ratio(cpu(bestTfjs), cpu('js')),
    ewcNativeOverJs: ratio(cpu('js ewcPenaltyGrad'), cpu('native ewcPenaltyGrad')),
    fisherToForwardBackward: ratio(cpu('native fisherDiag'), cpu('native lossGrad')),
    fisherToForwardBackwardJs: ratio(cpu('js fisherDiag'), cpu('js lossGrad')),
  };
  const tfjsVariants = {
    fused: perSecond(train.tfjsVariantMs.fused)!,
    unfused: perSecond(train.tfjsVariantMs.unfused)!,
    customGrad: perSecond(train.tfjsVariantMs.customGrad)!,
    nativeOverCustomGrad: null as number | null,
    jsOverCustomGrad: null as number | null,
  };
  tfjsVariants.nativeOverCustomGrad = ratio(trainStep.native, tfjsVariants.customGrad);
  tfjsVariants.jsOverCustomGrad = ratio(trainStep.js, tfjsVariants.customGrad);
  const fisherOut = { ratioToForwardBackward: fisherRatio(fisher.native), ratioToForwardBackwardJs: fisherRatio(fisher.js) };
  return {
    benchmark: 'kernels',
    version: 1,
    machine: input.machine,
    backends: { native: input.native, js: input.js, tfjsWasm: train.tfjs },
    config: {
      model: `MLP ${SIZES.join('-')} ReLU, softmax cross-entropy`,
      batch: BATCH,
      lr: LR,
      fisherExamples: FISHER_EXAMPLES,
      ewcParams: EWC_PARAMS,
      quick: input.quick,
      rounds: input.rounds,
    },
    conventions: {
      trainStep: `examples/s = ${BATCH} / median time of one step (lossGrad + sgdStep; tfjs: optimizer.minimize)`,
      fisher: `ratio of median times: fisherDiag(empirical, ${FISHER_EXAMPLES} examples) / lossGrad(${FISHER_EXAMPLES} examples)`,
      ewc: `bytes touched = ${EWC_BYTES_PER_PARAM} per parameter (params, anchor, fisher, grad read + grad written, f32); GB = 1e9 bytes`,
      timing: 'warm-up, calibrated rounds interleaved across backends, median of rounds; spread = (max - min) / median; cpuMedianMs = process CPU time per op',
    },
    trainStep,
    fisher: fisherOut,
    ewc: ewcOut,
    ratios,
    ratiosByCpuTime,
    tfjsVariants,
    targets: {
      trainStepNativeAtLeast15xTfjs: atLeast(ratios.nativeOverTfjs, 15),
      trainStepJsAtLeastHalfTfjs: atLeast(ratios.jsOverTfjs, 0.5),
      fisherRatioAtMost2: fisherOut.ratioToForwardBackward === null ? null : fisherOut.ratioToForwardBackward <= 2,
      ewcNativeAtLeast3xJs: atLeast(ratios.ewcNativeOverJs, 3),
    },
    checks: train.checks,
    timings,
  };
}
