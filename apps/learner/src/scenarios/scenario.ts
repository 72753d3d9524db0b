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

function permute(set: MnistSet, perm: Int32Array): MnistSet {
  const d = set.d;
  const x = new Float32Array(set.x.length);
  for (let i = 0; i < set.n; i++) {
    const row = i * d;
    for (let j = 0; j < d; j++) x[row + j] = set.x[row + perm[j]!]!;
  }
  return { n: set.n, d, x, y: set.y };
}

/** Permuted MNIST (domain-incremental): every task, the first included, applies its own pixel permutation. */
export function permutedMnist(train: MnistSet, test: MnistSet, tasks: number, seed: number): Scenario {
  if (test.d !== train.d) throw new InvalidArgumentError('test.d', `test images have ${test.d} pixels, train ${train.d}`);
  const rng = new Rng(seed);
  const d = train.d;
  const out: ScenarioTask[] = [];
  for (let t = 0; t < tasks; t++) {
    const perm = Int32Array.from({ length: d }, (_, i) => i);
    rng.shuffle(perm);
    out.push({ name: `permutation ${t + 1}`, train: permute(train, perm), test: permute(test, perm) });
  }
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
