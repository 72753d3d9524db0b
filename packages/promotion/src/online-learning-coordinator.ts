import crypto from 'node:crypto';
import { z } from 'zod';
import { RetainError, parseAt } from '@retain/core';
import { ArtifactIndex } from './artifact-index.js';
import { defaultBenchmarkSuite, loadBenchmarkSuite, parseBenchmarkSuite, type BenchmarkSuite } from './benchmark-suite.js';
import type { CycleLockOptions } from './cycle-lock.js';
import { DatasetBuilder, type Dataset, type TrainingExample } from './dataset-builder.js';
import type { EvaluationMetrics } from './evaluation-metrics.js';
import { Evaluator, type Predictor } from './evaluator.js';
import { PromotionPolicy, type PromotionPolicyConfig } from './promotion-policy.js';
import type { PromotionStore } from './promotion-store.js';
import { assertStoreId } from './store-ids.js';
import type { DatasetRule, TrainingReport, TrainingReportDraft } from './training-report.js';
import type { Trajectory } from './trajectory.js';
import { TrajectorySummarizer } from './trajectory-summarizer.js';
import { modelArtifactSchema, type JsonValue, type ModelArtifact, type VersionWithWeights } from './version-record.js';

/** A model as the coordinator hands it to `createPredictor`: a stored version or a fresh challenger. */
export interface LoadedModel {
  /** Null for a challenger not (yet) saved. */
  versionId: string | null;
  weights: Uint8Array;
  spec: JsonValue;
  checkpointId: string | null;
}

/** What the caller's train function receives. */
export interface TrainRequest {
  /** The current champion to start from, or null when there is none yet. */
  base: VersionWithWeights | null;
  examples: TrainingExample[];
  trajectories: Trajectory[];
  rule: DatasetRule;
}

/** Trains a challenger; the coordinator never looks inside the weights. */
export type TrainFunction = (request: TrainRequest) => ModelArtifact | Promise<ModelArtifact>;

/** Options of an {@link OnlineLearningCoordinator}. */
export interface OnlineLearningCoordinatorOptions {
  store: PromotionStore;
  train: TrainFunction;
  /** Turns a model into a predictor for the benchmark. */
  createPredictor: (model: LoadedModel) => Predictor | Promise<Predictor>;
  /** A suite, or `{ path }` relative to the store directory; default {@link defaultBenchmarkSuite}. */
  benchmark?: BenchmarkSuite | { path: string };
  policy?: PromotionPolicy | Partial<PromotionPolicyConfig>;
  dataset?: Partial<DatasetRule>;
  evaluator?: Evaluator;
  summarizer?: TrajectorySummarizer;
  /** Called with every report after the cycle's lock is released (its errors reach the caller). */
  afterCycle?: (report: TrainingReport) => void | Promise<void>;
  lock?: CycleLockOptions;
  /** Whether a rejected cycle consumes its trajectories (default true: they were tried). */
  consumeOnReject?: boolean;
}

/** zod schema of {@link CycleOptions}. */
export const cycleOptionsSchema = z.object({
  minNewTrajectories: z.number().int().min(0).default(1),
  dryRun: z.boolean().default(false),
  baselineVersionId: z.string().optional(),
});
/** Options of one cycle (the CLI flags `--min-new-trajectories`, `--dry-run`, `--baseline-version`). */
export type CycleOptions = z.input<typeof cycleOptionsSchema>;

type Stage = NonNullable<TrainingReport['error']>['stage'];
const SUMMARY_COUNT = 5;

/**
 * Runs champion/challenger cycles: new trajectories → dataset → a challenger trained from the champion
 * → both benchmarked → the policy decides → on acceptance one transaction saves the version, moves
 * `current` and writes the report. Every attempt leaves exactly one report; a thrown error in
 * training or evaluation becomes a `failed` report and leaves `current` untouched.
 */
export class OnlineLearningCoordinator {
  private readonly store: PromotionStore;
  private readonly builder: DatasetBuilder;
  private readonly policy: PromotionPolicy;
  private readonly evaluator: Evaluator;
  private readonly summarizer: TrajectorySummarizer;

  constructor(private readonly options: OnlineLearningCoordinatorOptions) {
    this.store = options.store;
    this.builder = new DatasetBuilder(new ArtifactIndex(options.store), options.dataset ?? {});
    this.policy = options.policy instanceof PromotionPolicy ? options.policy : new PromotionPolicy(options.policy ?? {});
    this.evaluator = options.evaluator ?? new Evaluator();
    this.summarizer = options.summarizer ?? new TrajectorySummarizer();
    const b = options.benchmark;
    // An escaping benchmark path is a caller error: refuse it now, not as a failed cycle later.
    if (b !== undefined && 'path' in b && !('tasks' in b)) options.store.resolvePath(b.path);
  }

  /** Run one cycle; throws `LockedError` if another cycle holds the store, `NotFoundError` for an unknown pinned baseline. */
  async runCycle(options: CycleOptions = {}): Promise<TrainingReport> {
    const o = parseAt(cycleOptionsSchema, options, 'cycleOptions');
    if (o.baselineVersionId !== undefined) {
      assertStoreId(o.baselineVersionId, 'baselineVersionId');
      this.store.versions.getVersion(o.baselineVersionId);
    }
    const lock = this.store.acquireCycleLock(this.options.lock);
    let report: TrainingReport;
    try {
      report = await this.cycle(o, lock);
    } finally {
      lock.release();
    }
    if (this.options.afterCycle) await this.options.afterCycle(report);
    return report;
  }

  private async cycle(o: z.output<typeof cycleOptionsSchema>, lock: ReturnType<PromotionStore['acquireCycleLock']>): Promise<TrainingReport> {
    const t0 = Date.now();
    const currentId = this.store.versions.currentVersionId();
    const baselineId = o.baselineVersionId ?? currentId;
    const draft: TrainingReportDraft = {
      createdAt: new Date(t0).toISOString(),
      durationMs: 0,
      outcome: 'skipped',
      dryRun: o.dryRun,
      baselineVersionId: baselineId,
      baselinePinned: o.baselineVersionId !== undefined,
      parentVersionId: currentId,
      sourceTrajectoryIds: [],
      sampleCount: 0,
      datasetRule: this.builder.rule,
      datasetCounts: { eligible: 0, examples: 0, belowThreshold: 0, failed: 0, invalid: 0 },
      benchmark: null,
      baselineMetrics: null,
      challengerMetrics: null,
      decision: null,
      skipReason: null,
      error: null,
      trajectorySummaries: [],
    };
    const finish = (): TrainingReportDraft => ({ ...draft, durationMs: Date.now() - t0 });
    let stage: Stage = 'dataset';
    let dataset: Dataset | null = null;
    try {
      dataset = this.builder.build();
      draft.sourceTrajectoryIds = dataset.trajectories.map((t) => t.id);
      draft.sampleCount = dataset.examples.length;
      draft.datasetCounts = dataset.counts;
      draft.trajectorySummaries = dataset.trajectories.slice(0, SUMMARY_COUNT).map((t) => this.summarizer.summarize(t));
      const consumed = [...draft.sourceTrajectoryIds, ...dataset.invalid.map((r) => r.id)];
      if (dataset.counts.eligible < o.minNewTrajectories) {
        draft.skipReason = `${dataset.counts.eligible} new trajectories < minNewTrajectories ${o.minNewTrajectories}`;
        return this.store.commitCycle({ report: finish(), seenTrajectoryIds: [] });
      }
      if (dataset.examples.length === 0) {
        draft.skipReason = `none of ${dataset.counts.eligible} new trajectories qualified (reward >= ${this.builder.rule.rewardThreshold})`;
        return this.store.commitCycle({ report: finish(), seenTrajectoryIds: o.dryRun ? [] : consumed });
      }

      stage = 'train';
      const parent = currentId === null ? null : this.store.versions.getVersion(currentId);
      const produced = await this.options.train({
        base: parent,
        examples: dataset.examples,
        trajectories: dataset.trajectories,
        rule: this.builder.rule,
      });
      const artifact = parseAt(modelArtifactSchema, produced, 'trainResult');

      stage = 'evaluate';
      const suite = this.loadSuite();
      draft.benchmark = { id: suite.id, suiteVersion: suite.suiteVersion };
      const baseline = baselineId === null ? null : this.store.versions.getVersion(baselineId);
      const { baselineMetrics, challengerMetrics } = await this.benchmark(suite, baseline, artifact);
      draft.baselineMetrics = baselineMetrics;
      draft.challengerMetrics = challengerMetrics;

      stage = 'decide';
      const decision = this.policy.evaluate(baselineMetrics, challengerMetrics);
      draft.decision = decision;
      draft.outcome = decision.accepted ? 'accepted' : 'rejected';

      stage = 'commit';
      if (o.dryRun) return this.store.commitCycle({ report: finish(), seenTrajectoryIds: [] });
      const consume = decision.accepted || (this.options.consumeOnReject ?? true);
      return this.store.commitCycle({
        report: finish(),
        seenTrajectoryIds: consume ? consumed : [],
        lock,
        ...(decision.accepted
          ? {
              promote: {
                artifact,
                expectedCurrentId: currentId,
                benchmark: {
                  suiteId: suite.id,
                  suiteVersion: suite.suiteVersion,
                  taskCount: challengerMetrics.taskCount,
                  averageReward: challengerMetrics.averageReward,
                  errorRate: challengerMetrics.errorRate,
                  averageLatencyMs: challengerMetrics.averageLatencyMs,
                  p95LatencyMs: challengerMetrics.p95LatencyMs,
                  baselineAverageReward: baselineMetrics?.averageReward ?? null,
                },
              },
            }
          : {}),
      });
    } catch (err) {
      draft.outcome = 'failed';
      draft.error = {
        stage,
        name: err instanceof Error ? err.name : 'NonError',
        code: err instanceof RetainError ? err.code : null,
        message: err instanceof Error ? err.message : String(err),
        stack: err instanceof Error ? (err.stack ?? null) : null,
      };
      return this.store.commitCycle({ report: finish(), seenTrajectoryIds: [] });
    }
  }

  private async benchmark(
    suite: BenchmarkSuite,
    baseline: VersionWithWeights | null,
    challenger: z.output<typeof modelArtifactSchema>,
  ): Promise<{ baselineMetrics: EvaluationMetrics | null; challengerMetrics: EvaluationMetrics }> {
    // Trajectories logged through this store while the benchmark runs are benchmark traffic.
    this.store.beginBenchmarkRun(crypto.randomUUID());
    try {
      const baselineMetrics =
        baseline === null
          ? null
          : await this.evaluator.run(
              suite,
              await this.options.createPredictor({
                versionId: baseline.id,
                weights: baseline.weights,
                spec: baseline.spec,
                checkpointId: baseline.checkpointId,
              }),
            );
      const challengerMetrics = await this.evaluator.run(
        suite,
        await this.options.createPredictor({ versionId: null, ...challenger }),
      );
      return { baselineMetrics, challengerMetrics };
    } finally {
      this.store.endBenchmarkRun();
    }
  }

  private loadSuite(): BenchmarkSuite {
    const b = this.options.benchmark;
    if (b === undefined) return defaultBenchmarkSuite();
    if ('path' in b && !('tasks' in b)) return loadBenchmarkSuite(this.store.resolvePath(b.path));
    return parseBenchmarkSuite(b);
  }
}

/** Run one cycle with a throwaway coordinator (the CLI's `retain cycle`). */
export function runOnlineLearningCycle(options: OnlineLearningCoordinatorOptions & CycleOptions): Promise<TrainingReport> {
  const { minNewTrajectories, dryRun, baselineVersionId, ...rest } = options;
  const cycle: CycleOptions = {};
  if (minNewTrajectories !== undefined) cycle.minNewTrajectories = minNewTrajectories;
  if (dryRun !== undefined) cycle.dryRun = dryRun;
  if (baselineVersionId !== undefined) cycle.baselineVersionId = baselineVersionId;
  return new OnlineLearningCoordinator(rest).runCycle(cycle);
}
