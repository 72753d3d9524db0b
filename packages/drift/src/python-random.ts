import { z } from 'zod';
import { InvalidArgumentError, parseAt } from '@retain/core';

const N = 624;
const M = 397;
const TWO_POW_26 = 67108864;
const TWO_POW_53 = 9007199254740992;
const TWO_POW_32 = 4294967296;

/** The saved form of a {@link PythonRandom}: restore it and the same draws follow. */
export interface PythonRandomState {
  version: 1;
  algorithm: 'mt19937';
  mt: number[];
  index: number;
  gaussNext: number | null;
}

/** zod schema of {@link PythonRandomState}. */
export const pythonRandomStateSchema = z.object({
  version: z.literal(1),
  algorithm: z.literal('mt19937'),
  mt: z.array(z.number().int().min(0).max(0xffffffff)).length(N),
  index: z.number().int().min(0).max(N),
  gaussNext: z.number().nullable(),
});

/**
 * A port of CPython's `random.Random` (MT19937 seeded through `init_by_array`). It exists so that
 * River's published examples, and KSWIN's sampling, reproduce draw for draw; use `Rng` from
 * `@retain/core` for anything that need not match Python.
 */
export class PythonRandom {
  private readonly mt = new Uint32Array(N);
  private index = N + 1;
  private gaussNext: number | null = null;

  /** Seed like `random.Random(seed)` for an int seed (its 32-bit words, least significant first). */
  constructor(seed: number) {
    if (!Number.isSafeInteger(seed)) {
      throw new InvalidArgumentError('seed', `must be a safe integer, got ${String(seed)}`);
    }
    const a = Math.abs(seed);
    const lo = a % TWO_POW_32;
    const hi = Math.floor(a / TWO_POW_32);
    this.initByArray(hi > 0 ? [lo, hi] : [lo]);
  }

  /** Restore a generator saved with {@link PythonRandom.getState}. */
  static fromState(state: unknown): PythonRandom {
    const st = parseAt(pythonRandomStateSchema, state, 'pythonRandomState', 'store');
    const r = new PythonRandom(0);
    r.mt.set(st.mt);
    r.index = st.index;
    r.gaussNext = st.gaussNext;
    return r;
  }

  /** A plain, JSON-safe copy of the state. */
  getState(): PythonRandomState {
    return {
      version: 1,
      algorithm: 'mt19937',
      mt: Array.from(this.mt),
      index: this.index,
      gaussNext: this.gaussNext,
    };
  }

  private initGenrand(s: number): void {
    const mt = this.mt;
    mt[0] = s >>> 0;
    for (let i = 1; i < N; i++) {
      const prev = mt[i - 1]!;
      mt[i] = (Math.imul(1812433253, (prev ^ (prev >>> 30)) >>> 0) + i) >>> 0;
    }
    this.index = N;
  }

  private initByArray(key: readonly number[]): void {
    const mt = this.mt;
    this.initGenrand(19650218);
    let i = 1;
    let j = 0;
    for (let k = Math.max(N, key.length); k > 0; k--) {
      const prev = mt[i - 1]!;
      mt[i] = (((mt[i]! ^ Math.imul((prev ^ (prev >>> 30)) >>> 0, 1664525)) >>> 0) + key[j]! + j) >>> 0;
      i++;
      j++;
      if (i >= N) {
        mt[0] = mt[N - 1]!;
        i = 1;
      }
      if (j >= key.length) j = 0;
    }
    for (let k = N - 1; k > 0; k--) {
      const prev = mt[i - 1]!;
      mt[i] = (((mt[i]! ^ Math.imul((prev ^ (prev >>> 30)) >>> 0, 1566083941)) >>> 0) - i) >>> 0;
      i++;
      if (i >= N) {
        mt[0] = mt[N - 1]!;
        i = 1;
      }
    }
    mt[0] = 0x80000000;
    this.index = N;
  }

  private twist(): void {
    const mt = this.mt;
    let kk = 0;
    for (; kk < N - M; kk++) {
      const y = (mt[kk]! & 0x80000000) | (mt[kk + 1]! & 0x7fffffff);
      mt[kk] = (mt[kk + M]! ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0)) >>> 0;
    }
    for (; kk < N - 1; kk++) {
      const y = (mt[kk]! & 0x80000000) | (mt[kk + 1]! & 0x7fffffff);
      mt[kk] = (mt[kk + (M - N)]! ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0)) >>> 0;
    }
    const y = (mt[N - 1]! & 0x80000000) | (mt[0]! & 0x7fffffff);
    mt[N - 1] = (mt[M - 1]! ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0)) >>> 0;
    this.index = 0;
  }

  /** Next tempered 32-bit output (`genrand_uint32`). */
  nextU32(): number {
    if (this.index >= N) this.twist();
    let y = this.mt[this.index++]!;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** `random.random()`: a float in [0, 1) with 53 random bits. */
  random(): number {
    const a = this.nextU32() >>> 5;
    const b = this.nextU32() >>> 6;
    return (a * TWO_POW_26 + b) / TWO_POW_53;
  }

  /** `random.getrandbits(k)` for 0 ≤ k ≤ 32. */
  getrandbits(k: number): number {
    if (!Number.isInteger(k) || k < 0 || k > 32) {
      throw new InvalidArgumentError('k', `must be an integer in [0, 32], got ${String(k)}`);
    }
    if (k === 0) return 0;
    return this.nextU32() >>> (32 - k);
  }

  /** `Random._randbelow(n)`: uniform in [0, n) by rejection on `n.bit_length()` bits. */
  randbelow(n: number): number {
    if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) {
      throw new InvalidArgumentError('n', `must be an integer in [0, 2^32), got ${String(n)}`);
    }
    if (n === 0) return 0;
    const k = 32 - Math.clz32(n);
    let r = this.getrandbits(k);
    while (r >= n) r = this.getrandbits(k);
    return r;
  }

  /** `random.choices(population, weights, k=k)`; without weights it picks `pop[floor(random()·n)]`. */
  choices<T>(population: readonly T[], k: number, weights?: readonly number[]): T[] {
    const n = population.length;
    if (n === 0) throw new InvalidArgumentError('population', 'must not be empty');
    if (!Number.isInteger(k) || k < 0) throw new InvalidArgumentError('k', `must be a non-negative integer, got ${k}`);
    const out: T[] = new Array<T>(k);
    if (weights === undefined) {
      for (let i = 0; i < k; i++) out[i] = population[Math.floor(this.random() * n)]!;
      return out;
    }
    if (weights.length !== n) {
      throw new InvalidArgumentError('weights', `needs ${n} entries, got ${weights.length}`);
    }
    const cum = new Float64Array(n);
    let acc = 0;
    for (let i = 0; i < n; i++) {
      const w = weights[i]!;
      if (!Number.isFinite(w) || w < 0) throw new InvalidArgumentError(`weights[${i}]`, `must be finite and ≥ 0, got ${w}`);
      acc += w;
      cum[i] = acc;
    }
    const total = cum[n - 1]!;
    if (!(total > 0)) throw new InvalidArgumentError('weights', 'total of weights must be greater than zero');
    for (let i = 0; i < k; i++) out[i] = population[bisectRight(cum, this.random() * total, n - 1)]!;
    return out;
  }

  /**
   * `random.sample(range(n), k)`: k distinct indices, by the same algorithm and draws as CPython
   * (a shrinking pool when a list of n is smaller than a set of k, else rejection on a set).
   */
  sampleIndices(n: number, k: number): number[] {
    if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('n', `must be a non-negative integer, got ${n}`);
    if (!Number.isInteger(k) || k < 0 || k > n) {
      throw new InvalidArgumentError('k', `must be an integer in [0, ${n}], got ${k}`);
    }
    const result: number[] = new Array<number>(k);
    let setsize = 21;
    if (k > 5) setsize += 4 ** Math.ceil(Math.log(k * 3) / Math.log(4));
    if (n <= setsize) {
      const pool = new Int32Array(n);
      for (let i = 0; i < n; i++) pool[i] = i;
      for (let i = 0; i < k; i++) {
        const j = this.randbelow(n - i);
        result[i] = pool[j]!;
        pool[j] = pool[n - i - 1]!;
      }
    } else {
      const selected = new Set<number>();
      for (let i = 0; i < k; i++) {
        let j = this.randbelow(n);
        while (selected.has(j)) j = this.randbelow(n);
        selected.add(j);
        result[i] = j;
      }
    }
    return result;
  }

  /** `random.gauss(mu, sigma)` (Box–Muller pair, second deviate cached in the state). */
  gauss(mu = 0, sigma = 1): number {
    let z = this.gaussNext;
    this.gaussNext = null;
    if (z === null) {
      const x2pi = this.random() * 2 * Math.PI;
      const g2rad = Math.sqrt(-2 * Math.log(1 - this.random()));
      z = Math.cos(x2pi) * g2rad;
      this.gaussNext = Math.sin(x2pi) * g2rad;
    }
    return mu + z * sigma;
  }
}

/** `bisect.bisect_right(a, x, 0, hi)`. */
function bisectRight(a: Float64Array, x: number, hi: number): number {
  let lo = 0;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (x < a[mid]!) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
