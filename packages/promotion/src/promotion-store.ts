import type { CycleLock, CycleLockOptions } from './cycle-lock.js';
import type { TrainingReport, TrainingReportDraft } from './training-report.js';
import type { Trajectory } from './trajectory.js';
import type {
  BenchmarkSummary,
  CurrentHistoryEntry,
  CurrentVersion,
  ModelArtifact,
  VersionRecord,
  VersionWithWeights,
} from './version-record.js';

/** Result of adding trajectories: new rows, and ids that were already stored (left as they were). */
export interface AddTrajectoriesResult {
  inserted: number;
  duplicates: number;
  /** How many of the inserted rows were tagged as benchmark traffic. */
  benchmark: number;
}

/** A stored trajectory row before validation (the index validates and skips bad rows). */
export interface TrajectoryRow {
  seq: number;
  id: string;
  origin: 'live' | 'benchmark';
  body: string;
}

/** Filter of {@link TrajectoryStore.queryTrajectoryRows}. */
export interface TrajectoryQuery {
  /** Only trajectories never used by a cycle. */
  unseenOnly?: boolean;
  origin?: 'live' | 'benchmark';
  domain?: string;
  /** Rows with a sequence number above this one. */
  afterSeq?: number;
  limit?: number;
}

/** Logged trajectories. */
export interface TrajectoryStore {
  /** Validate all (typed error naming the first bad field, nothing written), then insert in one transaction. */
  addTrajectories(items: readonly unknown[]): AddTrajectoriesResult;
  getTrajectory(id: string): Trajectory;
  countTrajectories(): number;
  queryTrajectoryRows(query?: TrajectoryQuery): TrajectoryRow[];
}

/** Ids of trajectories a cycle already used, so repeated runs skip them. */
export interface SeenTrajectoryStore {
  hasSeen(trajectoryId: string): boolean;
  countSeen(): number;
  /** Mark ids as used by `reportId` (ids already marked keep their first report). */
  markSeen(trajectoryIds: readonly string[], reportId: string): void;
}

/** Immutable model versions, the `current` pointer, and the history of its moves. */
export interface VersionStore {
  /** A version with its weights (checksum verified); `NotFoundError` for an unknown id. */
  getVersion(id: string): VersionWithWeights;
  listVersions(): VersionRecord[];
  countVersions(): number;
  currentVersionId(): string | null;
  getCurrent(): CurrentVersion | null;
  /** Store an artifact as a new version outside any cycle (e.g. the first model); current by default. */
  publishVersion(artifact: ModelArtifact, options?: { makeCurrent?: boolean }): VersionRecord;
  /** Make an older version current, recording `rollbackFrom` and `rolledBackAt`. */
  rollback(id: string): CurrentHistoryEntry;
  /** Every move of `current`, oldest first. */
  listHistory(): CurrentHistoryEntry[];
}

/** One report per cycle. */
export interface TrainingReportStore {
  getReport(id: string): TrainingReport;
  /** Newest first. */
  listReports(options?: { limit?: number }): TrainingReport[];
  latestReport(): TrainingReport | null;
  countReports(): number;
}

/** What a cycle writes at its end, all in one transaction. */
export interface CycleCommit {
  report: TrainingReportDraft;
  /** Trajectories the cycle consumed. */
  seenTrajectoryIds: readonly string[];
  /** Present when the challenger was accepted and is to become current. */
  promote?: {
    artifact: ModelArtifact;
    /** Current version when the cycle started; if another writer moved it, the promotion is refused. */
    expectedCurrentId: string | null;
    benchmark: BenchmarkSummary;
  };
  /** The cycle's lock: if it was lost (taken over as stale), nothing is promoted. */
  lock?: CycleLock;
}

/** Callback of {@link PromotionStore.watchCurrent}. */
export type CurrentListener = (current: CurrentVersion | null) => void;

/** A running watcher; `close()` stops polling. */
export interface CurrentWatcher {
  close(): void;
  /** Poll now (the timer calls this). */
  poll(): void;
}

/** Storage of the promotion loop: trajectories, seen ids, versions, reports, locks, in one place. */
export interface PromotionStore {
  readonly dir: string;
  readonly file: string;
  readonly trajectories: TrajectoryStore;
  readonly seen: SeenTrajectoryStore;
  readonly versions: VersionStore;
  readonly reports: TrainingReportStore;
  /** Tag every trajectory added from now on as benchmark traffic of `runId`, until {@link endBenchmarkRun}. */
  beginBenchmarkRun(runId: string): void;
  endBenchmarkRun(): void;
  acquireCycleLock(options?: CycleLockOptions): CycleLock;
  /** Write a cycle's report (and promotion and seen marks) atomically; returns the stored report. */
  commitCycle(commit: CycleCommit): TrainingReport;
  /** Call `listener` with the current version now and whenever another connection moves it. */
  watchCurrent(listener: CurrentListener, options?: { intervalMs?: number; onError?: (err: unknown) => void }): CurrentWatcher;
  /** A path inside the store directory; escaping paths are rejected. */
  resolvePath(relative: string): string;
  close(): void;
}
