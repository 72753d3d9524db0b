/** Pearson's χ² statistic of observed counts against expected probabilities. */
export function chiSquare(observed: ArrayLike<number>, expectedP: ArrayLike<number>, draws: number): number {
  let stat = 0;
  for (let i = 0; i < observed.length; i++) {
    const e = expectedP[i]! * draws;
    stat += (observed[i]! - e) ** 2 / e;
  }
  return stat;
}

/** Upper 0.1% quantile of χ² with `df` degrees of freedom (Wilson–Hilferty; z = 3.0902). */
export function chiSquareCritical(df: number): number {
  const z = 3.0902;
  const a = 2 / (9 * df);
  return df * (1 - a + z * Math.sqrt(a)) ** 3;
}
