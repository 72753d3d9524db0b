import type { LossGradArgs } from '../types.js';
import { backwardChunk } from './mlp-backward.js';
import { forwardChunk, writeLogits } from './mlp-forward.js';
import { netView } from './net-view.js';
import { ROW_CHUNK } from './scratch.js';
import { softmaxXentChunk } from './softmax-xent.js';
import { SLOT_DELTA_A, type Workspace } from './workspace.js';

/** Forward + softmax cross-entropy (+ distillation) + backward over the batch, chunk by chunk. */
export function lossGradTs(ws: Workspace, args: LossGradArgs): number {
  const net = netView(args.sizes, args.activation, args.params);
  const dropout = args.dropout !== undefined && args.dropout.rate > 0 ? args.dropout : undefined;
  const B = args.batch;
  let total = 0;
  for (let start = 0; start < B; start += ROW_CHUNK) {
    const rows = Math.min(ROW_CHUNK, B - start);
    const delta = ws.misc.get(SLOT_DELTA_A, rows * net.maxWidth);
    const z = forwardChunk(ws, net, args.x, start, rows, dropout);
    if (args.logits !== undefined) writeLogits(z, start, rows, net.classes, args.outputMask, args.logits);
    total += softmaxXentChunk(
      z,
      start,
      rows,
      net.classes,
      args.targets,
      args.outputMask,
      args.weights,
      B,
      args.distill,
      delta,
      args.perExampleLoss,
    );
    backwardChunk(ws, net, args.x, start, rows, delta, args.grad, start > 0, dropout);
  }
  return total / B;
}
