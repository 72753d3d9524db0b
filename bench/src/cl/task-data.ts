// The scenario's tasks, built with the learner's own MNIST loader and scenario builders.
import { loadMnist, permutedMnist, splitMnist, type MnistSet, type Scenario } from '@retain/learner';
import type { Protocol } from './protocols.js';

const cache = new Map<string, MnistSet>();

function mnist(split: 'train' | 'test', p: Protocol, limit?: number): MnistSet {
  const key = `${split}:${limit ?? 'all'}:${p.pixels}:${p.pad}`;
  let set = cache.get(key);
  if (!set) {
    set = loadMnist(split, limit, { pixels: p.pixels, pad: p.pad });
    cache.set(key, set);
  }
  return set;
}

/** The tasks of protocol `p`; permutations are drawn from `seed`, so each seed sees its own permutations. */
export function scenarioTasks(p: Protocol, seed: number): Scenario {
  const train = mnist('train', p, p.trainLimit);
  const test = mnist('test', p, p.testLimit);
  if (p.scenario === 'permuted-mnist') return permutedMnist(train, test, p.tasks, seed);
  const mode = p.scenario === 'split-mnist-task' ? 'task' : p.scenario === 'split-mnist-domain' ? 'domain' : 'class';
  return splitMnist(train, test, mode);
}
