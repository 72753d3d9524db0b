import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { NotFoundError, Rng } from '@retain/core';
import { loadKernels } from '@retain/kernels';
import { openPromotionStore } from '@retain/promotion';
import { ServingModel, ServingWatcher, openLearner } from '../src/index.js';

const kernels = loadKernels({ backend: 'ts' });
const until = async (cond: () => boolean) => {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 20));
};

describe('ServingWatcher', () => {
  it('serves the promoted version and swaps on promotion and rollback without a restart', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'retain-serve-'));
    const learner = openLearner(dir, { seed: 2, model: { hidden: [4] }, drift: { enabled: false } }, { kernels });
    const rng = new Rng(1);
    for (let i = 0; i < 40; i++) learner.learnOne({ id: `a${i}`, input: [i % 2, rng.normal()], target: i % 2 ? 'yes' : 'no' });
    const first = ServingModel.fromLearner(learner).toArtifact();
    for (let i = 0; i < 200; i++) learner.learnOne({ id: `b${i}`, input: [i % 2, rng.normal()], target: i % 2 ? 'yes' : 'no' });
    const second = ServingModel.fromLearner(learner).toArtifact();
    learner.store!.close();

    const swaps: (string | null)[] = [];
    const watcher = new ServingWatcher(dir, { intervalMs: 10, kernels, onSwap: (id) => swaps.push(id) });
    await until(() => swaps.length > 0);
    expect(() => watcher.predict([1, 0])).toThrow(NotFoundError);

    const writer = openPromotionStore(dir);
    writer.versions.publishVersion(first);
    await until(() => watcher.versionId === 'v1');
    expect(watcher.predict([1, 0]).versionId).toBe('v1');
    writer.versions.publishVersion(second);
    await until(() => watcher.versionId === 'v2');
    const served = watcher.predict([1, 0]);
    expect(served.versionId).toBe('v2');
    expect(served.label).toBe(ServingModel.fromArtifact(second.weights, second.spec, kernels).predict([1, 0]).label);
    writer.versions.rollback('v1');
    await until(() => watcher.versionId === 'v1');
    expect(watcher.versionId).toBe('v1');
    expect(swaps).toEqual([null, 'v1', 'v2', 'v1']);
    watcher.close();
    writer.close();
  }, 30_000);
});
