import { InvalidArgumentError } from '@retain/core';

/** Result of a two-sample Kolmogorov–Smirnov test. */
export interface KsResult {
  /** D = sup |F₁ − F₂|, rounded to a multiple of 1/lcm(n₁, n₂) as SciPy does. */
  statistic: number;
  /** Exact two-sided p-value. */
  pValue: number;
}

/** Largest sample size accepted (SciPy's `method='auto'` is exact up to this size). */
export const KS_MAX_EXACT_N = 10000;

/**
 * Two-sided two-sample KS test with SciPy's `ks_2samp(method='auto')` arithmetic for samples of
 * at most {@link KS_MAX_EXACT_N}: the exact p-value (a Horner-like sum for equal sizes, the lattice
 * path recursion otherwise), computed in the same order so that p-values compare equal to SciPy's.
 */
export function ks2Samp(a: ArrayLike<number>, b: ArrayLike<number>): KsResult {
  const n1 = a.length;
  const n2 = b.length;
  if (n1 === 0) throw new InvalidArgumentError('a', 'must not be empty');
  if (n2 === 0) throw new InvalidArgumentError('b', 'must not be empty');
  if (Math.max(n1, n2) > KS_MAX_EXACT_N) {
    throw new InvalidArgumentError('a', `samples larger than ${KS_MAX_EXACT_N} are not supported (exact method)`);
  }
  const x = Float64Array.from(a).sort();
  const y = Float64Array.from(b).sort();
  for (let i = 0; i < n1; i++) if (Number.isNaN(x[i])) throw new InvalidArgumentError(`a[${i}]`, 'is NaN');
  for (let i = 0; i < n2; i++) if (Number.isNaN(y[i])) throw new InvalidArgumentError(`b[${i}]`, 'is NaN');
  // ECDF differences at every observed value (right-continuous), by a merge walk.
  let i = 0;
  let j = 0;
  let maxS = -Infinity;
  let minDiff = Infinity;
  while (i < n1 || j < n2) {
    const v = j === n2 ? x[i]! : i === n1 ? y[j]! : Math.min(x[i]!, y[j]!);
    while (i < n1 && x[i]! <= v) i++;
    while (j < n2 && y[j]! <= v) j++;
    const diff = i / n1 - j / n2;
    if (diff > maxS) maxS = diff;
    if (diff < minDiff) minDiff = diff;
  }
  const minS = Math.min(1, Math.max(0, -minDiff));
  let d = minS > maxS ? minS : maxS;
  const g = gcd(n1, n2);
  const lcm = (n1 / g) * n2;
  const h = roundHalfEven(d * lcm);
  d = h / lcm;
  if (h === 0) return { statistic: d, pValue: 1 };
  const p = n1 === n2 ? probOutsideSquare(n1, h) : outerProbInside(n1, n2, g, h);
  return { statistic: d, pValue: Math.min(1, Math.max(0, p)) };
}

/** P(D ≥ h/n) for two samples of size n: 2·A0·(1 − A1·(1 − A2·(…))). */
function probOutsideSquare(n: number, h: number): number {
  let P = 0;
  let k = Math.floor(n / h);
  while (k >= 0) {
    let p1 = 1;
    for (let j = 0; j < h; j++) p1 = ((n - k * h - j) * p1) / (n + k * h + j + 1);
    P = p1 * (1 - P);
    k -= 1;
  }
  return 2 * P;
}

/** Share of lattice paths from (0,0) to (m,n) that leave the band |x/m − y/n| < h/lcm. */
function outerProbInside(m0: number, n0: number, g: number, h: number): number {
  const m = Math.max(m0, n0);
  const n = Math.min(m0, n0);
  const mg = m / g;
  const ng = n / g;
  let minj = 0;
  let maxj = Math.min(Math.ceil(h / mg), n + 1);
  let curlen = maxj - minj;
  const lenA = Math.min(2 * maxj + 2, n + 1);
  const A = new Float64Array(lenA).fill(1);
  A.fill(0, minj, maxj);
  for (let i = 1; i <= m; i++) {
    const lastminj = minj;
    const lastlen = curlen;
    minj = Math.min(Math.max(Math.floor((ng * i - h) / mg) + 1, 0), n);
    maxj = Math.min(Math.ceil((ng * i + h) / mg), n + 1);
    if (maxj <= minj) return 1;
    let val = minj === 0 ? 0 : 1;
    for (let jj = 0; jj < maxj - minj; jj++) {
      const jv = jj + minj;
      val = (A[jj + minj - lastminj]! * i + val * jv) / (i + jv);
      A[jj] = val;
    }
    curlen = maxj - minj;
    if (lastlen > curlen) A.fill(1, maxj - minj, maxj - minj + (lastlen - curlen));
  }
  return A[maxj - minj - 1]!;
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** NumPy's `round`: halves go to the even neighbour. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}
