// Robust timing for a noisy shared machine: warm up, calibrate, then interleave the cases round by round
// so that a burst of load from a neighbour hits every case alike, and report the median with its spread.

/** One piece of work to time. */
export interface TimedCase {
  name: string;
  /** One operation; timed `iterations` times in a row per round. */
  run: () => void;
  /** Called before each round, outside the timer (e.g. restore parameters so every round does the same work). */
  reset?: () => void;
}

/** Per-operation times of one case, in milliseconds. */
export interface Timing {
  name: string;
  /** Operations per timed round, chosen so a round lasts about `roundMs`. */
  iterations: number;
  /** Mean ms per operation in each round, in round order. */
  roundsMs: number[];
  medianMs: number;
  /**
   * Median CPU time of the whole process per operation (user + system). Every backend timed here computes on
   * the calling thread, so cpu ≈ wall on a quiet machine and cpu < wall shows how much a busy one took away.
   */
  cpuMedianMs: number;
  minMs: number;
  maxMs: number;
  /** (max − min) / median over the rounds. */
  spread: number;
}

/** How long and how often to measure. */
export interface TimingPlan {
  rounds: number;
  /** Target duration of one case's round. */
  roundMs: number;
  /** Minimum warm-up time per case (JIT tiers, allocator, caches, tfjs kernels). */
  warmupMs: number;
  /** Minimum warm-up operations per case. */
  warmupRuns: number;
}

/** Median of a non-empty list. */
export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function warmUp(c: TimedCase, plan: TimingPlan): number {
  c.reset?.();
  const start = performance.now();
  let runs = 0;
  let last = 0;
  while (runs < plan.warmupRuns || performance.now() - start < plan.warmupMs) {
    const t0 = performance.now();
    c.run();
    last = performance.now() - t0;
    runs++;
  }
  return last;
}

/**
 * Times every case for `plan.rounds` rounds. Each case is warmed up and calibrated first; then round r runs
 * the cases in an order rotated by r, so no case always runs right after the same neighbour.
 */
export function measureInterleaved(cases: readonly TimedCase[], plan: TimingPlan): Map<string, Timing> {
  const iterations = cases.map((c) => {
    const oneMs = Math.max(warmUp(c, plan), 1e-3);
    return Math.min(100_000, Math.max(1, Math.round(plan.roundMs / oneMs)));
  });
  const rounds: number[][] = cases.map(() => []);
  const cpu: number[][] = cases.map(() => []);
  for (let r = 0; r < plan.rounds; r++) {
    for (let k = 0; k < cases.length; k++) {
      const i = (k + r) % cases.length;
      const c = cases[i]!;
      c.reset?.();
      const n = iterations[i]!;
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      for (let it = 0; it < n; it++) c.run();
      const wall = performance.now() - t0;
      const dc = process.cpuUsage(c0);
      rounds[i]!.push(wall / n);
      cpu[i]!.push((dc.user + dc.system) / 1000 / n);
    }
  }
  const out = new Map<string, Timing>();
  cases.forEach((c, i) => {
    const ms = rounds[i]!;
    const med = median(ms);
    const min = Math.min(...ms);
    const max = Math.max(...ms);
    out.set(c.name, {
      name: c.name,
      iterations: iterations[i]!,
      roundsMs: ms,
      medianMs: med,
      cpuMedianMs: median(cpu[i]!),
      minMs: min,
      maxMs: max,
      spread: (max - min) / med,
    });
  });
  return out;
}
