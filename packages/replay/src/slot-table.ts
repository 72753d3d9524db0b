import { FreeSlots } from './free-slots.js';
import type { ReplaySlots } from './replay-snapshot.js';
import type { ReplayEntry } from './replay-types.js';

/** One slot's row as `drainChanges` reports it; `id === null` means the slot is empty. */
export interface ReplaySlotRow<E> {
  slot: number;
  generation: number;
  id: string | null;
  /** Present only when the slot's content is new since the last drain (the caller must persist it). */
  item?: E;
  loss: number | null;
  priority: number;
  key: number;
  domain: string | null;
  step: number;
  time: number;
  replayCount: number;
  densePos: number;
  groupPos: number;
}

const DIRTY_META = 1;

/**
 * The buffer's storage: per-slot metadata as a structure of preallocated typed arrays, a dense list
 * of occupied slots (O(1) uniform draws), one member list per domain, and the change log that
 * `drainChanges` empties. Every position a draw depends on is itself stored per slot, so the table
 * can be rebuilt exactly from its rows.
 */
export class SlotTable<E> {
  readonly capacity: number;
  readonly ids: (string | null)[];
  readonly items: (E | undefined)[];
  readonly generation: Uint32Array;
  /** NaN = loss not yet known. */
  readonly loss: Float64Array;
  readonly priority: Float64Array;
  readonly key: Float64Array;
  readonly domain: Uint32Array;
  readonly step: Float64Array;
  readonly time: Float64Array;
  readonly replayCount: Uint32Array;
  readonly densePos: Int32Array;
  readonly groupPos: Int32Array;
  /** Occupied slots, in `densePos` order. */
  readonly dense: Int32Array;
  size = 0;
  /** Slots [0, hwm) have been used at least once. */
  hwm = 0;
  readonly domains: string[] = [];
  readonly groups: number[][] = [];
  private readonly domainIndex = new Map<string, number>();
  private readonly idToSlot = new Map<string, number>();
  private readonly free: FreeSlots;
  private readonly dirty: Uint8Array;
  private readonly contentNew: Uint8Array;
  private dirtyList: number[] = [];
  private removedIds: string[] = [];

  constructor(capacity: number) {
    this.capacity = capacity;
    this.ids = new Array<string | null>(capacity).fill(null);
    this.items = new Array<E | undefined>(capacity).fill(undefined);
    this.generation = new Uint32Array(capacity);
    this.loss = new Float64Array(capacity).fill(NaN);
    this.priority = new Float64Array(capacity);
    this.key = new Float64Array(capacity);
    this.domain = new Uint32Array(capacity);
    this.step = new Float64Array(capacity);
    this.time = new Float64Array(capacity);
    this.replayCount = new Uint32Array(capacity);
    this.densePos = new Int32Array(capacity).fill(-1);
    this.groupPos = new Int32Array(capacity).fill(-1);
    this.dense = new Int32Array(capacity);
    this.free = new FreeSlots(capacity);
    this.dirty = new Uint8Array(capacity);
    this.contentNew = new Uint8Array(capacity);
  }

  /** Slot of `id`, or -1. */
  slotOf(id: string): number {
    return this.idToSlot.get(id) ?? -1;
  }

  /** Index of a domain name, interning it on first sight. */
  internDomain(name: string): number {
    let d = this.domainIndex.get(name);
    if (d === undefined) {
      d = this.domains.length;
      this.domains.push(name);
      this.groups.push([]);
      this.domainIndex.set(name, d);
    }
    return d;
  }

  /** Index of a known domain name, or -1. */
  domainOf(name: string): number {
    return this.domainIndex.get(name) ?? -1;
  }

  /** A slot to fill while the table is not full: the lowest freed one, else the next unused. */
  takeFreeSlot(): number {
    const s = this.free.pop();
    return s >= 0 ? s : this.hwm++;
  }

  /** Fill an empty slot. */
  occupy(
    slot: number,
    id: string,
    item: E,
    domain: number,
    step: number,
    time: number,
    loss: number,
    priority: number,
    key: number,
  ): void {
    this.ids[slot] = id;
    this.items[slot] = item;
    this.domain[slot] = domain;
    this.step[slot] = step;
    this.time[slot] = time;
    this.loss[slot] = loss;
    this.priority[slot] = priority;
    this.key[slot] = key;
    this.replayCount[slot] = 0;
    this.idToSlot.set(id, slot);
    this.densePos[slot] = this.size;
    this.dense[this.size++] = slot;
    const g = this.groups[domain]!;
    this.groupPos[slot] = g.length;
    g.push(slot);
    this.contentNew[slot] = 1;
    this.markDirty(slot);
  }

  /**
   * Empty a slot and bump its generation so outstanding handles to it go stale. The slot is returned
   * to the free pool only when `release` is set (an eviction reuses it at once).
   */
  vacate(slot: number, release: boolean): string {
    const id = this.ids[slot]!;
    this.idToSlot.delete(id);
    this.ids[slot] = null;
    this.items[slot] = undefined;
    // Swap-remove from the dense list; the moved slot's position is part of its row.
    const p = this.densePos[slot]!;
    const last = this.dense[--this.size]!;
    if (last !== slot) {
      this.dense[p] = last;
      this.densePos[last] = p;
      this.markDirty(last);
    }
    this.densePos[slot] = -1;
    const g = this.groups[this.domain[slot]!]!;
    const gp = this.groupPos[slot]!;
    const glast = g.pop()!;
    if (glast !== slot) {
      g[gp] = glast;
      this.groupPos[glast] = gp;
      this.markDirty(glast);
    }
    this.groupPos[slot] = -1;
    this.loss[slot] = NaN;
    this.priority[slot] = 0;
    this.key[slot] = 0;
    this.domain[slot] = 0;
    this.step[slot] = 0;
    this.time[slot] = 0;
    this.replayCount[slot] = 0;
    this.generation[slot] = (this.generation[slot]! + 1) >>> 0;
    // An item added since the last drain was never persisted, so its removal needs no delete.
    if (this.contentNew[slot] === 0) this.removedIds.push(id);
    this.contentNew[slot] = 0;
    this.markDirty(slot);
    if (release) this.free.push(slot);
    return id;
  }

  /** Record that a slot's row changed. */
  markDirty(slot: number): void {
    if (this.dirty[slot] === 0) {
      this.dirty[slot] = DIRTY_META;
      this.dirtyList.push(slot);
    }
  }

  /** The row of one slot (with its item when `withItem`). */
  row(slot: number, withItem: boolean): ReplaySlotRow<E> {
    const id = this.ids[slot]!;
    const row: ReplaySlotRow<E> = {
      slot,
      generation: this.generation[slot]!,
      id,
      loss: Number.isNaN(this.loss[slot]!) ? null : this.loss[slot]!,
      priority: this.priority[slot]!,
      key: this.key[slot]!,
      domain: id === null ? null : this.domains[this.domain[slot]!]!,
      step: this.step[slot]!,
      time: this.time[slot]!,
      replayCount: this.replayCount[slot]!,
      densePos: this.densePos[slot]!,
      groupPos: this.groupPos[slot]!,
    };
    if (withItem && id !== null) row.item = this.items[slot] as E;
    return row;
  }

  /** Rows changed since the last drain (ascending slot), ids removed, then reset the log. */
  drain(): { rows: ReplaySlotRow<E>[]; removedIds: string[] } {
    const slots = this.dirtyList.sort((a, b) => a - b);
    const rows = slots.map((s) => this.row(s, this.contentNew[s] === 1));
    for (const s of slots) {
      this.dirty[s] = 0;
      this.contentNew[s] = 0;
    }
    const removedIds = this.removedIds;
    this.dirtyList = [];
    this.removedIds = [];
    return { rows, removedIds };
  }

  /** Forget pending changes (after a restore the restored state is the baseline). */
  private resetLog(): void {
    for (const s of this.dirtyList) {
      this.dirty[s] = 0;
      this.contentNew[s] = 0;
    }
    this.dirtyList = [];
    this.removedIds = [];
  }

  /**
   * Rebuild the id map, the dense and group lists and the free pool from the per-slot arrays (after
   * they were loaded from a snapshot, already validated).
   */
  private reindex(): void {
    this.idToSlot.clear();
    this.domainIndex.clear();
    this.domains.forEach((d, i) => this.domainIndex.set(d, i));
    for (let i = 0; i < this.groups.length; i++) this.groups[i] = [];
    this.free.clear();
    this.size = 0;
    for (let s = 0; s < this.capacity; s++) {
      const id = this.ids[s];
      if (id === null || id === undefined) {
        if (s < this.hwm) this.free.push(s);
        continue;
      }
      this.idToSlot.set(id, s);
      this.dense[this.densePos[s]!] = s;
      this.groups[this.domain[s]!]![this.groupPos[s]!] = s;
      this.size++;
    }
  }

  /** The public view of an occupied slot. */
  entry(s: number): ReplayEntry<E> {
    const loss = this.loss[s]!;
    return {
      id: this.ids[s]!,
      item: this.items[s] as E,
      loss: Number.isNaN(loss) ? null : loss,
      priority: this.priority[s]!,
      domain: this.domains[this.domain[s]!]!,
      step: this.step[s]!,
      time: this.time[s]!,
      replayCount: this.replayCount[s]!,
    };
  }

  /** Mean of the known losses (O(size)), or null when none is known. */
  meanKnownLoss(): number | null {
    let sum = 0;
    let known = 0;
    for (let i = 0; i < this.size; i++) {
      const l = this.loss[this.dense[i]!]!;
      if (!Number.isNaN(l)) {
        sum += l;
        known++;
      }
    }
    return known === 0 ? null : sum / known;
  }

  /** Stored items per domain name (domains with none left out). */
  domainCounts(): Record<string, number> {
    const out: Record<string, number> = {};
    this.groups.forEach((g, d) => {
      if (g.length > 0) out[this.domains[d]!] = g.length;
    });
    return out;
  }

  /** The per-slot arrays themselves (not copies); items of empty slots are null. */
  exportSlots(): ReplaySlots<E> {
    return {
      ids: this.ids,
      items: this.items.map((x, s) => (this.ids[s] === null ? null : (x as E))),
      generation: this.generation,
      loss: this.loss,
      priority: this.priority,
      key: this.key,
      domain: this.domain,
      step: this.step,
      time: this.time,
      replayCount: this.replayCount,
      densePos: this.densePos,
      groupPos: this.groupPos,
    };
  }

  /** Load validated per-slot arrays into this (fresh) table and rebuild every index from them. */
  importSlots(s: ReplaySlots<E>, domains: readonly string[], hwm: number): void {
    for (let i = 0; i < this.capacity; i++) {
      this.ids[i] = s.ids[i] ?? null;
      this.items[i] = this.ids[i] === null ? undefined : (s.items[i] as E);
    }
    this.generation.set(s.generation);
    this.loss.set(s.loss);
    this.priority.set(s.priority);
    this.key.set(s.key);
    this.domain.set(s.domain);
    this.step.set(s.step);
    this.time.set(s.time);
    this.replayCount.set(s.replayCount);
    this.densePos.set(s.densePos);
    this.groupPos.set(s.groupPos);
    for (const d of domains) this.internDomain(d);
    this.hwm = hwm;
    this.reindex();
    this.resetLog();
  }
}
