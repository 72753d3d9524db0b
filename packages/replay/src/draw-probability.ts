import type { ExtremaTree } from './extrema-tree.js';
import type { ReplayStrategy } from './replay-config.js';
import type { SlotTable } from './slot-table.js';
import type { SumTree } from './sum-tree.js';

/**
 * Exact probability that one draw picks slot `s` under `strategy` (`groups` = number of non-empty
 * domains, used by domainBalanced; `sum` = the sampling tree of the weighted strategies).
 */
export function drawProbability(
  st: ReplayStrategy,
  t: SlotTable<unknown>,
  sum: SumTree | null,
  s: number,
  groups: number,
): number {
  const N = t.size;
  switch (st.kind) {
    case 'prioritizedLoss':
    case 'prioritizedRecency':
      return sum!.get(s) / sum!.total();
    case 'mixed':
      return (st.lossFraction * sum!.get(s)) / sum!.total() + (1 - st.lossFraction) / N;
    case 'domainBalanced':
      return 1 / (groups * t.groups[t.domain[s]!]!.length);
    default:
      return 1 / N;
  }
}

/**
 * The smallest draw probability of any stored item, which normalizes importance weights so the
 * largest possible weight is 1; 0 when it underflows (the caller then normalizes per batch).
 */
export function minDrawProbability(
  st: ReplayStrategy,
  t: SlotTable<unknown>,
  sum: SumTree | null,
  ext: ExtremaTree | null,
  groupsNonEmpty: readonly number[],
): number {
  const N = t.size;
  switch (st.kind) {
    case 'prioritizedLoss':
      return ext!.min() / sum!.total();
    case 'prioritizedRecency':
      // Recency weights grow with the eviction key (the clock), so the oldest item has the least.
      return sum!.get(ext!.argmin()) / sum!.total();
    case 'mixed':
      return (st.lossFraction * ext!.min()) / sum!.total() + (1 - st.lossFraction) / N;
    case 'domainBalanced': {
      let largest = 0;
      for (const d of groupsNonEmpty) largest = Math.max(largest, t.groups[d]!.length);
      return 1 / (groupsNonEmpty.length * largest);
    }
    default:
      return 1 / N;
  }
}
