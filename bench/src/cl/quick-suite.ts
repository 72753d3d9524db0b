// The CI-sized suite: the cells whose ordering must always hold, on small subsets with few steps.
import type { Kernels } from '@retain/kernels';
import { runCell } from './run-cell.js';
import type { RunRecord } from './run-record.js';

/** Cells of the quick suite: class-IL split MNIST (fine-tune, replay, joint) and permuted MNIST (fine-tune, EWC, joint). */
export const QUICK_CELLS = [
  { scenario: 'split-mnist-class', method: 'fine-tune' },
  { scenario: 'split-mnist-class', method: 'replay-reservoir' },
  { scenario: 'split-mnist-class', method: 'joint' },
  { scenario: 'permuted-mnist', method: 'fine-tune' },
  { scenario: 'permuted-mnist', method: 'ewc' },
  { scenario: 'permuted-mnist', method: 'joint' },
] as const;

/** Run every quick cell with `seed`. */
export function runQuickSuite(seed = 0, options: { kernels?: Kernels; log?: (line: string) => void } = {}): RunRecord[] {
  return QUICK_CELLS.map((c) => {
    options.log?.(`${c.scenario} / ${c.method}`);
    return runCell({ ...c, seed, quick: true, ...options });
  });
}
