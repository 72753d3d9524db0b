import type { RawKernels } from '../types.js';
import { ewcPenaltyGradTs, siAccumulateTs } from './ewc.js';
import { fisherDiagTs } from './fisher.js';
import { forwardTs } from './forward.js';
import { lossGradTs } from './loss-grad.js';
import { adamStepTs, sgdStepTs } from './optimizers.js';
import { Workspace } from './workspace.js';
import { yieldToEventLoop } from './yield-to-event-loop.js';

/**
 * The pure-TypeScript kernels, without argument checks (wrap with `createKernels`). Each instance owns its
 * scratch buffers. The `*Async` variants run on the calling thread: they first yield to the event loop
 * (`setImmediate`), then compute synchronously, so a training loop built on them never starves I/O between
 * calls, but a single call still blocks for its duration.
 */
export function createTsRawKernels(): RawKernels {
  const ws = new Workspace();
  return {
    forward: (args) => forwardTs(ws, args),
    forwardAsync: async (args) => {
      await yieldToEventLoop();
      forwardTs(ws, args);
    },
    lossGrad: (args) => lossGradTs(ws, args),
    lossGradAsync: async (args) => {
      await yieldToEventLoop();
      return lossGradTs(ws, args);
    },
    fisherDiag: (args) => fisherDiagTs(ws, args),
    fisherDiagAsync: async (args) => {
      await yieldToEventLoop();
      fisherDiagTs(ws, args);
    },
    // The TypeScript backend runs every product on the calling thread.
    setThreads: () => 1,
    threads: () => 1,
    ewcPenaltyGrad: (args) => ewcPenaltyGradTs(args),
    ewcPenaltyGradAsync: async (args) => {
      await yieldToEventLoop();
      return ewcPenaltyGradTs(args);
    },
    siAccumulate: (args) => siAccumulateTs(args),
    sgdStep: (args) => sgdStepTs(args),
    sgdStepAsync: async (args) => {
      await yieldToEventLoop();
      return sgdStepTs(args);
    },
    adamStep: (args) => adamStepTs(args),
    adamStepAsync: async (args) => {
      await yieldToEventLoop();
      return adamStepTs(args);
    },
  };
}
