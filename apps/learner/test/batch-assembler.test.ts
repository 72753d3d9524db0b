import { describe, expect, it } from 'vitest';
import type { ReplayBatch } from '@retain/replay';
import { UNSEEN_CLASS_LOGIT } from '@retain/consolidation';
import { BatchAssembler, storedLogits } from '../src/batch-assembler.js';
import { FeatureEncoder } from '../src/feature-encoder.js';
import type { PreparedExample, StoredExample } from '../src/prepared-example.js';

const encoder = new FeatureEncoder({ size: 2, standardize: false });

function pending(targets: number[], allowed?: number[]): PreparedExample[] {
  return targets.map((target, i) => ({
    id: `n${i}`,
    raw: Float32Array.of(i, -i),
    target,
    label: target,
    newClass: false,
    domain: 'd',
    ...(allowed ? { allowedClasses: allowed } : {}),
  }));
}

function replayed(items: StoredExample[]): ReplayBatch<StoredExample> {
  const k = items.length;
  return {
    items,
    ids: items.map((_, i) => `r${i}`),
    handles: new Float64Array(k),
    probabilities: new Float64Array(k).fill(1 / k),
    weights: new Float32Array(k).fill(1),
  };
}

const rows = (mask: Uint8Array | undefined, classes: number) =>
  mask ? Array.from({ length: mask.length / classes }, (_, i) => Array.from(mask.subarray(i * classes, (i + 1) * classes))) : undefined;

describe('BatchAssembler', () => {
  it('distill (dark experience replay): replayed rows with logits are the teacher, padded to the current classes', () => {
    const a = new BatchAssembler();
    const sample = replayed([
      { x: Float32Array.of(1, 1), target: 0, logits: Float32Array.of(2, -1, 0.5) },
      { x: Float32Array.of(2, 2), target: 1 },
      { x: Float32Array.of(3, 3), target: 3, logits: Float32Array.of(0, 1, 2, 3) },
    ]);
    const b = a.assemble(pending([2, 3]), sample, encoder, 4, 1, false, { weight: 0.5, temperature: 3 });
    expect(b.batch).toBe(5);
    const t = b.teacher!;
    expect(t.weight).toBe(0.5);
    expect(t.temperature).toBe(3);
    expect(Array.from(t.rowWeights!)).toEqual([0, 0, 1, 0, 1]);
    expect(Array.from(t.teacherLogits.subarray(8, 12))).toEqual([2, -1, 0.5, UNSEEN_CLASS_LOGIT]);
    expect(Array.from(t.teacherLogits.subarray(16, 20))).toEqual([0, 1, 2, 3]);
    // the rows without a term are finite (never read, but no garbage from an earlier, larger batch)
    expect(Array.from(t.teacherLogits.subarray(0, 8))).toEqual(new Array(8).fill(0));

    // no replayed row carries logits, or nothing replayed, or off: no teacher at all
    expect(a.assemble(pending([2]), replayed([{ x: Float32Array.of(0, 0), target: 1 }]), encoder, 4, 1, false, { weight: 1, temperature: 2 }).teacher).toBeUndefined();
    expect(a.assemble(pending([2]), null, encoder, 4, 1, false, { weight: 1, temperature: 2 }).teacher).toBeUndefined();
    expect(a.assemble(pending([2, 3]), sample, encoder, 4, 1, false, null).teacher).toBeUndefined();
  });

  it('storedLogits copies one row and stores masked (−∞) or non-finite outputs as UNSEEN_CLASS_LOGIT', () => {
    const logits = Float32Array.of(1, 2, 3, -Infinity, 4, Number.NaN);
    const row = storedLogits(logits, 1, 3);
    expect(Array.from(row)).toEqual([UNSEEN_CLASS_LOGIT, 4, UNSEEN_CLASS_LOGIT]);
    row[1] = 9;
    expect(logits[4]).toBe(4);
  });

  it('asymmetric (ER-ACE): new rows see only the classes of the new examples, replayed rows every class', () => {
    const a = new BatchAssembler();
    const sample = replayed([
      { x: Float32Array.of(1, 1), target: 0 },
      { x: Float32Array.of(2, 2), target: 1, allowedClasses: [0, 1] },
    ]);
    const b = a.assemble(pending([3, 2, 3]), sample, encoder, 5, 1, true);
    expect(b.batch).toBe(5);
    expect(Array.from(b.targets)).toEqual([3, 2, 3, 0, 1]);
    expect(rows(b.outputMask, 5)).toEqual([
      [0, 0, 1, 1, 0],
      [0, 0, 1, 1, 0],
      [0, 0, 1, 1, 0],
      [1, 1, 1, 1, 1],
      [1, 1, 0, 0, 0],
    ]);
  });

  it('asymmetric intersects a new example’s own allowed classes with the incoming ones', () => {
    const a = new BatchAssembler();
    const b = a.assemble(pending([2, 3], [1, 2, 3]), replayed([{ x: Float32Array.of(0, 0), target: 0 }]), encoder, 4, 1, true);
    expect(rows(b.outputMask, 4)).toEqual([
      [0, 0, 1, 1],
      [0, 0, 1, 1],
      [1, 1, 1, 1],
    ]);
  });

  it('without replayed examples, or when off, the loss covers every class (no mask)', () => {
    const a = new BatchAssembler();
    expect(a.assemble(pending([3, 2]), null, encoder, 5, 1, true).outputMask).toBeUndefined();
    const off = a.assemble(pending([3, 2]), replayed([{ x: Float32Array.of(1, 1), target: 0 }]), encoder, 5, 1, false);
    expect(off.outputMask).toBeUndefined();
    expect(Array.from(off.weights!)).toEqual([1, 1, 1]);
  });
});
