import fs from 'node:fs';
import path from 'node:path';
import { RetainError } from '@retain/core';
import { loadKernels, type Kernels } from '@retain/kernels';
import { CaseIndex } from '@retain/memory';
import {
  defaultBenchmarkSuite,
  openPromotionStore,
  parseTrajectory,
  type Trajectory,
  runOnlineLearningCycle,
  type BenchmarkSuite,
  type DatasetRule,
  type PromotionPolicyConfig,
  type TrainingReport,
} from '@retain/promotion';
import type { LearnerConfigInput } from '../config.js';
import { openLearner } from '../learner-persistence.js';
import { LearnerStore } from '../learner-store.js';
import type { OnlineLearner } from '../online-learner.js';
import { ServingModel } from '../serving-model.js';

/** Options of {@link runLearnerCycle} (the flags of `retain cycle`). */
export interface LearnerCycleOptions {
  /** Store directory (the learner's and the promotion tables share `retain.db`). */
  store: string;
  minNewTrajectories?: number;
  dryRun?: boolean;
  baselineVersionId?: string;
  /** The fixed suite; default `<store>/benchmark.json` when present, else the package's seed suite. */
  benchmark?: BenchmarkSuite | { path: string };
  policy?: Partial<PromotionPolicyConfig>;
  dataset?: Partial<DatasetRule>;
  /** Learner config for a store that has no learner yet. */
  config?: LearnerConfigInput;
  kernels?: Kernels;
}

/** File of the case index a cycle rebuilds, inside the store directory. */
export const CASE_INDEX_FILE = 'case-index.json';

/** Rebuild `<store>/case-index.json` from every live trajectory with task text: task → best trajectory by reward. */
export function rebuildCaseIndex(storeDir: string): { cases: number; file: string } {
  const store = openPromotionStore(storeDir);
  try {
    const index = new CaseIndex();
    for (const row of store.trajectories.queryTrajectoryRows({ origin: 'live' })) {
      let t: Trajectory;
      try {
        t = parseTrajectory(JSON.parse(row.body));
      } catch {
        continue; // an invalid stored row is reported by the dataset builder, not indexed
      }
      if (typeof t.task === 'string' && t.task.trim().length > 0) index.record(t.task, t.id, t.reward);
    }
    const file = path.join(storeDir, CASE_INDEX_FILE);
    index.save(file);
    return { cases: index.size, file };
  } finally {
    store.close();
  }
}

/**
 * One champion/challenger cycle for the learner: the challenger is the champion's weights continued with
 * online learning (replay, EWC, consolidation as configured) on the new trajectories; both run the suite;
 * on acceptance the version references the challenger's (pinned) learner checkpoint, on rejection that
 * checkpoint is discarded so the learner's history is as before. Afterwards the case index is rebuilt.
 */
export async function runLearnerCycle(options: LearnerCycleOptions): Promise<TrainingReport> {
  const kernels = options.kernels ?? loadKernels();
  const promotion = openPromotionStore(options.store);
  const learnerStore = LearnerStore.open(options.store);
  const suiteFile = path.join(options.store, 'benchmark.json');
  const benchmark = options.benchmark ?? (fs.existsSync(suiteFile) ? { path: 'benchmark.json' } : defaultBenchmarkSuite());
  let trained: { learner: OnlineLearner; checkpointId: number | null } | null = null;
  try {
    return await runOnlineLearningCycle({
      store: promotion,
      benchmark,
      ...(options.policy ? { policy: options.policy } : {}),
      ...(options.dataset ? { dataset: options.dataset } : {}),
      minNewTrajectories: options.minNewTrajectories ?? 1,
      dryRun: options.dryRun ?? false,
      ...(options.baselineVersionId ? { baselineVersionId: options.baselineVersionId } : {}),
      train: ({ base, examples }) => {
        const learner = openLearner(learnerStore, options.config, { kernels });
        learner.withoutCheckpoints(() => {
          if (base && learner.core.parts) {
            const champion = ServingModel.fromArtifact(base.weights, base.spec, kernels);
            const live = learner.core.parts.trainStep.params;
            if (champion.params.length === live.length) live.set(champion.params);
          }
          for (const ex of examples) {
            try {
              learner.learnOne({ id: ex.id, input: ex.input, target: ex.target, ...(ex.domain !== undefined ? { domain: ex.domain } : {}) });
            } catch (err) {
              if (!(err instanceof RetainError)) throw err;
            }
          }
          learner.flush();
          if (learner.core.parts && learner.core.recent.length > 0) learner.consolidate('cycle');
        });
        const checkpointId = options.dryRun ? null : learner.saveState({ gc: false });
        trained = { learner, checkpointId };
        return { ...ServingModel.fromLearner(learner).toArtifact(), checkpointId: checkpointId === null ? null : String(checkpointId) };
      },
      createPredictor: (model) => {
        const served = ServingModel.fromArtifact(model.weights, model.spec, kernels);
        return (input) => ({ action: served.predict(input as never).label });
      },
      afterCycle: (report) => {
        const t = trained as { learner: OnlineLearner; checkpointId: number | null } | null;
        if (t?.checkpointId != null) {
          if (report.outcome === 'accepted' && !report.dryRun) {
            learnerStore.pin(t.checkpointId);
            learnerStore.gc(t.learner.config.checkpoint.keep);
          } else learnerStore.discardLatest(t.checkpointId);
        }
        rebuildCaseIndex(options.store);
      },
    });
  } finally {
    learnerStore.close();
    promotion.close();
  }
}
