import { describe, expect, it } from 'vitest';
import { protocolFor } from '../src/cl/protocols.js';
import { scenarioTasks } from '../src/cl/task-data.js';

/** Same float32 bits (toEqual walks millions of elements one by one). */
const same = (a: Float32Array, b: Float32Array): boolean =>
  Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

describe('scenarioTasks', () => {
  it('sequential permuted MNIST gives the same tasks as the eager one, from one shared training buffer', () => {
    const p = protocolFor('permuted-mnist', true);
    const eager = scenarioTasks(p, 4);
    const seq = scenarioTasks(p, 4, { sequential: true });
    expect(seq.tasks.map((t) => t.name)).toEqual(eager.tasks.map((t) => t.name));
    const first = seq.tasks[0]!.train.x;
    seq.tasks.forEach((task, t) => {
      const x = task.train.x;
      expect(x).toBe(first);
      expect(same(x, eager.tasks[t]!.train.x)).toBe(true);
      expect(task.train.y).toBe(eager.tasks[t]!.train.y);
      expect(same(task.test.x, eager.tasks[t]!.test.x)).toBe(true);
    });
    // Reading an earlier task again permutes its images back into the buffer.
    expect(same(seq.tasks[0]!.train.x, eager.tasks[0]!.train.x)).toBe(true);
    expect(same(seq.tasks[0]!.train.x, eager.tasks[1]!.train.x)).toBe(false);
  });
});
