/**
 * The k best (slot, score) pairs of a stream: higher score wins, equal scores prefer the larger
 * tie key (the newer step). A size-k min-heap, so a full scan costs O(n log k).
 */
export class TopK {
  private readonly slots: Int32Array;
  private readonly scores: Float64Array;
  private readonly ties: Float64Array;
  private n = 0;

  constructor(readonly k: number) {
    this.slots = new Int32Array(k);
    this.scores = new Float64Array(k);
    this.ties = new Float64Array(k);
  }

  /** Consider one candidate. */
  offer(slot: number, score: number, tie: number): void {
    if (this.k === 0) return;
    if (this.n < this.k) {
      const i = this.n++;
      this.put(i, slot, score, tie);
      this.up(i);
    } else if (this.worse(0, score, tie)) {
      this.put(0, slot, score, tie);
      this.down(0);
    }
  }

  /** The kept pairs, best first. */
  sorted(): [number, number][] {
    const idx = Array.from({ length: this.n }, (_, i) => i);
    idx.sort((a, b) => this.scores[b]! - this.scores[a]! || this.ties[b]! - this.ties[a]!);
    return idx.map((i) => [this.slots[i]!, this.scores[i]!]);
  }

  /** True if entry i ranks below (score, tie). */
  private worse(i: number, score: number, tie: number): boolean {
    const s = this.scores[i]!;
    return s < score || (s === score && this.ties[i]! < tie);
  }

  private put(i: number, slot: number, score: number, tie: number): void {
    this.slots[i] = slot;
    this.scores[i] = score;
    this.ties[i] = tie;
  }

  private up(i: number): void {
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.worse(i, this.scores[p]!, this.ties[p]!)) break;
      this.swap(i, p);
      i = p;
    }
  }

  private down(i: number): void {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < this.n && this.worse(l, this.scores[m]!, this.ties[m]!)) m = l;
      if (r < this.n && this.worse(r, this.scores[m]!, this.ties[m]!)) m = r;
      if (m === i) return;
      this.swap(i, m);
      i = m;
    }
  }

  private swap(i: number, j: number): void {
    const s = this.slots[i]!;
    const c = this.scores[i]!;
    const t = this.ties[i]!;
    this.put(i, this.slots[j]!, this.scores[j]!, this.ties[j]!);
    this.put(j, s, c, t);
  }
}
