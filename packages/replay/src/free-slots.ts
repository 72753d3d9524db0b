/**
 * Free slots below the high-water mark, handed out lowest first (a binary min-heap), so which slot
 * an insert takes depends only on which slots are free, never on the order they were freed in.
 */
export class FreeSlots {
  private heap: Int32Array;
  private n = 0;

  constructor(capacity: number) {
    this.heap = new Int32Array(Math.max(1, capacity));
  }

  /** Number of free slots held. */
  get size(): number {
    return this.n;
  }

  /** Add a free slot. */
  push(slot: number): void {
    const h = this.heap;
    let i = this.n++;
    h[i] = slot;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (h[p]! <= h[i]!) break;
      const t = h[p]!;
      h[p] = h[i]!;
      h[i] = t;
      i = p;
    }
  }

  /** Remove and return the lowest free slot, or -1 when none. */
  pop(): number {
    if (this.n === 0) return -1;
    const h = this.heap;
    const top = h[0]!;
    const last = h[--this.n]!;
    if (this.n > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < this.n && h[l]! < h[m]!) m = l;
        if (r < this.n && h[r]! < h[m]!) m = r;
        if (m === i) break;
        const t = h[m]!;
        h[m] = h[i]!;
        h[i] = t;
        i = m;
      }
    }
    return top;
  }

  /** Drop every slot. */
  clear(): void {
    this.n = 0;
  }
}
