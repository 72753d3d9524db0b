import { describe, expect, it } from 'vitest';
import { OnlineLearner, loadMnist } from '@retain/learner';
import { loadKernels } from '@retain/kernels';
import { taskAccuracy } from '../src/cl/task-evaluator.js';

describe('taskAccuracy', () => {
  it('matches learner.evaluate example for example, with and without an output restriction', () => {
    const set = loadMnist('test', 700);
    const learner = OnlineLearner.create(
      { seed: 1, model: { inputSize: 784, hidden: [32], classes: 10 }, batchSize: 50, replay: { enabled: false }, drift: { enabled: false } },
      { kernels: loadKernels({ backend: 'ts' }) },
    );
    for (let i = 0; i < 200; i++) learner.learnOne({ id: `e${i}`, input: set.x.subarray(i * 784, (i + 1) * 784), target: set.y[i]! });
    const examples = Array.from({ length: set.n }, (_, i) => ({ id: `t${i}`, input: set.x.subarray(i * 784, (i + 1) * 784), target: set.y[i]! }));
    // 700 images: one full chunk of 500 and a partial one.
    const ours = taskAccuracy(learner, set);
    expect(ours).toBe(learner.evaluate(examples).accuracy);
    // Four steps of 50 already beat chance (0.1) by far: the model is not a constant.
    expect(ours).toBeGreaterThan(0.2);
    const pair = [3, 8];
    const restricted = examples.filter((e) => pair.includes(e.target)).map((e) => ({ ...e, allowedClasses: pair }));
    const sub = { n: restricted.length, d: 784, x: new Float32Array(restricted.length * 784), y: Int32Array.from(restricted.map((e) => e.target)) };
    restricted.forEach((e, i) => sub.x.set(e.input, i * 784));
    expect(taskAccuracy(learner, sub, pair)).toBe(learner.evaluate(restricted).accuracy);
    expect(taskAccuracy(learner, set, undefined, 100)).toBe(learner.evaluate(examples.slice(0, 100)).accuracy);
  });
});
