/**
 * A segment tree over `Float64Array` keys that answers the minimum (with its leaf index) and the
 * maximum in O(1) after O(log n) updates. Ties on the minimum are broken by a second key (smaller
 * wins: the buffer passes the insertion step, so among equal priorities the oldest goes first), then
 * by the lower leaf index.
 */
export class ExtremaTree {
  /** Number of usable leaves. */
  readonly capacity: number;
  private readonly width: number;
  private readonly minV: Float64Array;
  private readonly minI: Int32Array;
  private readonly maxV: Float64Array;
  private readonly minT: Float64Array;

  constructor(capacity: number) {
    this.capacity = capacity;
    let w = 1;
    while (w < capacity) w *= 2;
    this.width = w;
    this.minV = new Float64Array(2 * w).fill(Infinity);
    this.minI = new Int32Array(2 * w).fill(-1);
    this.maxV = new Float64Array(2 * w).fill(-Infinity);
    this.minT = new Float64Array(2 * w).fill(Infinity);
  }

  /** Smallest key, or `Infinity` when empty. */
  min(): number {
    return this.minV[1]!;
  }

  /** Leaf index of the smallest key (the lowest index among ties), or -1 when empty. */
  argmin(): number {
    return this.minI[1]!;
  }

  /** Largest key, or `-Infinity` when empty. */
  max(): number {
    return this.maxV[1]!;
  }

  /** Set leaf `i` to `key` with tie-breaker `tie`. */
  set(i: number, key: number, tie = 0): void {
    this.setLeafOnly(i, key, tie);
    this.pull((this.width + i) >> 1);
  }

  /** Empty leaf `i`. */
  remove(i: number): void {
    const k = this.width + i;
    this.minV[k] = Infinity;
    this.maxV[k] = -Infinity;
    this.minI[k] = -1;
    this.minT[k] = Infinity;
    this.pull(k >> 1);
  }

  /** Set a leaf without updating ancestors; call {@link ExtremaTree.rebuild} afterwards. */
  setLeafOnly(i: number, key: number, tie = 0): void {
    const k = this.width + i;
    this.minV[k] = key;
    this.maxV[k] = key;
    this.minI[k] = i;
    this.minT[k] = tie;
  }

  /** Recompute every internal node from the leaves. */
  rebuild(): void {
    for (let k = this.width - 1; k >= 1; k--) this.combine(k);
  }

  /** Empty every leaf. */
  clear(): void {
    this.minV.fill(Infinity);
    this.minI.fill(-1);
    this.maxV.fill(-Infinity);
    this.minT.fill(Infinity);
  }

  private pull(k: number): void {
    while (k >= 1) {
      this.combine(k);
      k >>= 1;
    }
  }

  private combine(k: number): void {
    const l = 2 * k;
    const r = l + 1;
    const lv = this.minV[l]!;
    const rv = this.minV[r]!;
    // On equal keys the smaller tie-breaker wins, then the left (lower-index) leaf: deterministic.
    if (lv < rv || (lv === rv && this.minT[l]! <= this.minT[r]!)) {
      this.minV[k] = lv;
      this.minI[k] = this.minI[l]!;
      this.minT[k] = this.minT[l]!;
    } else {
      this.minV[k] = rv;
      this.minI[k] = this.minI[r]!;
      this.minT[k] = this.minT[r]!;
    }
    const la = this.maxV[l]!;
    const ra = this.maxV[r]!;
    this.maxV[k] = la >= ra ? la : ra;
  }
}
