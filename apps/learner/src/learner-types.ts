import type { BackendName } from '@retain/kernels';
import type { ConsolidationReport } from '@retain/consolidation';

/** What `learnOne` did with one example. */
export interface LearnResult {
  id: string;
  /** Output index of the target. */
  target: number;
  /** Prequential (test-then-train) prediction made before learning the example, when enabled. */
  predicted?: number;
  correct?: boolean;
  /** Prequential cross-entropy of the example before learning it. */
  loss?: number;
  /** A drift detector fired on this example. */
  drift: boolean;
  /** A training step ran (the mini-batch filled). */
  trained: boolean;
}

/** Counters of a learner. */
export interface OnlineLearnerStats {
  examplesSeen: number;
  rejected: number;
  steps: number;
  /** Training steps skipped because their loss was not finite (since this process loaded the learner). */
  skippedSteps: number;
  /** Mean prequential loss over the stream (NaN before any). */
  avgLoss: number;
  /** Prequential accuracy over the stream (NaN before any). */
  accuracy: number;
  /** Prequential accuracy over the last 1,000 examples. */
  recentAccuracy: number;
  domainCounts: Record<string, number>;
  drifts: number;
  consolidations: number;
  /** Trained examples waiting to enter the replay buffer at the next consolidation (`replay.admission: 'consolidation'`; else 0). */
  replayStaged: number;
  classes: number;
  backend: BackendName;
}

/** A drift, as emitted and recorded. */
export interface DriftEvent {
  at: number;
  detector: string;
  actions: string[];
}

/** A consolidation, as emitted and recorded. */
export interface ConsolidationEvent {
  at: number;
  reason: string;
  report: ConsolidationReport;
}

/** Everything a learner emits. */
export interface LearnerEvents {
  drift: DriftEvent;
  consolidation: ConsolidationEvent;
  checkpoint: { id: number; examplesSeen: number };
  rejected: { error: Error; example: unknown };
  classAdded: { index: number; label: string | number; classes: number };
}

/** One entry of the learner's event log (kept in the state, last 1,000). */
export interface LoggedEvent {
  kind: 'drift' | 'consolidation' | 'classAdded' | 'checkpoint';
  at: number;
  time: number;
  detail: Record<string, unknown>;
}
