import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { NotFoundError, RetainError } from '@retain/core';
import { openPromotionStore, summarizeReport, type PromotionDecision } from '@retain/promotion';
import { loadLearner } from '../learner-persistence.js';
import { LearnerStore, STORE_FILE } from '../learner-store.js';
import { matrixMetrics, type MatrixMetrics } from './report-metrics.js';

/** A section's data, or why there is none (rendered as a "no data" panel, never a crash). */
export type Maybe<T> = { ok: true; value: T } | { ok: false; reason: string };

/** What the report shows of one learner store. */
export interface LearnerReport {
  name: string;
  dir: string;
  examplesSeen: number;
  accuracy: number;
  recentAccuracy: number;
  drifts: number;
  consolidations: number;
  backend: string;
  preset: string;
  replayEnabled: boolean;
  ewcEnabled: boolean;
  history: { at: number; accuracy: number; loss: number }[];
  events: { kind: string; at: number; detail: Record<string, unknown> }[];
  replay: { size: number; capacity: number; byDomain: { domain: string; count: number }[] } | null;
  scenario: { name: string; tasks: string[]; accuracy: number[][]; metrics: MatrixMetrics } | null;
}

/** One promotion cycle as the report shows it. */
export interface CycleReport {
  id: string;
  createdAt: string;
  outcome: string;
  summary: string;
  baselineVersionId: string | null;
  promotedVersionId: string | null;
  sampleCount: number;
  baselineReward: number | null;
  challengerReward: number | null;
  decision: Pick<PromotionDecision, 'accepted' | 'mode' | 'reasons' | 'gates'> | null;
}

/** The promotion tables of a store. */
export interface PromotionReport {
  current: string | null;
  versions: { id: string; createdAt: string; byteLength: number; source: string; reportId: string | null; reward: number | null }[];
  history: { versionId: string; reason: string; at: string }[];
  cycles: CycleReport[];
}

/** Everything a report renders (embedded in the HTML as JSON, format version 1). */
export interface ReportData {
  version: 1;
  format: 'retain.report';
  generatedAt: string;
  store: string;
  learners: Maybe<LearnerReport[]>;
  promotion: Maybe<PromotionReport>;
}

function tablesOf(file: string): Set<string> {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const rows = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'").all() as { name: string }[];
    return new Set(rows.map((r) => r.name));
  } finally {
    db.close();
  }
}

function describe(err: unknown): string {
  if (err instanceof RetainError) return `${err.code}: ${err.message}`;
  return err instanceof Error ? err.message : String(err);
}

/** Store directories under `dir`: itself, and each direct sub-directory that holds a store file. */
export function findStores(dir: string): string[] {
  const out: string[] = [];
  if (fs.existsSync(path.join(dir, STORE_FILE))) out.push(dir);
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.isDirectory() && fs.existsSync(path.join(dir, entry.name, STORE_FILE))) out.push(path.join(dir, entry.name));
  }
  return out;
}

function readLearner(dir: string, name: string): LearnerReport | null {
  if (!tablesOf(path.join(dir, STORE_FILE)).has('learner_checkpoints')) return null;
  const store = LearnerStore.open(dir);
  try {
    const learner = loadLearner(store);
    if (!learner) return null;
    const st = learner.stats();
    const replay = learner.config.replay.enabled ? learner.replayStats() : null;
    const scenario = store.getMeta<{ name: string; tasks: string[]; accuracy: number[][] }>('scenario');
    return {
      name,
      dir,
      examplesSeen: st.examplesSeen,
      accuracy: st.accuracy,
      recentAccuracy: st.recentAccuracy,
      drifts: st.drifts,
      consolidations: st.consolidations,
      backend: st.backend,
      preset: learner.config.preset,
      replayEnabled: learner.config.replay.enabled,
      ewcEnabled: learner.config.ewc.enabled,
      history: learner.history().map((h) => ({ at: h.at, accuracy: h.accuracy, loss: h.loss })),
      events: learner
        .events()
        .filter((e) => e.kind === 'drift' || e.kind === 'consolidation')
        .map((e) => ({ kind: e.kind, at: e.at, detail: e.detail })),
      replay: replay && {
        size: replay.size,
        capacity: replay.capacity,
        byDomain: Object.entries(replay.domainDistribution).map(([domain, count]) => ({ domain, count })),
      },
      scenario: scenario ? { ...scenario, metrics: matrixMetrics(scenario.accuracy) } : null,
    };
  } finally {
    store.close();
  }
}

function readPromotion(dir: string): PromotionReport | null {
  if (!tablesOf(path.join(dir, STORE_FILE)).has('promotion_versions')) return null;
  const store = openPromotionStore(dir);
  try {
    const versions = store.versions.listVersions();
    const reports = store.reports.listReports({ limit: 50 }).reverse();
    if (versions.length === 0 && reports.length === 0) return null;
    return {
      current: store.versions.currentVersionId(),
      versions: versions.map((v) => ({
        id: v.id,
        createdAt: v.createdAt,
        byteLength: v.byteLength,
        source: v.promotion.source,
        reportId: v.promotion.reportId,
        reward: v.promotion.benchmark?.averageReward ?? null,
      })),
      history: store.versions.listHistory().map((h) => ({ versionId: h.versionId, reason: h.reason, at: h.at })),
      cycles: reports.map((r) => ({
        id: r.id,
        createdAt: r.createdAt,
        outcome: r.outcome,
        summary: summarizeReport(r),
        baselineVersionId: r.baselineVersionId,
        promotedVersionId: r.promotedVersionId,
        sampleCount: r.sampleCount,
        baselineReward: r.baselineMetrics?.averageReward ?? null,
        challengerReward: r.challengerMetrics?.averageReward ?? null,
        decision: r.decision && { accepted: r.decision.accepted, mode: r.decision.mode, reasons: r.decision.reasons, gates: r.decision.gates },
      })),
    };
  } finally {
    store.close();
  }
}

/**
 * Read everything a report shows from the store in `dir` and its direct sub-stores (the demo keeps one
 * per learner). A part that is missing or unreadable becomes a reason, never an exception.
 */
export function collectReportData(dir: string, now = new Date()): ReportData {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new NotFoundError('store', dir);
  const stores = findStores(dir);
  const learners: LearnerReport[] = [];
  const promotions: PromotionReport[] = [];
  const problems: string[] = [];
  for (const s of stores) {
    const name = s === dir ? path.basename(path.resolve(dir)) : path.basename(s);
    try {
      const l = readLearner(s, name);
      if (l) learners.push(l);
    } catch (err) {
      problems.push(`${name}: ${describe(err)}`);
    }
    try {
      const p = readPromotion(s);
      if (p) promotions.push(p);
    } catch (err) {
      problems.push(`${name} (promotion): ${describe(err)}`);
    }
  }
  const none = stores.length === 0 ? `no ${STORE_FILE} in ${dir} or its sub-directories` : null;
  return {
    version: 1,
    format: 'retain.report',
    generatedAt: now.toISOString(),
    store: path.resolve(dir),
    learners:
      learners.length > 0
        ? { ok: true, value: learners }
        : { ok: false, reason: none ?? (problems.join('; ') || 'no learner checkpoint in this store yet (run `retain learn`)') },
    promotion:
      promotions.length > 0
        ? { ok: true, value: promotions[0]! }
        : { ok: false, reason: none ?? (problems.find((p) => p.includes('(promotion)')) ?? 'no model versions or promotion cycles in this store yet') },
  };
}
