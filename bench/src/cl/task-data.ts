// The scenario's tasks, built with the learner's own MNIST loader and scenario builders.
import {
  loadMnist,
  mnistPermutations,
  permutationTaskName,
  permuteImages,
  permutedMnist,
  splitMnist,
  type MnistSet,
  type Scenario,
} from '@retain/learner';
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

/** Options of {@link scenarioTasks}. */
export interface ScenarioTaskOptions {
  /**
   * The tasks' training sets are read one task at a time, in order (every method but joint): permuted MNIST then
   * permutes each task's training images into one shared buffer when that task's set is first read, instead of
   * holding ten permuted copies (≈ 2.5 GB at 32×32, and as many page faults). Test sets are always all kept.
   */
  sequential?: boolean;
}

/** The tasks of protocol `p`; permutations are drawn from `seed`, so each seed sees its own permutations. */
export function scenarioTasks(p: Protocol, seed: number, options: ScenarioTaskOptions = {}): Scenario {
  const train = mnist('train', p, p.trainLimit);
  const test = mnist('test', p, p.testLimit);
  if (p.scenario === 'permuted-mnist') {
    return options.sequential ? sequentialPermuted(train, test, p.tasks, seed) : permutedMnist(train, test, p.tasks, seed);
  }
  const mode = p.scenario === 'split-mnist-task' ? 'task' : p.scenario === 'split-mnist-domain' ? 'domain' : 'class';
  return splitMnist(train, test, mode);
}

/**
 * `permutedMnist(train, test, tasks, seed)` with one training buffer: reading task t's `train.x` permutes the images
 * into it unless it already holds task t, so an array read for one task must not be used after reading another's.
 */
function sequentialPermuted(train: MnistSet, test: MnistSet, tasks: number, seed: number): Scenario {
  const shared = new Float32Array(train.n * train.d);
  let holds = -1;
  return {
    name: 'permuted-mnist',
    classes: 10,
    tasks: mnistPermutations(train.d, tasks, seed).map((perm, t) => ({
      name: permutationTaskName(t),
      test: permuteImages(test, perm),
      train: {
        n: train.n,
        d: train.d,
        y: train.y,
        get x(): Float32Array {
          if (holds !== t) {
            permuteImages(train, perm, shared);
            holds = t;
          }
          return shared;
        },
      },
    })),
  };
}
