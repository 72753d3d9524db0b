import type { FisherArgs } from '../types.js';
import { multiplyActivationGrad } from './activation.js';
import { gemmABt, transpose, transposeSquared } from './matmul.js';
import { forwardChunk } from './mlp-forward.js';
import { netView } from './net-view.js';
import { ROW_CHUNK } from './scratch.js';
import { SLOT_DELTA_A, SLOT_DELTA_B, SLOT_SQ, SLOT_T_A, SLOT_T_B, SLOT_WT, type Workspace } from './workspace.js';

/**
 * Adds the diagonal Fisher's sum over the batch into `args.fisher`, with no per-example gradient loop:
 * per layer, Σᵢ (∂ℓᵢ/∂W)² = (δ∘δ)ᵀ·(a∘a) is one GEMM over the chunk, with δ the per-example (unscaled)
 * output-delta backpropagated through the layers.
 *
 * `expected` backpropagates C virtual rows per example, row (i, c) starting from √p_ic·(pᵢ − e_c), and
 * sums their squared deltas per example before the GEMM (all virtual rows of example i share aᵢ), which is
 * the same sum as one GEMM over all B·C rows.
 */
export function fisherDiagTs(ws: Workspace, args: FisherArgs): void {
  const net = netView(args.sizes, args.activation, args.params);
  const C = net.classes;
  const mask = args.outputMask;
  const expected = args.kind === 'expected';
  const perEx = expected ? C : 1;
  const chunk = expected ? Math.max(1, Math.floor(ROW_CHUNK / C)) : ROW_CHUNK;
  const { sizes, params, fisher } = args;
  for (let start = 0; start < args.batch; start += chunk) {
    const rows = Math.min(chunk, args.batch - start);
    const vrows = rows * perEx;
    let delta = ws.misc.get(SLOT_DELTA_A, vrows * net.maxWidth);
    let spare = ws.misc.get(SLOT_DELTA_B, vrows * net.maxWidth);
    const z = forwardChunk(ws, net, args.x, start, rows, undefined);
    outputDeltas(z, start, rows, C, mask, expected ? undefined : args.targets, delta);
    for (let l = net.layers - 1; l >= 0; l--) {
      const nIn = sizes[l]!;
      const nOut = sizes[l + 1]!;
      const dT = ws.misc.get(SLOT_T_A, nOut * rows);
      if (perEx === 1) {
        transposeSquared(delta, 0, rows, nOut, dT);
      } else {
        const sq = ws.misc.get(SLOT_SQ, rows * nOut);
        sumSquaredGroups(delta, rows, perEx, nOut, sq);
        transpose(sq, 0, rows, nOut, dT);
      }
      const aT = ws.misc.get(SLOT_T_B, nIn * rows);
      transposeSquared(l === 0 ? args.x : ws.acts.get(l, 0), l === 0 ? start * nIn : 0, rows, nIn, aT);
      const wOff = net.wOff[l]!;
      gemmABt(nOut, nIn, rows, dT, 0, aT, 0, fisher, wOff, true);
      const bOff = net.bOff[l]!;
      for (let o = 0; o < nOut; o++) {
        let s = fisher[bOff + o]!;
        const d = o * rows;
        for (let r = 0; r < rows; r++) s += dT[d + r]!;
        fisher[bOff + o] = s;
      }
      if (l === 0) break;
      const wT = ws.misc.get(SLOT_WT, nIn * nOut);
      transpose(params, wOff, nOut, nIn, wT);
      gemmABt(vrows, nIn, nOut, delta, 0, wT, 0, spare, 0, false);
      multiplyActivationGrad(net.activation, spare, ws.acts.get(l, 0), vrows, nIn, perEx);
      const t = delta;
      delta = spare;
      spare = t;
    }
  }
}

/**
 * Output deltas of the chunk: with `targets`, row r is p − e_y; without, example r expands to C rows,
 * row (r, c) = √p_c·(p − e_c). Masked classes have p = 0 and a zero delta.
 */
function outputDeltas(
  z: Float32Array,
  rowStart: number,
  rows: number,
  C: number,
  mask: Uint8Array | undefined,
  targets: Int32Array | undefined,
  delta: Float32Array,
): void {
  for (let r = 0; r < rows; r++) {
    const go = (rowStart + r) * C;
    const zo = r * C;
    let m = -Infinity;
    for (let c = 0; c < C; c++) if ((mask === undefined || mask[go + c] !== 0) && z[zo + c]! > m) m = z[zo + c]!;
    let sum = 0;
    for (let c = 0; c < C; c++) if (mask === undefined || mask[go + c] !== 0) sum += Math.exp(z[zo + c]! - m);
    if (targets !== undefined) {
      const y = targets[rowStart + r]!;
      for (let c = 0; c < C; c++) {
        const allowed = mask === undefined || mask[go + c] !== 0;
        delta[zo + c] = allowed ? Math.exp(z[zo + c]! - m) / sum - (c === y ? 1 : 0) : 0;
      }
      continue;
    }
    const vo = r * C * C;
    for (let c = 0; c < C; c++) {
      const allowedC = mask === undefined || mask[go + c] !== 0;
      const pc = allowedC ? Math.exp(z[zo + c]! - m) / sum : 0;
      const s = Math.sqrt(pc);
      const row = vo + c * C;
      for (let k = 0; k < C; k++) {
        const allowed = mask === undefined || mask[go + k] !== 0;
        const pk = allowed ? Math.exp(z[zo + k]! - m) / sum : 0;
        delta[row + k] = s === 0 ? 0 : s * (pk - (k === c ? 1 : 0));
      }
    }
  }
}

/** out[r][j] = Σ_{g < group} delta[r·group + g][j]²: the squared virtual-row deltas summed per example. */
function sumSquaredGroups(delta: Float32Array, rows: number, group: number, width: number, out: Float32Array): void {
  for (let r = 0; r < rows; r++) {
    const o = r * width;
    for (let j = 0; j < width; j++) out[o + j] = 0;
    for (let g = 0; g < group; g++) {
      const d = (r * group + g) * width;
      for (let j = 0; j < width; j++) {
        const v = delta[d + j]!;
        out[o + j] = out[o + j]! + v * v;
      }
    }
  }
}
