// Grow-only scratch buffers. Kernels process a batch in chunks of at most ROW_CHUNK rows, so every buffer is
// bounded by ROW_CHUNK × (widest layer) however large the batch, is allocated the first time a shape needs
// it, and is reused by every later call: a training step allocates nothing once warm.

/** Rows processed per pass; bounds scratch memory and keeps a chunk's activations in cache. */
export const ROW_CHUNK = 256;

/** A set of numbered Float32Array slots that only ever grow. */
export class Scratch {
  private readonly slots: Float32Array[] = [];

  /** A buffer of at least `length` floats for `slot` (contents unspecified). */
  get(slot: number, length: number): Float32Array {
    const cur = this.slots[slot];
    if (cur !== undefined && cur.length >= length) return cur;
    // Round up so that slightly larger shapes do not reallocate again.
    const buf = new Float32Array(Math.max(16, Math.ceil(length * 1.25)));
    this.slots[slot] = buf;
    return buf;
  }

  /** Total floats held, for diagnostics. */
  size(): number {
    let n = 0;
    for (const s of this.slots) if (s !== undefined) n += s.length;
    return n;
  }
}
