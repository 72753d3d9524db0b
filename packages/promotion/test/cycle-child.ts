// Child process for the safety tests (run with `node --import tsx --conditions=@retain/source`).
//   race <dir> <releaseFile>  one cycle whose training waits for <releaseFile>; prints the outcome as JSON
//   churn <dir> <seed>        cycles (with occasional rollbacks) forever, until killed
// Both print "ready" once loaded and wait for a "go" line on stdin, so the parent controls timing.
import crypto from 'node:crypto';
import fs from 'node:fs';
import readline from 'node:readline';
import { Rng } from '@retain/core';
import { OnlineLearningCoordinator, defaultBenchmarkSuite, openPromotionStore, type Predictor } from '../src/index.js';

const [mode, dir, arg] = process.argv.slice(2) as [string, string, string];
const suite = defaultBenchmarkSuite();
const key = (input: unknown): string => JSON.stringify(input);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function predictorFromSpec(spec: unknown): Predictor {
  const table = (spec as { table: Record<string, string | number> }).table;
  return (input) => ({ action: table[key(input)] ?? 'unknown', latencyMs: 1 });
}

async function race(): Promise<void> {
  const store = openPromotionStore(dir);
  const coordinator = new OnlineLearningCoordinator({
    store,
    train: async ({ examples }) => {
      while (!fs.existsSync(arg)) await sleep(20);
      const table: Record<string, string | number> = {};
      for (const ex of examples) table[key(ex.input)] = ex.target;
      return { weights: new Uint8Array([1, 2, 3]), spec: { table } };
    },
    createPredictor: (m) => predictorFromSpec(m.spec),
  });
  try {
    const report = await coordinator.runCycle();
    console.log(JSON.stringify({ ok: true, reportId: report.id, outcome: report.outcome }));
  } catch (err) {
    console.log(JSON.stringify({ ok: false, code: (err as { code?: string }).code ?? null, message: (err as Error).message }));
  }
  store.close();
}

async function churn(): Promise<void> {
  const rng = new Rng(Number(arg));
  const store = openPromotionStore(dir);
  const coordinator = new OnlineLearningCoordinator({
    store,
    policy: { minReward: 0.1, requiredTaskCount: 8, resamples: 200 },
    train: ({ base, examples }) => {
      const table: Record<string, string | number> = base ? { ...(base.spec as { table: Record<string, string> }).table } : {};
      for (const ex of examples) table[key(ex.input)] = ex.target;
      // Large random weights so a commit spans many pages: a torn write would show in the checksum.
      const weights = new Uint8Array(16_384 + rng.int(180_000));
      for (let i = 0; i < weights.length; i += 4) weights[i] = rng.int(256);
      const sha256 = crypto.createHash('sha256').update(weights).digest('hex');
      return { weights, spec: { table, sha256, bytes: weights.length } };
    },
    createPredictor: (m) => predictorFromSpec(m.spec),
  });
  for (let cycle = 0; ; cycle++) {
    const tasks = suite.tasks.filter(() => rng.float() < 0.4);
    store.trajectories.addTrajectories(
      tasks.map((t) => ({
        id: `p${process.pid}-c${cycle}-${t.id}`,
        input: t.input,
        action: rng.float() < 0.75 ? t.expectedAction : 'wrong',
        reward: 1,
        latencyMs: 1,
        createdAt: Date.now(),
      })),
    );
    await coordinator.runCycle({ minNewTrajectories: 1 });
    if (cycle === 0) console.log('cycled');
    const versions = store.versions.listVersions();
    const current = store.versions.currentVersionId();
    if (versions.length > 1 && rng.float() < 0.2) {
      const target = versions[rng.int(versions.length)]!.id;
      if (target !== current) store.versions.rollback(target);
    }
  }
}

const rl = readline.createInterface({ input: process.stdin });
console.log('ready');
rl.once('line', () => {
  rl.close();
  (mode === 'race' ? race() : churn()).catch((err) => {
    console.error(err);
    process.exit(1);
  });
});
