import { StoreCorruptError } from '@retain/core';
import type { ReplaySnapshot } from './replay-snapshot.js';

/**
 * Check that a parsed snapshot's per-slot arrays describe one consistent buffer (lengths, unique
 * ids, dense and group positions forming permutations); anything else is `StoreCorruptError`.
 */
export function checkSlotsConsistent(snap: ReplaySnapshot<unknown>): void {
  const cap = snap.config.capacity;
  const s = snap.slots;
  const arrays: [string, { length: number }][] = Object.entries(s);
  for (const [name, arr] of arrays) {
    if (arr.length !== cap) throw new StoreCorruptError(`snapshot.slots.${name}`, `length ${arr.length}, capacity ${cap}`);
  }
  const { hwm, domains } = snap.state;
  if (hwm > cap) throw new StoreCorruptError('snapshot.state.hwm', `${hwm} exceeds capacity ${cap}`);
  if (new Set(domains).size !== domains.length) throw new StoreCorruptError('snapshot.state.domains', 'duplicate domain');
  const ids = new Set<string>();
  const groupSizes = new Array<number>(domains.length).fill(0);
  let size = 0;
  for (let i = 0; i < cap; i++) {
    const id = s.ids[i];
    if (id === null || id === undefined) continue;
    if (i >= hwm) throw new StoreCorruptError(`snapshot.slots.ids[${i}]`, `occupied slot beyond hwm ${hwm}`);
    if (ids.has(id)) throw new StoreCorruptError(`snapshot.slots.ids[${i}]`, `duplicate id ${id}`);
    ids.add(id);
    const d = s.domain[i]!;
    if (d >= domains.length) throw new StoreCorruptError(`snapshot.slots.domain[${i}]`, `no domain ${d}`);
    groupSizes[d]!++;
    size++;
  }
  const denseSeen = new Uint8Array(size);
  const groupSeen = groupSizes.map((n) => new Uint8Array(n));
  for (let i = 0; i < cap; i++) {
    const id = s.ids[i];
    if (id === null || id === undefined) continue;
    const p = s.densePos[i]!;
    if (p < 0 || p >= size || denseSeen[p] === 1) {
      throw new StoreCorruptError(`snapshot.slots.densePos[${i}]`, `${p} is not a free position below ${size}`);
    }
    denseSeen[p] = 1;
    const seen = groupSeen[s.domain[i]!]!;
    const g = s.groupPos[i]!;
    if (g < 0 || g >= seen.length || seen[g] === 1) {
      throw new StoreCorruptError(`snapshot.slots.groupPos[${i}]`, `${g} is not a free position in its group`);
    }
    seen[g] = 1;
    if (!(s.priority[i]! >= 0) || !Number.isFinite(s.priority[i]!)) {
      throw new StoreCorruptError(`snapshot.slots.priority[${i}]`, `must be finite and ≥ 0, got ${s.priority[i]}`);
    }
  }
}
