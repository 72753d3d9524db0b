import { loadKernels } from '@retain/kernels';
import { BatchBuffer, ConsolidationScheduler, Consolidator, EWC, TrainStep, type EncodedExample } from '@retain/consolidation';

const kernels = loadKernels(); // native when its binary loads, else pure TS
const model = { sizes: [2, 16, 2], activation: 'relu' as const };
const ewc = new EWC(kernels, { model, lambda: 50, mode: 'online', gamma: 0.9 });
const trainStep = new TrainStep({ kernels, model, seed: 1, optimizer: { kind: 'adam', lr: 0.02 }, regularizers: [ewc] });
const scheduler = new ConsolidationScheduler({ everyExamples: 100 });
const sleep = new Consolidator({ trainStep, ewc, scheduler }, { steps: 10, batchSize: 16 });
const seen: EncodedExample[] = [];
const recent: EncodedExample[] = [];
const buffer = new BatchBuffer(2);
for (let i = 0; i < 300; i++) {
  const ex = { x: [Math.sin(i), Math.cos(i * 0.7)], target: Math.sin(i) > 0 ? 1 : 0 };
  const { loss } = trainStep.step(buffer.pack([ex], 2)); // learn one example
  seen.push(ex);
  recent.push(ex);
  scheduler.observe();
  if (scheduler.shouldConsolidate()) {
    const report = sleep.consolidate({ sample: (n) => seen.slice(-n), recent, checkpoint: () => void trainStep.snapshot() });
    console.log(`sleep #${report.index}: ${report.steps} steps, Fisher refreshed: ${report.fisherRefreshed}, loss ${loss.toFixed(3)}`);
    recent.length = 0;
  }
}
export const consolidations = sleep.consolidations;
