import fs from 'node:fs';
import path from 'node:path';
import { CaseIndex } from '@retain/memory';
import {
  ingestTrajectoryFile,
  openPromotionStore,
  promotionStatus,
  summarizeReport,
  type PromotionStatus,
  type SqlitePromotionStore,
} from '@retain/promotion';
import { CASE_INDEX_FILE } from '../promotion/learner-cycle.js';
import { ServingModel } from '../serving-model.js';
import { openExistingStore } from './store-commands.js';

/** Open the promotion tables of an existing store directory. */
export function openExistingPromotion(dir: string): SqlitePromotionStore {
  openExistingStore(dir).close();
  return openPromotionStore(dir);
}

/** The `promotion` object of `retain status`. */
export function promotionStatusOf(dir: string): PromotionStatus {
  const store = openExistingPromotion(dir);
  try {
    return promotionStatus(store);
  } finally {
    store.close();
  }
}

/** `retain trajectories ingest FILE`. */
export function ingestTrajectories(dir: string, file: string): ReturnType<typeof ingestTrajectoryFile> {
  fs.mkdirSync(dir, { recursive: true });
  const store = openPromotionStore(dir);
  try {
    return ingestTrajectoryFile(store, file);
  } finally {
    store.close();
  }
}

/** `retain versions`: every version with the move history of `current`. */
export function versionsOf(dir: string): { current: string | null; versions: unknown[]; history: unknown[] } {
  const store = openExistingPromotion(dir);
  try {
    return {
      current: store.versions.currentVersionId(),
      versions: store.versions.listVersions(),
      history: store.versions.listHistory(),
    };
  } finally {
    store.close();
  }
}

/** `retain rollback ID`. */
export function rollbackTo(dir: string, id: string): unknown {
  const store = openExistingPromotion(dir);
  try {
    return store.versions.rollback(id);
  } finally {
    store.close();
  }
}

/** `retain reports [ID]`: one report in full, or one summary line per report. */
export function reportsOf(dir: string, id?: string): unknown {
  const store = openExistingPromotion(dir);
  try {
    if (id !== undefined) return store.reports.getReport(id);
    return store.reports.listReports().map((r) => ({ id: r.id, createdAt: r.createdAt, outcome: r.outcome, dryRun: r.dryRun, summary: summarizeReport(r) }));
  } finally {
    store.close();
  }
}

/** The current version as a serving model, or null when none was promoted yet. */
export function currentServingModel(dir: string): { versionId: string; model: ServingModel } | null {
  const store = openPromotionStore(dir);
  try {
    const current = store.versions.getCurrent();
    if (!current) return null;
    return { versionId: current.version.id, model: ServingModel.fromArtifact(current.version.weights, current.version.spec) };
  } finally {
    store.close();
  }
}

/** The case index of a store, if a cycle or `retain case-index --rebuild` wrote one. */
export function caseIndexOf(dir: string): CaseIndex | null {
  const file = path.join(dir, CASE_INDEX_FILE);
  return fs.existsSync(file) ? CaseIndex.load(file) : null;
}
