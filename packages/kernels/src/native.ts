// Loads the native kernels (crates/retain-napi via N-API) and adapts the object arguments of RawKernels
// to the binding's positional calls. No validation here: createKernels validates for both backends.
import { createRequire } from 'node:module';
import { RetainError } from '@retain/core';
import type * as NativeBinding from '../native/binding.js';
import type { KernelsInfo, RawKernels } from './types.js';

type Binding = typeof NativeBinding;

const require = createRequire(import.meta.url);

/** Functions a binary must export to be usable; a stale build missing one is rejected, not half-used. */
const REQUIRED = [
  'info',
  'setThreads',
  'threads',
  'forward',
  'forwardAsync',
  'lossGrad',
  'lossGradAsync',
  'fisherDiag',
  'fisherDiagAsync',
  'ewcPenaltyGrad',
  'ewcPenaltyGradAsync',
  'siAccumulate',
  'sgdStep',
  'sgdStepAsync',
  'adamStep',
  'adamStepAsync',
] as const;

function describe(err: unknown): string {
  return err instanceof Error ? err.message.split('\n')[0]! : String(err);
}

/** The binding calling convention this package speaks (`info().abi`, crates/retain-napi `ABI`). */
export const NATIVE_ABI = 4;

/** @internal Rejects a binary lacking a function or speaking another calling convention (exported for tests). */
export function checked(binding: unknown, from: string): Binding {
  const missing = REQUIRED.filter((name) => typeof (binding as Record<string, unknown> | null)?.[name] !== 'function');
  if (missing.length > 0) {
    throw new Error(`${from} lacks ${missing.join(', ')} (stale build? rerun node scripts/build-native.mjs)`);
  }
  // A binary of another calling convention would ignore (or misread) arguments: reject it, do not half-use it.
  const abi = (binding as Binding).info().abi as number | undefined;
  if (abi !== NATIVE_ABI) {
    throw new Error(`${from} speaks binding ABI ${String(abi)}, this package needs ${NATIVE_ABI} (stale build? rerun node scripts/build-native.mjs)`);
  }
  return binding as Binding;
}

/**
 * Finds the binary: the explicit path (argument, else env `RETAIN_KERNELS_NATIVE_PATH`), then the generated
 * loader `native/binding.cjs`, which tries the local build `native/retain-kernels.<platform>.node` and then
 * the platform package `@retain/kernels-<platform>`.
 */
function loadBinding(nativePath: string | undefined): Binding {
  const reasons: string[] = [];
  const explicit = nativePath ?? (process.env['RETAIN_KERNELS_NATIVE_PATH'] || undefined);
  if (explicit !== undefined) {
    try {
      return checked(require(explicit), explicit);
    } catch (err) {
      reasons.push(`${explicit}: ${describe(err)}`);
    }
  }
  try {
    // One level above both src/ and dist/.
    return checked(require('../native/binding.cjs'), 'native/binding.cjs');
  } catch (err) {
    reasons.push(`local build or @retain/kernels-${process.platform}-${process.arch}: ${describe(err)}`);
  }
  throw new RetainError('E_NATIVE_UNAVAILABLE', `native kernels unavailable: ${reasons.join('; ')}`);
}

function adapt(b: Binding): RawKernels {
  return {
    forward: (a) =>
      b.forward(a.sizes as number[], a.activation, a.params, a.x, a.batch, a.logits, a.outputMask, a.dropout?.rate, a.dropout?.seed),
    forwardAsync: async (a) =>
      b.forwardAsync(a.sizes as number[], a.activation, a.params, a.x, a.batch, a.logits, a.outputMask, a.dropout?.rate, a.dropout?.seed),
    lossGrad: (a) =>
      b.lossGrad(
        a.sizes as number[],
        a.activation,
        a.params,
        a.x,
        a.batch,
        a.targets,
        a.grad,
        a.perExampleLoss,
        a.logits,
        a.weights,
        a.outputMask,
        a.dropout?.rate,
        a.dropout?.seed,
        a.distill?.teacherLogits,
        a.distill?.temperature,
        a.distill?.weight,
        a.distill?.classGroups,
        a.distill?.rowWeights,
      ),
    lossGradAsync: async (a) =>
      b.lossGradAsync(
        a.sizes as number[],
        a.activation,
        a.params,
        a.x,
        a.batch,
        a.targets,
        a.grad,
        a.perExampleLoss,
        a.logits,
        a.weights,
        a.outputMask,
        a.dropout?.rate,
        a.dropout?.seed,
        a.distill?.teacherLogits,
        a.distill?.temperature,
        a.distill?.weight,
        a.distill?.classGroups,
        a.distill?.rowWeights,
      ),
    fisherDiag: (a) =>
      b.fisherDiag(a.sizes as number[], a.activation, a.params, a.x, a.batch, a.kind, a.targets, a.outputMask, a.fisher),
    fisherDiagAsync: async (a) =>
      b.fisherDiagAsync(a.sizes as number[], a.activation, a.params, a.x, a.batch, a.kind, a.targets, a.outputMask, a.fisher),
    setThreads: (n) => b.setThreads(n),
    threads: () => b.threads(),
    ewcPenaltyGrad: (a) => b.ewcPenaltyGrad(a.params, a.anchor, a.fisher, a.lambda, a.grad),
    ewcPenaltyGradAsync: async (a) => b.ewcPenaltyGradAsync(a.params, a.anchor, a.fisher, a.lambda, a.grad),
    siAccumulate: (a) => b.siAccumulate(a.omega, a.grad, a.before, a.after),
    sgdStep: (a) =>
      b.sgdStep(a.params, a.grad, a.velocity, a.lr, a.momentum ?? 0, a.weightDecay ?? 0, a.nesterov ?? false, a.clipNorm ?? 0),
    sgdStepAsync: async (a) =>
      b.sgdStepAsync(a.params, a.grad, a.velocity, a.lr, a.momentum ?? 0, a.weightDecay ?? 0, a.nesterov ?? false, a.clipNorm ?? 0),
    adamStep: (a) =>
      b.adamStep(a.params, a.grad, a.m, a.v, a.step, a.lr, a.beta1 ?? 0.9, a.beta2 ?? 0.999, a.eps ?? 1e-8, a.weightDecay ?? 0, a.clipNorm ?? 0),
    adamStepAsync: async (a) =>
      b.adamStepAsync(a.params, a.grad, a.m, a.v, a.step, a.lr, a.beta1 ?? 0.9, a.beta2 ?? 0.999, a.eps ?? 1e-8, a.weightDecay ?? 0, a.clipNorm ?? 0),
  };
}

/** Load the native binding; throws a RetainError (E_NATIVE_UNAVAILABLE) naming every reason when it cannot. */
export function loadNativeRaw(nativePath?: string): { raw: RawKernels; info: Omit<KernelsInfo, 'backend'> } {
  const binding = loadBinding(nativePath);
  const native = binding.info();
  return { raw: adapt(binding), info: { version: native.version, cpuFeatures: native.cpuFeatures } };
}
