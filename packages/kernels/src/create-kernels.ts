import { InvalidArgumentError } from '@retain/core';
import type { Kernels, KernelsInfo, RawKernels } from './types.js';

/** Most threads {@link Kernels.setThreads} accepts (the native crate's cap). */
export const MAX_THREADS = 64;
import { validateAdam, validateEwc, validateFisher, validateForward, validateLossGrad, validateSgd, validateSi } from './validate.js';

/**
 * Wraps a backend's unchecked {@link RawKernels} into {@link Kernels}: every call is validated first (typed
 * errors naming the field, nothing written on rejection), so all backends reject bad input identically.
 * The async variants validate synchronously at call time and report a rejection through the promise.
 */
export function createKernels(raw: RawKernels, info: KernelsInfo): Kernels {
  return {
    backend: info.backend,
    info,
    setThreads(n) {
      if (!Number.isInteger(n) || n < 1 || n > MAX_THREADS) {
        throw new InvalidArgumentError('threads', `must be an integer in [1, ${MAX_THREADS}], got ${String(n)}`);
      }
      return raw.setThreads(n);
    },
    threads: () => raw.threads(),
    forward(args) {
      validateForward(args);
      raw.forward(args);
    },
    async forwardAsync(args) {
      validateForward(args);
      return raw.forwardAsync(args);
    },
    lossGrad(args) {
      validateLossGrad(args);
      return raw.lossGrad(args);
    },
    async lossGradAsync(args) {
      validateLossGrad(args);
      return raw.lossGradAsync(args);
    },
    fisherDiag(args) {
      validateFisher(args);
      raw.fisherDiag(args);
    },
    async fisherDiagAsync(args) {
      validateFisher(args);
      return raw.fisherDiagAsync(args);
    },
    ewcPenaltyGrad(args) {
      validateEwc(args);
      return raw.ewcPenaltyGrad(args);
    },
    async ewcPenaltyGradAsync(args) {
      validateEwc(args);
      return raw.ewcPenaltyGradAsync(args);
    },
    siAccumulate(args) {
      validateSi(args);
      raw.siAccumulate(args);
    },
    sgdStep(args) {
      validateSgd(args);
      return raw.sgdStep(args);
    },
    async sgdStepAsync(args) {
      validateSgd(args);
      return raw.sgdStepAsync(args);
    },
    adamStep(args) {
      validateAdam(args);
      return raw.adamStep(args);
    },
    async adamStepAsync(args) {
      validateAdam(args);
      return raw.adamStepAsync(args);
    },
  };
}
