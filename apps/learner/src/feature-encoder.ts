import murmurhash from 'murmurhash';
import { z } from 'zod';
import { InvalidExampleError, float64ArraySchema, parseAt, type InputFeatures } from '@retain/core';

const utf8 = new TextEncoder();

/** Options of a {@link FeatureEncoder}. */
export interface FeatureEncoderOptions {
  /** Vector length. Dense inputs must have exactly this length; named fields are hashed into this many slots. */
  size: number;
  /** Online standardization with running mean and variance (Welford), part of the state. */
  standardize: boolean;
}

export const featureEncoderSnapshotSchema = z.object({
  version: z.literal(1),
  size: z.number().int().positive(),
  standardize: z.boolean(),
  count: z.number().int().nonnegative(),
  mean: float64ArraySchema,
  m2: float64ArraySchema,
});
export type FeatureEncoderSnapshot = z.infer<typeof featureEncoderSnapshotSchema>;

/**
 * Turns an example's input into a Float32Array: dense vectors pass through; named fields are feature-hashed
 * (MurmurHash3, signed, as scikit-learn's FeatureHasher): a numeric field adds its value at hash(name), a
 * string field adds 1 at hash(name=value). Optional online standardization per slot.
 */
export class FeatureEncoder {
  readonly size: number;
  readonly standardize: boolean;
  private count = 0;
  private mean: Float64Array;
  private m2: Float64Array;

  constructor(options: FeatureEncoderOptions) {
    this.size = options.size;
    this.standardize = options.standardize;
    this.mean = new Float64Array(options.size);
    this.m2 = new Float64Array(options.size);
  }

  /**
   * Encode into `out` (length `size`) without touching the encoder's state; throws InvalidExampleError naming
   * the field when the input is malformed. Standardization uses the statistics seen so far.
   */
  encode(input: InputFeatures, out: Float32Array, field = 'input'): void {
    this.encodeRaw(input, out, field);
    this.applyStandardization(out);
  }

  /** Encode without standardization (the form {@link observe} takes). */
  encodeRaw(input: InputFeatures, out: Float32Array, field = 'input'): void {
    if (input instanceof Float32Array && input.length === this.size) {
      // The common dense case: one copy, then a scan for NaN/±Infinity (x − x is 0 for every finite float).
      out.set(input);
      for (let i = 0; i < this.size; i++) {
        const v = out[i]!;
        if (v - v !== 0) throw new InvalidExampleError(`${field}[${i}]`, `must be a finite number, got ${String(v)}`);
      }
      return;
    }
    out.fill(0);
    if (input instanceof Float32Array || Array.isArray(input)) {
      const dense = input as ArrayLike<number>;
      if (dense.length !== this.size) {
        throw new InvalidExampleError(field, `expected ${this.size} features, got ${dense.length}`);
      }
      for (let i = 0; i < this.size; i++) {
        const v = dense[i];
        if (typeof v !== 'number' || !Number.isFinite(v)) {
          throw new InvalidExampleError(`${field}[${i}]`, `must be a finite number, got ${String(v)}`);
        }
        out[i] = v;
      }
    } else if (input !== null && typeof input === 'object') {
      const entries = Object.entries(input);
      if (entries.length === 0) throw new InvalidExampleError(field, 'has no fields');
      for (const [name, v] of entries) {
        let key: string;
        let value: number;
        if (typeof v === 'number') {
          if (!Number.isFinite(v)) throw new InvalidExampleError(`${field}.${name}`, `must be finite, got ${String(v)}`);
          key = name;
          value = v;
        } else if (typeof v === 'boolean') {
          key = name;
          value = v ? 1 : 0;
        } else if (typeof v === 'string') {
          key = `${name}=${v}`;
          value = 1;
        } else {
          throw new InvalidExampleError(`${field}.${name}`, `must be a number, string or boolean, got ${typeof v}`);
        }
        const h = murmurhash.v3(utf8.encode(key), 0) | 0;
        const slot = Math.abs(h) % this.size;
        out[slot] += h >= 0 ? value : -value;
      }
    } else {
      throw new InvalidExampleError(field, 'must be a Float32Array, an array of numbers or an object of named fields');
    }
  }

  /** Standardize an encoded vector in place with the running statistics (no-op when off or too few seen). */
  applyStandardization(out: Float32Array): void {
    if (this.standardize && this.count > 1) {
      for (let i = 0; i < this.size; i++) {
        const variance = this.m2[i]! / (this.count - 1);
        const sd = variance > 1e-12 ? Math.sqrt(variance) : 1;
        out[i] = (out[i]! - this.mean[i]!) / sd;
      }
    }
  }

  /** Fold a raw (unstandardized) encoded vector into the running statistics. */
  observe(raw: Float32Array): void {
    if (!this.standardize) return;
    this.count++;
    const n = this.count;
    for (let i = 0; i < this.size; i++) {
      const x = raw[i]!;
      const d = x - this.mean[i]!;
      this.mean[i] = this.mean[i]! + d / n;
      this.m2[i] = this.m2[i]! + d * (x - this.mean[i]!);
    }
  }

  snapshot(): FeatureEncoderSnapshot {
    return {
      version: 1,
      size: this.size,
      standardize: this.standardize,
      count: this.count,
      mean: this.mean.slice(),
      m2: this.m2.slice(),
    };
  }

  static restore(raw: unknown): FeatureEncoder {
    const s = parseAt(featureEncoderSnapshotSchema, raw, 'featureEncoder', 'store');
    const enc = new FeatureEncoder({ size: s.size, standardize: s.standardize });
    enc.count = s.count;
    enc.mean.set(s.mean);
    enc.m2.set(s.m2);
    return enc;
  }
}
