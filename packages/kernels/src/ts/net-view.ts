import type { Activation } from '@retain/core';

/** Where each layer's weights and bias live in the flat parameter vector, computed once per call. */
export interface NetView {
  readonly sizes: readonly number[];
  /** Number of linear layers (sizes.length − 1). */
  readonly layers: number;
  readonly classes: number;
  readonly activation: Activation;
  readonly params: Float32Array;
  /** Offset of `fc{l}.weight` (n_{l+1} × n_l, row-major). */
  readonly wOff: Int32Array;
  /** Offset of `fc{l}.bias`. */
  readonly bOff: Int32Array;
  /** Widest layer, for sizing scratch. */
  readonly maxWidth: number;
}

/** Builds the {@link NetView} of an already validated MLP. */
export function netView(sizes: readonly number[], activation: Activation, params: Float32Array): NetView {
  const layers = sizes.length - 1;
  const wOff = new Int32Array(layers);
  const bOff = new Int32Array(layers);
  let off = 0;
  let maxWidth = 0;
  for (let l = 0; l < layers; l++) {
    const nIn = sizes[l]!;
    const nOut = sizes[l + 1]!;
    wOff[l] = off;
    off += nIn * nOut;
    bOff[l] = off;
    off += nOut;
  }
  for (const s of sizes) if (s > maxWidth) maxWidth = s;
  return { sizes, layers, classes: sizes[layers]!, activation, params, wOff, bOff, maxWidth };
}
