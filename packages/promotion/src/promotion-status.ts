import type { PromotionStore } from './promotion-store.js';
import { summarizeReport, type TrainingReport } from './training-report.js';

/** The `promotion` object of `retain status`. */
export interface PromotionStatus {
  currentVersion: {
    id: string;
    createdAt: string;
    byteLength: number;
    /** When and why it became current (promotion, rollback or manual). */
    since: string;
    reason: 'promotion' | 'rollback' | 'manual';
  } | null;
  versionCount: number;
  trajectoryCount: number;
  reportCount: number;
  latestReport: {
    id: string;
    createdAt: string;
    outcome: TrainingReport['outcome'];
    dryRun: boolean;
    summary: string;
  } | null;
}

/** Current version, counts, and the latest report's one-line summary. */
export function promotionStatus(store: PromotionStore): PromotionStatus {
  const current = store.versions.getCurrent();
  const latest = store.reports.latestReport();
  return {
    currentVersion: current && {
      id: current.version.id,
      createdAt: current.version.createdAt,
      byteLength: current.version.byteLength,
      since: current.since.at,
      reason: current.since.reason,
    },
    versionCount: store.versions.countVersions(),
    trajectoryCount: store.trajectories.countTrajectories(),
    reportCount: store.reports.countReports(),
    latestReport: latest && {
      id: latest.id,
      createdAt: latest.createdAt,
      outcome: latest.outcome,
      dryRun: latest.dryRun,
      summary: summarizeReport(latest),
    },
  };
}
