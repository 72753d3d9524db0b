import type { ForwardArgs } from '../types.js';
import { forwardChunk, writeLogits } from './mlp-forward.js';
import { netView } from './net-view.js';
import { ROW_CHUNK } from './scratch.js';
import type { Workspace } from './workspace.js';

/** MLP forward into `args.logits` (masked entries −∞). */
export function forwardTs(ws: Workspace, args: ForwardArgs): void {
  const net = netView(args.sizes, args.activation, args.params);
  const dropout = args.dropout !== undefined && args.dropout.rate > 0 ? args.dropout : undefined;
  for (let start = 0; start < args.batch; start += ROW_CHUNK) {
    const rows = Math.min(ROW_CHUNK, args.batch - start);
    const z = forwardChunk(ws, net, args.x, start, rows, dropout);
    writeLogits(z, start, rows, net.classes, args.outputMask, args.logits);
  }
}
