import type { DropoutOptions } from '../types.js';
import { activate } from './activation.js';
import { fillDropoutScale } from './dropout-hash.js';
import { gemmABt } from './matmul.js';
import type { NetView } from './net-view.js';
import { SLOT_LOGITS, type Workspace } from './workspace.js';

/**
 * Forward pass of rows `rowStart .. rowStart+rows` of `x`, keeping every hidden activation in the workspace
 * for the backward pass. Returns the logits buffer (rows × classes, from offset 0). `dropout` must be
 * undefined when its rate is 0 (the caller normalises that), so rate 0 is exactly the plain forward.
 */
export function forwardChunk(
  ws: Workspace,
  net: NetView,
  x: Float32Array,
  rowStart: number,
  rows: number,
  dropout: DropoutOptions | undefined,
): Float32Array {
  const { sizes, layers, params } = net;
  const logits = ws.misc.get(SLOT_LOGITS, rows * net.classes);
  let input = x;
  let inOff = rowStart * sizes[0]!;
  for (let l = 0; l < layers; l++) {
    const nIn = sizes[l]!;
    const nOut = sizes[l + 1]!;
    const last = l === layers - 1;
    const n = rows * nOut;
    // Without dropout h_{l+1} is a_{l+1}; with it, h goes to `pres` and the scaled copy to `acts`.
    const out = last ? logits : dropout === undefined ? ws.acts.get(l + 1, n) : ws.pres.get(l + 1, n);
    const bOff = net.bOff[l]!;
    out.set(params.subarray(bOff, bOff + nOut), 0);
    for (let r = 1; r < rows; r++) out.copyWithin(r * nOut, 0, nOut);
    gemmABt(rows, nOut, nIn, input, inOff, params, net.wOff[l]!, out, 0, true);
    if (!last) {
      activate(net.activation, out, n);
      if (dropout !== undefined) {
        const scale = ws.scales.get(l + 1, n);
        fillDropoutScale(dropout.seed, l, dropout.rate, rowStart, rows, nOut, scale);
        const a = ws.acts.get(l + 1, n);
        for (let k = 0; k < n; k++) a[k] = out[k]! * scale[k]!;
        input = a;
      } else {
        input = out;
      }
      inOff = 0;
    }
  }
  return logits;
}

/** Copies chunk logits to the caller's `logits` (rows × C at row `rowStart`), masked entries as −∞. */
export function writeLogits(
  z: Float32Array,
  rowStart: number,
  rows: number,
  classes: number,
  mask: Uint8Array | undefined,
  out: Float32Array,
): void {
  const o = rowStart * classes;
  const n = rows * classes;
  if (mask === undefined) {
    out.set(z.subarray(0, n), o);
    return;
  }
  for (let k = 0; k < n; k++) out[o + k] = mask[o + k] !== 0 ? z[k]! : -Infinity;
}
