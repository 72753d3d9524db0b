import { z } from 'zod';
import { InvalidArgumentError } from './errors.js';
import { parseAt } from './schema.js';

/** The saved form of an {@link Rng}: restore it and the same numbers follow. */
export interface RngState {
  version: 1;
  algorithm: 'xoshiro128**';
  s: [number, number, number, number];
  /** A cached second normal deviate from Box–Muller, or null. */
  spare: number | null;
}

const u32 = z.number().int().min(0).max(0xffffffff);
export const rngStateSchema = z.object({
  version: z.literal(1),
  algorithm: z.literal('xoshiro128**'),
  s: z.tuple([u32, u32, u32, u32]),
  spare: z.number().nullable(),
});

function splitmix32(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (x + 0x9e3779b9) >>> 0;
    let z = x;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

const TWO_POW_26 = 67108864;
const TWO_POW_53 = 9007199254740992;

/**
 * Seeded pseudo-random generator (xoshiro128**, seeded through SplitMix32). Every random choice in
 * retain goes through one of these, and its state is part of every checkpoint.
 */
export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spare: number | null = null;

  constructor(seed: number) {
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new InvalidArgumentError('seed', `must be an integer in [0, 2^32), got ${String(seed)}`);
    }
    const next = splitmix32(seed);
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** Restore a generator from {@link Rng.getState}. */
  static fromState(state: unknown): Rng {
    const st = parseAt(rngStateSchema, state, 'rngState');
    const rng = new Rng(0);
    [rng.s0, rng.s1, rng.s2, rng.s3] = st.s;
    rng.spare = st.spare;
    return rng;
  }

  /** A plain, JSON-safe copy of the state. */
  getState(): RngState {
    return { version: 1, algorithm: 'xoshiro128**', s: [this.s0, this.s1, this.s2, this.s3], spare: this.spare };
  }

  /** Overwrite this generator's state in place. */
  setState(state: unknown): void {
    const other = Rng.fromState(state);
    this.s0 = other.s0;
    this.s1 = other.s1;
    this.s2 = other.s2;
    this.s3 = other.s3;
    this.spare = other.spare;
  }

  /** Next 32-bit unsigned integer. */
  nextU32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.s1 << 9) >>> 0;
    this.s2 = (this.s2 ^ this.s0) >>> 0;
    this.s3 = (this.s3 ^ this.s1) >>> 0;
    this.s1 = (this.s1 ^ this.s2) >>> 0;
    this.s0 = (this.s0 ^ this.s3) >>> 0;
    this.s2 = (this.s2 ^ t) >>> 0;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform float in [0, 1) with 53 bits of resolution. */
  float(): number {
    const a = this.nextU32() >>> 5;
    const b = this.nextU32() >>> 6;
    return (a * TWO_POW_26 + b) / TWO_POW_53;
  }

  /** Uniform integer in [0, n), unbiased (rejection sampling). */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0 || n > 0x100000000) {
      throw new InvalidArgumentError('n', `must be an integer in [1, 2^32], got ${String(n)}`);
    }
    if (n === 0x100000000) return this.nextU32();
    const limit = 0x100000000 - (0x100000000 % n);
    for (;;) {
      const x = this.nextU32();
      if (x < limit) return x % n;
    }
  }

  /** Standard normal deviate (Box–Muller; the second deviate is cached in the state). */
  normal(): number {
    if (this.spare !== null) {
      const v = this.spare;
      this.spare = null;
      return v;
    }
    let u = 0;
    while (u === 0) u = this.float();
    const v = this.float();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Fisher–Yates shuffle in place. */
  shuffle<T>(items: T[] | Float32Array | Int32Array | Uint32Array): void {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = items[i]!;
      items[i] = items[j]!;
      items[j] = tmp as never;
    }
  }

  /** A 32-bit seed for a counter-based generator (e.g. a dropout mask seed). */
  seed32(): number {
    return this.nextU32();
  }

  /** An independent generator derived from this one (advances this one by two draws). */
  fork(): Rng {
    const a = this.nextU32();
    const b = this.nextU32();
    return new Rng((a ^ Math.imul(b, 0x9e3779b1)) >>> 0);
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
