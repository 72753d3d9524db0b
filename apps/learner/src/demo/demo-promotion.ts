import { createBenchmarkSuite, openPromotionStore, type BenchmarkSuite, type PromotionPolicyConfig, type TrainingReport } from '@retain/promotion';
import type { Kernels } from '@retain/kernels';
import type { OnlineLearner } from '../online-learner.js';
import { runLearnerCycle } from '../promotion/learner-cycle.js';
import type { MnistSet } from '../scenarios/mnist.js';
import { ServingModel } from '../serving-model.js';

/** Gates of the demo's cycle: the seed policy, with enough tasks for a 95% bootstrap bound to mean something. */
export const DEMO_POLICY: Partial<PromotionPolicyConfig> = { minRewardDelta: 0.01, requiredTaskCount: 100, maxLatencyIncreaseMs: 50 };

// Four decimals keep the stored JSON small; normalized pixels need no more.
const round = (x: Float32Array): number[] => Array.from(x, (v) => Math.round(v * 1e4) / 1e4);

/** A benchmark suite of held-out images: every old task and the new one, `expectedAction` = the digit. */
export function heldOutSuite(sets: { name: string; set: MnistSet }[]): BenchmarkSuite {
  const tasks = sets.flatMap(({ name, set }, t) =>
    Array.from({ length: set.n }, (_, i) => ({
      id: `t${t + 1}-${i}`,
      kind: 'skill' as const,
      input: round(set.x.subarray(i * 784, (i + 1) * 784)),
      expectedAction: set.y[i]!,
      description: `${name}, held-out image ${i}`,
    })),
  );
  return createBenchmarkSuite('permuted-mnist-heldout', 1, tasks);
}

/** Options of {@link runDemoCycle}. */
export interface DemoCycleOptions {
  /** The champion learner's store directory (its promotion tables go in the same `retain.db`). */
  store: string;
  /** The champion, as the learning part left it, store still open (this function closes it). */
  champion: OnlineLearner;
  /** New traffic: images of a permutation the champion never saw, logged as rewarded trajectories. */
  traffic: { name: string; set: MnistSet };
  suite: BenchmarkSuite;
  kernels?: Kernels;
}

/**
 * One champion/challenger cycle: the stable learner is published as the champion (v1), the new traffic
 * is logged as trajectories, and `runLearnerCycle` trains the challenger by continuing the learner on
 * them, benchmarks both on held-out images of every task, and lets the gates decide.
 */
export async function runDemoCycle(options: DemoCycleOptions): Promise<TrainingReport> {
  const { champion, traffic } = options;
  const store = openPromotionStore(options.store);
  try {
    if (store.versions.countVersions() === 0) {
      const checkpoint = champion.store!.listCheckpoints().at(-1)!.id;
      champion.store!.pin(checkpoint);
      store.versions.publishVersion({ ...ServingModel.fromLearner(champion).toArtifact(), checkpointId: String(checkpoint) });
    }
    const now = Date.now();
    store.trajectories.addTrajectories(
      Array.from({ length: traffic.set.n }, (_, i) => ({
        id: `traffic-${i}`,
        input: round(traffic.set.x.subarray(i * 784, (i + 1) * 784)),
        action: traffic.set.y[i]!,
        reward: 1,
        latencyMs: 1,
        createdAt: now,
        domain: traffic.name,
      })),
    );
  } finally {
    store.close();
    champion.store?.close();
  }
  return runLearnerCycle({
    store: options.store,
    benchmark: options.suite,
    policy: DEMO_POLICY,
    minNewTrajectories: 100,
    ...(options.kernels ? { kernels: options.kernels } : {}),
  });
}
