// Test accuracy of a learner's current model on a task, batched through the same kernels the learner uses.
import type { Kernels } from '@retain/kernels';
import type { MnistSet, OnlineLearner } from '@retain/learner';

const CHUNK = 500;

/**
 * Accuracy of `learner`'s model on `set` (its first `limit` images), outputs restricted to `allowed` when given.
 * The same arg-max as `learner.evaluate`, but 500 images per forward call instead of one. `model`: a copy of the
 * learner's model taken once for several sets (the default copies it per call).
 */
export function taskAccuracy(
  learner: OnlineLearner,
  set: MnistSet,
  allowed?: readonly number[],
  limit = set.n,
  model: Pick<ReturnType<OnlineLearner['model']>, 'sizes' | 'activation' | 'params'> = learner.model(),
): number {
  const { sizes, activation, params } = model;
  const kernels: Kernels = learner.kernels;
  const d = sizes[0]!;
  const classes = sizes[sizes.length - 1]!;
  const n = Math.min(limit, set.n);
  const logits = new Float32Array(CHUNK * classes);
  let mask: Uint8Array | undefined;
  if (allowed) {
    mask = new Uint8Array(CHUNK * classes);
    for (let i = 0; i < CHUNK; i++) for (const c of allowed) mask[i * classes + c] = 1;
  }
  let correct = 0;
  for (let start = 0; start < n; start += CHUNK) {
    const b = Math.min(CHUNK, n - start);
    kernels.forward({
      sizes,
      activation,
      params,
      x: set.x.subarray(start * d, (start + b) * d),
      batch: b,
      logits: logits.subarray(0, b * classes),
      ...(mask ? { outputMask: mask.subarray(0, b * classes) } : {}),
    });
    for (let i = 0; i < b; i++) {
      let best = 0;
      for (let c = 1; c < classes; c++) if (logits[i * classes + c]! > logits[i * classes + best]!) best = c;
      if (best === set.y[start + i]) correct++;
    }
  }
  return n > 0 ? correct / n : Number.NaN;
}
