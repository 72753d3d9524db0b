import fs from 'node:fs';
import path from 'node:path';
import { InvalidArgumentError } from '@retain/core';
import { reportAssets } from './report-assets.js';
import { collectReportData, type ReportData } from './report-data.js';
import { renderReportHtml } from './report-html.js';

export { collectReportData, findStores } from './report-data.js';
export type { CycleReport, LearnerReport, Maybe, PromotionReport, ReportData } from './report-data.js';
export { matrixMetrics, type MatrixMetrics } from './report-metrics.js';
export { renderReportHtml } from './report-html.js';
export { reportAssets, type ReportAssets } from './report-assets.js';

/** Options of {@link writeReport} (`retain report [--store DIR] [--out FILE] [--json]`). */
export interface ReportOptions {
  /** Store directory (a `retain learn` store, or a demo folder of sub-stores). */
  store: string;
  /** Output file; default `<store>/report.html`. */
  out?: string;
  /** Print the summary as JSON instead of text. */
  json?: boolean;
  /** Where the summary goes (default process.stdout); null prints nothing. */
  stdout?: NodeJS.WritableStream | null;
  /** Fixed clock for reproducible output. */
  now?: Date;
}

/** What {@link writeReport} wrote. */
export interface ReportSummary {
  path: string;
  bytes: number;
  learners: string[];
  /** Which sections have data (`false`: rendered as a "no data" panel). */
  sections: { accuracy: boolean; matrix: boolean; replay: boolean; promotion: boolean };
  /** Why the learner and promotion parts are empty, when they are. */
  missing: string[];
}

function summarize(data: ReportData, file: string, bytes: number): ReportSummary {
  const ls = data.learners.ok ? data.learners.value : [];
  return {
    path: file,
    bytes,
    learners: ls.map((l) => l.name),
    sections: {
      accuracy: ls.some((l) => l.history.length > 0),
      matrix: ls.some((l) => l.scenario !== null),
      replay: ls.some((l) => l.replay !== null && l.replay.size > 0),
      promotion: data.promotion.ok,
    },
    missing: [data.learners, data.promotion].flatMap((m) => (m.ok ? [] : [m.reason])),
  };
}

/** Render the HTML report of a store into one self-contained file; returns (and prints) what it wrote. */
export function writeReport(options: ReportOptions): ReportSummary {
  if (typeof options?.store !== 'string' || options.store.length === 0) throw new InvalidArgumentError('store', 'must be a directory path');
  const data = collectReportData(options.store, options.now);
  const file = path.resolve(options.out ?? path.join(options.store, 'report.html'));
  const html = renderReportHtml(data, reportAssets());
  fs.mkdirSync(path.dirname(file), { recursive: true });
  // Write then rename: a browser reloading the file never sees half a report.
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, html);
  fs.renameSync(tmp, file);
  const summary = summarize(data, file, Buffer.byteLength(html));
  const out = options.stdout === undefined ? process.stdout : options.stdout;
  if (out) {
    if (options.json) out.write(`${JSON.stringify(summary, null, 2)}\n`);
    else {
      const have = Object.entries(summary.sections).filter(([, v]) => v).map(([k]) => k);
      out.write(`report written to ${file} (${(summary.bytes / 1024).toFixed(0)} KiB, opens offline)\n`);
      out.write(`learners: ${summary.learners.join(', ') || 'none'}; sections with data: ${have.join(', ') || 'none'}\n`);
      for (const m of summary.missing) out.write(`no data: ${m}\n`);
    }
  }
  return summary;
}
