/**
 * A complete binary sum-tree over `Float64Array` leaves: O(log n) update and prefix search.
 *
 * Every internal node is recomputed as `left + right` from its children on each update (never
 * adjusted by a delta), so no rounding error accumulates: after any number of updates each node is
 * bit-identical to a fresh {@link SumTree.rebuild} from the same leaves.
 */
export class SumTree {
  /** Number of usable leaves. */
  readonly capacity: number;
  /** Leaves start at this index of `nodes` (a power of two ≥ capacity). */
  readonly width: number;
  private readonly nodes: Float64Array;

  constructor(capacity: number) {
    this.capacity = capacity;
    let w = 1;
    while (w < capacity) w *= 2;
    this.width = w;
    this.nodes = new Float64Array(2 * w);
  }

  /** Sum of all leaves. */
  total(): number {
    return this.nodes[1]!;
  }

  /** Value of leaf `i`. */
  get(i: number): number {
    return this.nodes[this.width + i]!;
  }

  /** Set leaf `i` to `value` (≥ 0, finite) and recompute its ancestors. */
  set(i: number, value: number): void {
    const t = this.nodes;
    let k = this.width + i;
    t[k] = value;
    k >>= 1;
    while (k >= 1) {
      t[k] = t[2 * k]! + t[2 * k + 1]!;
      k >>= 1;
    }
  }

  /** Set a leaf without updating ancestors; call {@link SumTree.rebuild} afterwards. */
  setLeafOnly(i: number, value: number): void {
    this.nodes[this.width + i] = value;
  }

  /** Recompute every internal node from the leaves, bottom-up in a fixed order. */
  rebuild(): void {
    const t = this.nodes;
    for (let k = this.width - 1; k >= 1; k--) t[k] = t[2 * k]! + t[2 * k + 1]!;
  }

  /** Zero every leaf and node. */
  clear(): void {
    this.nodes.fill(0);
  }

  /**
   * The leaf whose cumulative range contains `u` (0 ≤ u < total). Never returns a zero leaf while
   * the total is positive: a rounding overshoot is steered into the non-empty sibling.
   */
  find(u: number): number {
    const t = this.nodes;
    const w = this.width;
    let k = 1;
    while (k < w) {
      const left = 2 * k;
      const lv = t[left]!;
      if (u < lv) {
        k = left;
      } else if (t[left + 1]! > 0) {
        u -= lv;
        k = left + 1;
      } else {
        k = left;
      }
    }
    return k - w;
  }
}
