import { InvalidArgumentError, Rng } from '@retain/core';

/** Result of {@link pairedBootstrapLowerBound}. */
export interface BootstrapBound {
  /** Mean of the paired deltas. */
  mean: number;
  /** One-sided lower confidence bound of the mean delta. */
  lowerBound: number;
  confidence: number;
  resamples: number;
}

/**
 * One-sided percentile-bootstrap lower bound on the mean of paired deltas: resample the n deltas
 * with replacement `resamples` times (all draws from `rng`), and take the nearest-rank
 * (1 − confidence) quantile of the resampled means, sorted[ceil((1 − c)·B) − 1].
 */
export function pairedBootstrapLowerBound(
  deltas: readonly number[],
  confidence: number,
  resamples: number,
  rng: Rng,
): BootstrapBound {
  const n = deltas.length;
  if (n === 0) throw new InvalidArgumentError('deltas', 'needs at least one paired delta');
  if (!(confidence > 0 && confidence < 1)) {
    throw new InvalidArgumentError('confidence', `must be in (0, 1), got ${String(confidence)}`);
  }
  if (!Number.isInteger(resamples) || resamples < 1) {
    throw new InvalidArgumentError('resamples', `must be a positive integer, got ${String(resamples)}`);
  }
  let total = 0;
  for (const d of deltas) total += d;
  const means = new Float64Array(resamples);
  for (let b = 0; b < resamples; b++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += deltas[rng.int(n)]!;
    means[b] = s / n;
  }
  means.sort();
  const rank = Math.max(1, Math.ceil((1 - confidence) * resamples));
  return { mean: total / n, lowerBound: means[rank - 1]!, confidence, resamples };
}
