// The counter-based dropout mask of SPEC.md, bit-exact with the Rust backend: every keep/drop decision is
// a pure function of (seed, layer, example, unit), so no mask is stored between forward and backward and
// both backends draw the same mask for the same seed.

/** The `lowbias32` integer hash (Chris Wellons' constants) on unsigned 32-bit integers. */
export function lowbias32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

/** Per-layer key: `lowbias32(seed ^ lowbias32((layer + 1) * 0x9e3779b9))`, wrapping multiply. */
export function dropoutLayerKey(seed: number, layer: number): number {
  return lowbias32((seed ^ lowbias32(Math.imul(layer + 1, 0x9e3779b9))) >>> 0);
}

/** The 32 hash bits deciding unit `unit` of example `example` in hidden layer `layer` (width `width`). */
export function dropoutBits(seed: number, layer: number, example: number, unit: number, width: number): number {
  return lowbias32((dropoutLayerKey(seed, layer) ^ (Math.imul(example, width) + unit)) >>> 0);
}

/** Whether that unit is kept at this rate: the top 24 bits as a uniform in [0, 1), compared with `rate`. */
export function dropoutKeep(seed: number, layer: number, example: number, unit: number, width: number, rate: number): boolean {
  return (dropoutBits(seed, layer, example, unit, width) >>> 8) / 16777216 >= rate;
}

/**
 * Fills `scale[r·width + j]` for rows `rowStart .. rowStart+rows` of hidden layer `layer` with `1/(1−rate)`
 * where the unit is kept and 0 where it is dropped. Rows are global example indices, so a batch processed
 * in chunks gets the same mask as in one piece.
 */
export function fillDropoutScale(
  seed: number,
  layer: number,
  rate: number,
  rowStart: number,
  rows: number,
  width: number,
  scale: Float32Array,
): void {
  const key = dropoutLayerKey(seed, layer);
  const keepScale = 1 / (1 - rate);
  // (bits >>> 8) / 2^24 >= rate  ⇔  (bits >>> 8) >= rate·2^24 exactly: scaling by a power of two is exact.
  const threshold = rate * 16777216;
  for (let r = 0; r < rows; r++) {
    const base = Math.imul(rowStart + r, width);
    const o = r * width;
    for (let j = 0; j < width; j++) {
      const bits = lowbias32((key ^ (base + j)) >>> 0);
      scale[o + j] = bits >>> 8 >= threshold ? keepScale : 0;
    }
  }
}
