/** Fields of one node, interleaved so a node is one cache line rather than four scattered reads. */
const MIN = 0;
const TIE = 1;
const MAX = 2;
const ARG = 3;
const STRIDE = 4;

/**
 * A segment tree over `Float64Array` keys that answers the minimum (with its leaf index) and the
 * maximum in O(1) after O(log n) updates. Ties on the minimum are broken by a second key (smaller
 * wins: the buffer passes the insertion step, so among equal priorities the oldest goes first), then
 * by the lower leaf index. Empty leaves are ignored.
 */
export class ExtremaTree {
  /** Number of usable leaves. */
  readonly capacity: number;
  private readonly width: number;
  private readonly nodes: Float64Array;

  constructor(capacity: number) {
    this.capacity = capacity;
    let w = 1;
    while (w < capacity) w *= 2;
    this.width = w;
    this.nodes = new Float64Array(2 * w * STRIDE);
    this.clear();
  }

  /** Smallest key, or `Infinity` when empty. */
  min(): number {
    return this.nodes[STRIDE + MIN]!;
  }

  /** Leaf index of the smallest key, or -1 when empty. */
  argmin(): number {
    return this.nodes[STRIDE + ARG]!;
  }

  /** Largest key, or `-Infinity` when empty. */
  max(): number {
    return this.nodes[STRIDE + MAX]!;
  }

  /** Set leaf `i` to `key` with tie-breaker `tie`. */
  set(i: number, key: number, tie = 0): void {
    this.setLeafOnly(i, key, tie);
    this.pull((this.width + i) >> 1);
  }

  /** Empty leaf `i`. */
  remove(i: number): void {
    this.emptyLeaf(this.width + i);
    this.pull((this.width + i) >> 1);
  }

  /** Set a leaf without updating ancestors; call {@link ExtremaTree.rebuild} afterwards. */
  setLeafOnly(i: number, key: number, tie = 0): void {
    const o = (this.width + i) * STRIDE;
    const t = this.nodes;
    t[o + MIN] = key;
    t[o + TIE] = tie;
    t[o + MAX] = key;
    t[o + ARG] = i;
  }

  /** Recompute every internal node from the leaves. */
  rebuild(): void {
    for (let k = this.width - 1; k >= 1; k--) this.combine(k);
  }

  /** Empty every leaf and node. */
  clear(): void {
    for (let k = 0; k < 2 * this.width; k++) this.emptyLeaf(k);
  }

  private emptyLeaf(k: number): void {
    const o = k * STRIDE;
    const t = this.nodes;
    t[o + MIN] = Infinity;
    t[o + TIE] = Infinity;
    t[o + MAX] = -Infinity;
    t[o + ARG] = -1;
  }

  private pull(k: number): void {
    while (k >= 1) {
      this.combine(k);
      k >>= 1;
    }
  }

  private combine(k: number): void {
    const t = this.nodes;
    const o = k * STRIDE;
    const l = 2 * o;
    const r = l + STRIDE;
    const lv = t[l + MIN]!;
    const rv = t[r + MIN]!;
    // On equal keys the smaller tie-breaker wins, then the left (lower-index) leaf: deterministic.
    const src = lv < rv || (lv === rv && t[l + TIE]! <= t[r + TIE]!) ? l : r;
    t[o + MIN] = t[src + MIN]!;
    t[o + TIE] = t[src + TIE]!;
    t[o + ARG] = t[src + ARG]!;
    const la = t[l + MAX]!;
    const ra = t[r + MAX]!;
    t[o + MAX] = la >= ra ? la : ra;
  }
}
