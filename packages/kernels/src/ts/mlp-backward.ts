import type { DropoutOptions } from '../types.js';
import { multiplyActivationGrad } from './activation.js';
import { gemmABt, transpose } from './matmul.js';
import type { NetView } from './net-view.js';
import { SLOT_DELTA_B, SLOT_T_A, SLOT_T_B, SLOT_WT, type Workspace } from './workspace.js';

/**
 * Backward pass of one chunk after {@link forwardChunk}: `outDelta` (rows × C) is d(loss)/d(logits).
 * Writes (first chunk, `accumulate` false) or adds the parameter gradient into `grad`.
 * Per layer: dW = δᵀ·a and db = Σ δ as one GEMM over the chunk, then δ ← (δ·W) ∘ dropout ∘ act'.
 */
export function backwardChunk(
  ws: Workspace,
  net: NetView,
  x: Float32Array,
  rowStart: number,
  rows: number,
  outDelta: Float32Array,
  grad: Float32Array,
  accumulate: boolean,
  dropout: DropoutOptions | undefined,
): void {
  const { sizes, params } = net;
  let delta = outDelta;
  // `outDelta` is the SLOT_DELTA_A buffer (rows × maxWidth); the two ping-pong as δ moves down the layers.
  let spare = ws.misc.get(SLOT_DELTA_B, rows * net.maxWidth);
  for (let l = net.layers - 1; l >= 0; l--) {
    const nIn = sizes[l]!;
    const nOut = sizes[l + 1]!;
    const a = l === 0 ? x : ws.acts.get(l, 0);
    const aOff = l === 0 ? rowStart * nIn : 0;
    const dT = ws.misc.get(SLOT_T_A, nOut * rows);
    const aT = ws.misc.get(SLOT_T_B, nIn * rows);
    transpose(delta, 0, rows, nOut, dT);
    transpose(a, aOff, rows, nIn, aT);
    const wOff = net.wOff[l]!;
    gemmABt(nOut, nIn, rows, dT, 0, aT, 0, grad, wOff, accumulate);
    const bOff = net.bOff[l]!;
    for (let o = 0; o < nOut; o++) {
      // dT row o holds δ[·][o] contiguously: the bias gradient is its sum.
      let s = accumulate ? grad[bOff + o]! : 0;
      const d = o * rows;
      for (let r = 0; r < rows; r++) s += dT[d + r]!;
      grad[bOff + o] = s;
    }
    if (l === 0) break;
    const wT = ws.misc.get(SLOT_WT, nIn * nOut);
    transpose(params, wOff, nOut, nIn, wT);
    gemmABt(rows, nIn, nOut, delta, 0, wT, 0, spare, 0, false);
    const n = rows * nIn;
    if (dropout !== undefined) {
      const scale = ws.scales.get(l, 0);
      for (let k = 0; k < n; k++) spare[k] = spare[k]! * scale[k]!;
      multiplyActivationGrad(net.activation, spare, ws.pres.get(l, 0), rows, nIn, 1);
    } else {
      multiplyActivationGrad(net.activation, spare, ws.acts.get(l, 0), rows, nIn, 1);
    }
    const t = delta;
    delta = spare;
    spare = t;
  }
}
