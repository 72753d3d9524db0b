// The three workloads of the kernels benchmark (train step, Fisher, EWC), each timed across backends.
import type { Kernels } from '@retain/kernels';
import { createTfjsTrainStep, type TfjsInfo, type TfjsTrainStep, type TfjsVariant } from './kernels-tfjs.js';
import { measureInterleaved, type TimedCase, type Timing, type TimingPlan } from './kernels-timing.js';
import { ewcProblem, mlpProblem, type MlpProblem } from './kernels-workload.js';

/** The model every train-step and Fisher measurement uses. */
export const SIZES = [784, 400, 400, 10] as const;
/** Examples per SGD step. */
export const BATCH = 128;
/** SGD learning rate (the timed work does not depend on it; every round restarts from the same parameters). */
export const LR = 0.01;
/** Examples in the Fisher / forward-backward comparison. */
export const FISHER_EXAMPLES = 1024;
/** Parameters in the EWC penalty measurement. */
export const EWC_PARAMS = 10_000_000;
/** Bytes one EWC parameter costs: params, anchor, fisher and grad read (4 × 4) plus grad written (4). */
export const EWC_BYTES_PER_PARAM = 5 * 4;

/** The kernel backends under test; null where a backend could not be loaded. */
export interface Backends {
  native: Kernels | null;
  js: Kernels | null;
}

/** Plans for the three sections. */
export interface SuitePlan {
  trainStep: TimingPlan;
  fisher: TimingPlan;
  ewc: TimingPlan;
}

/** Loss values that show every backend computes the same model on the same batch. */
export interface LossCheck {
  atInit: number | null;
  afterOneStep: number | null;
}

/** Train-step section results. */
export interface TrainStepResult {
  timings: Timing[];
  /** ms per step, by backend; tfjsWasm is the faster of its two idiomatic formulations. */
  stepMs: { native: number | null; js: number | null; tfjsWasm: number };
  /** ms per step of each tfjs formulation, the hand-tuned `customGrad` one included. */
  tfjsVariantMs: Record<TfjsVariant, number>;
  tfjs: TfjsInfo;
  /** The idiomatic formulation reported as `trainStep.tfjsWasm` (the faster of `fused` and `unfused`). */
  tfjsVariant: TfjsVariant;
  checks: { native: LossCheck; js: LossCheck; tfjsWasm: LossCheck };
}

const mlpArgs = (p: MlpProblem, params: Float32Array) => ({
  sizes: p.sizes,
  activation: 'relu' as const,
  params,
  x: p.x,
  batch: p.batch,
});

function kernelsStep(k: Kernels, p: MlpProblem): { c: Omit<TimedCase, 'name'>; check: () => LossCheck } {
  const params = p.params.slice();
  const grad = new Float32Array(params.length);
  // Argument objects are built once: the timed loop measures the kernels, not object allocation.
  const lossArgs = { ...mlpArgs(p, params), targets: p.targets, grad };
  const sgdArgs = { params, grad, lr: LR };
  const reset = () => params.set(p.params);
  return {
    c: {
      run: () => {
        k.lossGrad(lossArgs);
        k.sgdStep(sgdArgs);
      },
      reset,
    },
    check: () => {
      reset();
      const atInit = k.lossGrad(lossArgs);
      k.sgdStep(sgdArgs);
      const afterOneStep = k.lossGrad(lossArgs);
      reset();
      return { atInit, afterOneStep };
    },
  };
}

function tfjsCheck(s: TfjsTrainStep): LossCheck {
  s.reset();
  const atInit = s.loss();
  s.step();
  const afterOneStep = s.loss();
  s.reset();
  return { atInit, afterOneStep };
}

const none: LossCheck = { atInit: null, afterOneStep: null };

/** One SGD step of the 784-400-400-10 MLP on 128 examples: native, TS and tfjs-wasm, interleaved. */
export async function runTrainStep(b: Backends, plan: TimingPlan): Promise<TrainStepResult> {
  const p = mlpProblem(SIZES, BATCH, 20240501);
  const variants: TfjsVariant[] = ['fused', 'unfused', 'customGrad'];
  const peers = new Map<TfjsVariant, TfjsTrainStep>();
  for (const v of variants) peers.set(v, await createTfjsTrainStep(p, LR, v));
  const cases: TimedCase[] = [];
  const checks = { native: none, js: none, tfjsWasm: tfjsCheck(peers.get('fused')!) };
  for (const name of ['native', 'js'] as const) {
    const k = b[name];
    if (!k) continue;
    const s = kernelsStep(k, p);
    checks[name] = s.check();
    cases.push({ name: `${name}`, ...s.c });
  }
  for (const [v, s] of peers) cases.push({ name: `tfjs-wasm ${v}`, run: () => s.step(), reset: () => s.reset() });
  const t = measureInterleaved(cases, plan);
  const tfjsVariantMs = Object.fromEntries(variants.map((v) => [v, t.get(`tfjs-wasm ${v}`)!.medianMs])) as Record<
    TfjsVariant,
    number
  >;
  // The headline peer is the faster idiomatic formulation; the hand-tuned one is reported beside it.
  const best: TfjsVariant = tfjsVariantMs.fused <= tfjsVariantMs.unfused ? 'fused' : 'unfused';
  const tfjs = peers.get(best)!.info;
  for (const s of peers.values()) s.dispose();
  return {
    timings: [...t.values()],
    stepMs: { native: t.get('native')?.medianMs ?? null, js: t.get('js')?.medianMs ?? null, tfjsWasm: tfjsVariantMs[best] },
    tfjsVariantMs,
    tfjs,
    tfjsVariant: best,
    checks,
  };
}

/** Fisher section results: ms of one empirical-Fisher call and one lossGrad call over the same examples. */
export interface FisherResult {
  timings: Timing[];
  native: { fisherMs: number; lossGradMs: number } | null;
  js: { fisherMs: number; lossGradMs: number } | null;
}

/** Diagonal empirical Fisher over 1,024 examples against one forward + backward over the same 1,024. */
export function runFisher(b: Backends, plan: TimingPlan): FisherResult {
  const p = mlpProblem(SIZES, FISHER_EXAMPLES, 20240502);
  const cases: TimedCase[] = [];
  for (const name of ['native', 'js'] as const) {
    const k = b[name];
    if (!k) continue;
    const params = p.params.slice();
    const fisherArgs = { ...mlpArgs(p, params), kind: 'empirical' as const, targets: p.targets, fisher: new Float32Array(params.length) };
    const lossArgs = { ...mlpArgs(p, params), targets: p.targets, grad: new Float32Array(params.length) };
    // The accumulator only grows by Σ squared gradients per call; zeroing it per round keeps magnitudes sane.
    cases.push({ name: `${name} fisherDiag`, run: () => k.fisherDiag(fisherArgs), reset: () => fisherArgs.fisher.fill(0) });
    cases.push({ name: `${name} lossGrad`, run: () => void k.lossGrad(lossArgs) });
  }
  const t = measureInterleaved(cases, plan);
  const pick = (name: string) =>
    t.has(`${name} fisherDiag`)
      ? { fisherMs: t.get(`${name} fisherDiag`)!.medianMs, lossGradMs: t.get(`${name} lossGrad`)!.medianMs }
      : null;
  return { timings: [...t.values()], native: pick('native'), js: pick('js') };
}

/** EWC section results: ms of one fused penalty + gradient pass over 10M parameters. */
export interface EwcResult {
  timings: Timing[];
  nativeMs: number | null;
  jsMs: number | null;
}

/** Fused EWC penalty + gradient over 10M parameters, native and TS, interleaved. */
export function runEwc(b: Backends, plan: TimingPlan): EwcResult {
  if (!b.native && !b.js) return { timings: [], nativeMs: null, jsMs: null };
  const e = ewcProblem(EWC_PARAMS, 20240503);
  const cases: TimedCase[] = [];
  for (const name of ['native', 'js'] as const) {
    const k = b[name];
    if (!k) continue;
    // Each backend accumulates into its own gradient buffer, so both touch the same number of distinct bytes.
    const args = { ...e, grad: new Float32Array(EWC_PARAMS) };
    cases.push({ name: `${name} ewcPenaltyGrad`, run: () => void k.ewcPenaltyGrad(args), reset: () => args.grad.fill(0) });
  }
  const t = measureInterleaved(cases, plan);
  return {
    timings: [...t.values()],
    nativeMs: t.get('native ewcPenaltyGrad')?.medianMs ?? null,
    jsMs: t.get('js ewcPenaltyGrad')?.medianMs ?? null,
  };
}
