import type { Rng } from '@retain/core';
import type { SlotTable } from './slot-table.js';

/** Indices of the domains that currently hold at least one item, in order of first appearance. */
export function nonEmptyGroups(t: SlotTable<unknown>): number[] {
  const out: number[] = [];
  t.groups.forEach((g, d) => {
    if (g.length > 0) out.push(d);
  });
  return out;
}

/**
 * Class-balanced eviction for an incoming item of `domain` into a full table: quotas are ⌊cap/G⌋
 * plus one for the first `cap mod G` groups (in order of appearance); a random member of the group
 * furthest over its quota, once the incoming item is counted, is evicted (ties: the larger group,
 * then the earlier one). Returns the slot to evict.
 */
export function balancedVictim(t: SlotTable<unknown>, rng: Rng, domain: string): number {
  const incoming = t.domainOf(domain);
  const active: number[] = [];
  for (let d = 0; d < t.groups.length; d++) if (t.groups[d]!.length > 0 || d === incoming) active.push(d);
  const G = active.length + (incoming < 0 ? 1 : 0);
  const base = Math.floor(t.capacity / G);
  const extra = t.capacity % G;
  let best = -1;
  let bestExcess = -Infinity;
  let bestSize = -1;
  active.forEach((d, rank) => {
    const size = t.groups[d]!.length + (d === incoming ? 1 : 0);
    const excess = size - (base + (rank < extra ? 1 : 0));
    if (t.groups[d]!.length > 0 && (excess > bestExcess || (excess === bestExcess && size > bestSize))) {
      best = d;
      bestExcess = excess;
      bestSize = size;
    }
  });
  const g = t.groups[best]!;
  return g[rng.int(g.length)]!;
}
