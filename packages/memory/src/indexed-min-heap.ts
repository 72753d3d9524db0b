/**
 * A binary min-heap of slot ids ordered by two keys (primary, then secondary), with O(log n)
 * insert, removal of any slot and key change. Grows as slots grow.
 */
export class IndexedMinHeap {
  private heap: Int32Array;
  private pos: Int32Array;
  private primary: Float64Array;
  private secondary: Float64Array;
  private n = 0;

  constructor(initialSlots = 16) {
    const c = Math.max(1, initialSlots);
    this.heap = new Int32Array(c);
    this.pos = new Int32Array(c).fill(-1);
    this.primary = new Float64Array(c);
    this.secondary = new Float64Array(c);
  }

  /** Number of slots held. */
  get size(): number {
    return this.n;
  }

  /** The slot with the smallest keys, or -1 when empty. */
  peek(): number {
    return this.n === 0 ? -1 : this.heap[0]!;
  }

  /** Primary key of the top slot. */
  peekKey(): number {
    return this.n === 0 ? Infinity : this.primary[this.heap[0]!]!;
  }

  /** Insert a slot (or update its keys if present). */
  set(slot: number, primary: number, secondary: number): void {
    this.ensure(slot + 1);
    if (this.pos[slot]! >= 0) this.remove(slot);
    this.primary[slot] = primary;
    this.secondary[slot] = secondary;
    const i = this.n++;
    this.heap[i] = slot;
    this.pos[slot] = i;
    this.up(i);
  }

  /** Remove a slot if present. */
  remove(slot: number): void {
    if (slot >= this.pos.length) return;
    const i = this.pos[slot]!;
    if (i < 0) return;
    const last = this.heap[--this.n]!;
    this.pos[slot] = -1;
    if (i === this.n) return;
    this.heap[i] = last;
    this.pos[last] = i;
    this.up(i);
    this.down(this.pos[last]!);
  }

  /** Drop everything. */
  clear(): void {
    for (let i = 0; i < this.n; i++) this.pos[this.heap[i]!] = -1;
    this.n = 0;
  }

  private less(a: number, b: number): boolean {
    const pa = this.primary[a]!;
    const pb = this.primary[b]!;
    return pa < pb || (pa === pb && this.secondary[a]! < this.secondary[b]!);
  }

  private up(i: number): void {
    const h = this.heap;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(h[i]!, h[p]!)) break;
      this.swap(i, p);
      i = p;
    }
  }

  private down(i: number): void {
    const h = this.heap;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < this.n && this.less(h[l]!, h[m]!)) m = l;
      if (r < this.n && this.less(h[r]!, h[m]!)) m = r;
      if (m === i) return;
      this.swap(i, m);
      i = m;
    }
  }

  private swap(i: number, j: number): void {
    const h = this.heap;
    const a = h[i]!;
    const b = h[j]!;
    h[i] = b;
    h[j] = a;
    this.pos[b] = i;
    this.pos[a] = j;
  }

  private ensure(slots: number): void {
    if (slots <= this.pos.length) return;
    let c = this.pos.length;
    while (c < slots) c *= 2;
    const grow = <T extends Int32Array | Float64Array>(a: T, fill: number): T => {
      const b = new (a.constructor as new (n: number) => T)(c);
      b.fill(fill);
      b.set(a);
      return b;
    };
    this.heap = grow(this.heap, 0);
    this.pos = grow(this.pos, -1);
    this.primary = grow(this.primary, 0);
    this.secondary = grow(this.secondary, 0);
  }
}
