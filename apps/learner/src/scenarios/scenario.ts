import { InvalidArgumentError, Rng } from '@retain/core';
import type { MnistSet } from './mnist.js';

/** One task of a continual-learning scenario. */
export interface ScenarioTask {
  name: string;
  train: MnistSet;
  test: MnistSet;
  /** Classes this task's outputs are restricted to (task-incremental only). */
  allowedClasses?: number[];
}

/** A sequence of tasks with a fixed output size. */
export interface Scenario {
  name: string;
  classes: number;
  tasks: ScenarioTask[];
}

/**
 * `set` with every image's pixels reordered by `perm` (pixel j of the result is pixel `perm[j]` of the original),
 * written into `out` when given (it must hold `set.n × set.d` values), else into a new array.
 */
export function permuteImages(set: MnistSet, perm: Int32Array, out?: Float32Array): MnistSet {
  const { n, d } = set;
  if (perm.length !== d) throw new InvalidArgumentError('perm', `has ${perm.length} entries, the images ${d} pixels`);
  if (out && out.length < n * d) throw new InvalidArgumentError('out', `holds ${out.length} values, ${n * d} needed`);
  const from = set.x;
  const x = out ?? new Float32Array(n * d);
  for (let i = 0, row = 0; i < n; i++, row += d) {
    const src = from.subarray(row, row + d);
    for (let j = 0; j < d; j++) x[row + j] = src[perm[j]!]!;
  }
  return { n, d, x, y: set.y };
}

/** The pixel permutation of each task of {@link permutedMnist} with `seed`, for images of `d` pixels. */
export function mnistPermutations(d: number, tasks: number, seed: number): Int32Array[] {
  const rng = new Rng(seed);
  const out: Int32Array[] = [];
  for (let t = 0; t < tasks; t++) {
    const perm = Int32Array.from({ length: d }, (_, i) => i);
    rng.shuffle(perm);
    out.push(perm);
  }
  return out;
}

/** The name of task `t` (0-based) of {@link permutedMnist}. */
export function permutationTaskName(t: number): string {
  return `permutation ${t + 1}`;
}

/** Permuted MNIST (domain-incremental): every task, the first included, applies its own pixel permutation. */
export function permutedMnist(train: MnistSet, test: MnistSet, tasks: number, seed: number): Scenario {
  if (test.d !== train.d) throw new InvalidArgumentError('test.d', `test images have ${test.d} pixels, train ${train.d}`);
  const out = mnistPermutations(train.d, tasks, seed).map((perm, t) => ({
    name: permutationTaskName(t),
    train: permuteImages(train, perm),
    test: permuteImages(test, perm),
  }));
  return { name: 'permuted-mnist', classes: 10, tasks: out };
}

/** The three split-MNIST scenarios of van de Ven & Tolias. */
export type SplitMode = 'task' | 'domain' | 'class';

function subset(set: MnistSet, digits: readonly number[], relabel: (y: number) => number): MnistSet {
  const d = set.d;
  const idx: number[] = [];
  for (let i = 0; i < set.n; i++) if (digits.includes(set.y[i]!)) idx.push(i);
  const x = new Float32Array(idx.length * d);
  const y = new Int32Array(idx.length);
  idx.forEach((src, k) => {
    x.set(set.x.subarray(src * d, (src + 1) * d), k * d);
    y[k] = relabel(set.y[src]!);
  });
  return { n: idx.length, d, x, y };
}

/**
 * Split MNIST: five tasks of two digits (0/1, 2/3, …). `class`: ten outputs, no task identity.
 * `task`: ten outputs, each task's softmax restricted to its two digits. `domain`: two outputs (even/odd).
 */
export function splitMnist(train: MnistSet, test: MnistSet, mode: SplitMode): Scenario {
  const tasks: ScenarioTask[] = [];
  for (let t = 0; t < 5; t++) {
    const digits = [2 * t, 2 * t + 1];
    const relabel = mode === 'domain' ? (y: number) => y % 2 : (y: number) => y;
    tasks.push({
      name: `digits ${digits.join('/')}`,
      train: subset(train, digits, relabel),
      test: subset(test, digits, relabel),
      ...(mode === 'task' ? { allowedClasses: digits } : {}),
    });
  }
  return { name: `split-mnist-${mode}`, classes: mode === 'domain' ? 2 : 10, tasks };
}
