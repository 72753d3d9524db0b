import { z } from 'zod';
import { InvalidExampleError, parseAt } from '@retain/core';

/** Saved form of a {@link LabelVocabulary}. */
export const labelVocabularySnapshotSchema = z.object({
  version: z.literal(1),
  labels: z.array(z.string().nullable()),
});
export type LabelVocabularySnapshot = z.infer<typeof labelVocabularySnapshotSchema>;

/**
 * Maps string labels to output indices, in order of first appearance. Numeric targets address
 * output units directly; a string label claims the next free index. Part of the saved state.
 */
export class LabelVocabulary {
  /** labels[i] is the string label of output i, or null when output i was addressed numerically. */
  private labels: (string | null)[] = [];
  private index = new Map<string, number>();

  /** Number of output indices known (the largest index seen + 1). */
  get size(): number {
    return this.labels.length;
  }

  /**
   * The output index a target would get, without changing anything: `existing` if known, `new` with the
   * index it would claim otherwise.
   */
  peek(target: number | string, field = 'target'): { index: number; isNew: boolean } {
    if (typeof target === 'number') {
      if (!Number.isInteger(target) || target < 0 || target > 1_000_000) {
        throw new InvalidExampleError(field, `class index must be an integer in [0, 1e6], got ${String(target)}`);
      }
      return { index: target, isNew: target >= this.labels.length };
    }
    if (typeof target !== 'string' || target.length === 0) {
      throw new InvalidExampleError(field, `must be a class index or a non-empty string label, got ${JSON.stringify(target)}`);
    }
    const known = this.index.get(target);
    if (known !== undefined) return { index: known, isNew: false };
    return { index: this.labels.length, isNew: true };
  }

  /** Record a target (after validation succeeded) and return its output index. */
  commit(target: number | string): number {
    const { index, isNew } = this.peek(target);
    if (!isNew) return index;
    while (this.labels.length < index) this.labels.push(null);
    if (typeof target === 'string') {
      this.labels.push(target);
      this.index.set(target, index);
    } else {
      this.labels.push(null);
    }
    return index;
  }

  /** Ensure indices [0, n) exist (a fixed class count). */
  reserve(n: number): void {
    while (this.labels.length < n) this.labels.push(null);
  }

  /** The display label of an output index: its string label, or the index as a string. */
  labelOf(index: number): string | number {
    const l = this.labels[index];
    return l ?? index;
  }

  /** Index of a known label, or undefined. */
  indexOf(target: number | string): number | undefined {
    if (typeof target === 'number') return target < this.labels.length ? target : undefined;
    return this.index.get(target);
  }

  snapshot(): LabelVocabularySnapshot {
    return { version: 1, labels: [...this.labels] };
  }

  static restore(raw: unknown): LabelVocabulary {
    const snap = parseAt(labelVocabularySnapshotSchema, raw, 'labelVocabulary', 'store');
    const v = new LabelVocabulary();
    v.labels = [...snap.labels];
    snap.labels.forEach((l, i) => {
      if (l !== null) v.index.set(l, i);
    });
    return v;
  }
}
