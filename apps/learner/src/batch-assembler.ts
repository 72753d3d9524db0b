import { UNSEEN_CLASS_LOGIT, type Batch, type EncodedExample } from '@retain/consolidation';
import type { ReplayBatch } from '@retain/replay';
import type { FeatureEncoder } from './feature-encoder.js';
import type { PreparedExample, StoredExample } from './prepared-example.js';

/**
 * Packs new examples and replayed ones into one kernels batch, standardized with the current statistics.
 * Buffers grow to the largest batch seen and are reused, so a step allocates nothing per example.
 */
export class BatchAssembler {
  private x = new Float32Array(0);
  private targets = new Int32Array(0);
  private weights = new Float32Array(0);
  private mask = new Uint8Array(0);
  private incoming = new Uint8Array(0);
  private teacher = new Float32Array(0);
  private rowWeights = new Float32Array(0);

  /**
   * New examples first (weight 1), then replayed ones (importance weight × `replayWeight`). `asymmetric` (ER-ACE):
   * when the batch holds replayed examples, each new example's softmax covers only the classes of the batch's new
   * examples, so new classes do not push the old classes' logits down; replayed examples keep every class.
   * `distill` (dark experience replay): replayed examples stored with logits carry them as the batch's teacher
   * (outputs added since, as UNSEEN_CLASS_LOGIT); the other rows get no distillation term (row weight 0).
   */
  assemble(
    pending: readonly PreparedExample[],
    sample: ReplayBatch<StoredExample> | null,
    encoder: FeatureEncoder,
    classes: number,
    replayWeight: number,
    asymmetric = false,
    distill: { weight: number; temperature: number } | null = null,
  ): Batch {
    const n = pending.length;
    const r = sample ? sample.items.length : 0;
    const b = n + r;
    const d = encoder.size;
    this.reserve(b, d, classes);
    let masked = false;
    for (let i = 0; i < b; i++) {
      const ex = i < n ? pending[i]! : sample!.items[i - n]!;
      const raw = i < n ? (ex as PreparedExample).raw : (ex as StoredExample).x;
      const row = this.x.subarray(i * d, (i + 1) * d);
      row.set(raw);
      encoder.applyStandardization(row);
      this.targets[i] = ex.target;
      this.weights[i] = i < n ? 1 : sample!.weights[i - n]! * replayWeight;
      if (ex.allowedClasses) masked = true;
    }
    // ER-ACE: `incoming` flags the classes of the step's new examples (only when replayed examples are present).
    const asym = asymmetric && r > 0;
    const incoming = this.incoming.subarray(0, classes);
    if (asym) {
      incoming.fill(0);
      for (const p of pending) if (p.target < classes) incoming[p.target] = 1;
      masked = true;
    }
    if (masked) {
      const mask = this.mask.subarray(0, b * classes);
      for (let i = 0; i < b; i++) {
        const ex = i < n ? pending[i]! : sample!.items[i - n]!;
        const row = mask.subarray(i * classes, (i + 1) * classes);
        const restrict = asym && i < n;
        if (ex.allowedClasses) {
          row.fill(0);
          for (const c of ex.allowedClasses) if (c < classes && (!restrict || incoming[c] === 1)) row[c] = 1;
        } else if (restrict) row.set(incoming);
        else row.fill(1);
      }
    }
    const teacher = distill && r > 0 ? this.teacherRows(sample!, n, b, classes) : false;
    return {
      x: this.x.subarray(0, b * d),
      targets: this.targets.subarray(0, b),
      batch: b,
      weights: this.weights.subarray(0, b),
      ...(masked ? { outputMask: this.mask.subarray(0, b * classes) } : {}),
      ...(teacher
        ? {
            teacher: {
              teacherLogits: this.teacher.subarray(0, b * classes),
              rowWeights: this.rowWeights.subarray(0, b),
              temperature: distill!.temperature,
              weight: distill!.weight,
            },
          }
        : {}),
    };
  }

  /** Fills the teacher rows of the replayed examples that carry logits; false when none does. */
  private teacherRows(sample: ReplayBatch<StoredExample>, n: number, b: number, classes: number): boolean {
    if (this.teacher.length < b * classes) this.teacher = new Float32Array(b * classes);
    if (this.rowWeights.length < b) this.rowWeights = new Float32Array(b);
    const rw = this.rowWeights;
    rw.fill(0, 0, b);
    this.teacher.fill(0, 0, n * classes);
    let any = false;
    for (let i = n; i < b; i++) {
      const row = this.teacher.subarray(i * classes, (i + 1) * classes);
      const logits = sample.items[i - n]!.logits;
      if (logits === undefined) {
        row.fill(0);
        continue;
      }
      const k = Math.min(logits.length, classes);
      row.set(logits.subarray(0, k));
      row.fill(UNSEEN_CLASS_LOGIT, k);
      rw[i] = 1;
      any = true;
    }
    return any;
  }

  /** A Fisher-estimation batch from encoded examples (fresh arrays: the estimate keeps no reference). */
  fisherData(examples: readonly EncodedExample[], classes: number): { x: Float32Array; batch: number; targets: Int32Array; outputMask?: Uint8Array } {
    const d = examples[0]!.x.length;
    const x = new Float32Array(examples.length * d);
    const targets = new Int32Array(examples.length);
    let mask: Uint8Array | undefined;
    examples.forEach((e, i) => {
      x.set(e.x, i * d);
      targets[i] = e.target;
      if (e.allowedClasses) {
        mask ??= new Uint8Array(examples.length * classes).fill(1);
        const row = mask.subarray(i * classes, (i + 1) * classes);
        row.fill(0);
        for (const c of e.allowedClasses) row[c] = 1;
      }
    });
    return { x, batch: examples.length, targets, ...(mask ? { outputMask: mask } : {}) };
  }

  private reserve(b: number, d: number, classes: number): void {
    if (this.x.length < b * d) this.x = new Float32Array(b * d);
    if (this.targets.length < b) {
      this.targets = new Int32Array(b);
      this.weights = new Float32Array(b);
    }
    if (this.mask.length < b * classes) this.mask = new Uint8Array(b * classes);
    if (this.incoming.length < classes) this.incoming = new Uint8Array(classes);
  }
}

/**
 * Row `i` of a step's logits (`classes` wide) as stored for dark experience replay: a fresh copy, masked outputs
 * (−∞) as UNSEEN_CLASS_LOGIT so the stored teacher gives them probability 0 without infinities.
 */
export function storedLogits(logits: Float32Array, i: number, classes: number): Float32Array {
  const out = logits.slice(i * classes, (i + 1) * classes);
  for (let c = 0; c < classes; c++) if (!(out[c]! > UNSEEN_CLASS_LOGIT)) out[c] = UNSEEN_CLASS_LOGIT;
  return out;
}
