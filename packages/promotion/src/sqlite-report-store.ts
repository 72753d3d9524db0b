import type Database from 'better-sqlite3';
import { InvalidArgumentError, NotFoundError, StoreCorruptError, parseAt } from '@retain/core';
import type { TrainingReportStore } from './promotion-store.js';
import { assertStoreId } from './store-ids.js';
import { trainingReportSchema, type TrainingReport, type TrainingReportDraft } from './training-report.js';

/** The SQLite {@link TrainingReportStore}: one row per cycle in `promotion_reports`. */
export class SqliteReportStore implements TrainingReportStore {
  constructor(private readonly db: Database.Database) {}

  getReport(id: string): TrainingReport {
    assertStoreId(id, 'reportId');
    const row = this.db.prepare('SELECT id, body FROM promotion_reports WHERE id = ?').get(id) as
      | { id: string; body: string }
      | undefined;
    if (!row) throw new NotFoundError('report', id);
    return parseRow(row);
  }

  listReports(options: { limit?: number } = {}): TrainingReport[] {
    const limit = options.limit ?? -1;
    if (!Number.isInteger(limit) || limit < -1) throw new InvalidArgumentError('limit', `must be a non-negative integer, got ${String(limit)}`);
    const rows = this.db.prepare('SELECT id, body FROM promotion_reports ORDER BY seq DESC LIMIT ?').all(limit) as {
      id: string;
      body: string;
    }[];
    return rows.map(parseRow);
  }

  latestReport(): TrainingReport | null {
    return this.listReports({ limit: 1 })[0] ?? null;
  }

  countReports(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM promotion_reports').get() as { n: number }).n;
  }

  /** The id the next inserted report gets (`report-<n>`); stable inside one transaction. */
  nextReportId(): string {
    return `report-${this.nextSeq()}`;
  }

  /** Insert a report with the next id (`report-<n>`); call inside the cycle's transaction. */
  insertReport(draft: TrainingReportDraft, promotedVersionId: string | null): TrainingReport {
    const next = this.nextSeq();
    const report = parseAt(
      trainingReportSchema,
      { ...draft, version: 1, id: `report-${next}`, promotedVersionId },
      'report',
    );
    this.db
      .prepare('INSERT INTO promotion_reports (seq, id, created_at, outcome, dry_run, body) VALUES (?, ?, ?, ?, ?, ?)')
      .run(next, report.id, report.createdAt, report.outcome, report.dryRun ? 1 : 0, JSON.stringify(report));
    return report;
  }

  private nextSeq(): number {
    return (this.db.prepare('SELECT COALESCE(MAX(seq), 0) + 1 AS n FROM promotion_reports').get() as { n: number }).n;
  }
}

function parseRow(row: { id: string; body: string }): TrainingReport {
  let json: unknown;
  try {
    json = JSON.parse(row.body);
  } catch (err) {
    throw new StoreCorruptError(`promotion_reports[${row.id}]`, 'body is not JSON', err);
  }
  return parseAt(trainingReportSchema, json, `promotion_reports[${row.id}]`, 'store');
}
