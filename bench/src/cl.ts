// Continual-learning benchmark suite: `pnpm bench:cl [--scenario S --method M --seed N] [--table] [--quick] [--json]`.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { InvalidArgumentError } from '@retain/core';
import { htmlReport } from './cl/html-report.js';
import { fullPlan } from './cl/plan.js';
import { runQuickSuite } from './cl/quick-suite.js';
import { runCell } from './cl/run-cell.js';
import { listRuns, readRun, runPath, writeRun, type RunRecord } from './cl/run-record.js';
import { resultsMarkdown, summarize } from './cl/results-table.js';

const benchDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const HELP = `pnpm bench:cl                                 run every planned cell that has no result file yet (each in its own process), then --table
pnpm bench:cl --scenario S --method M --seed N  run one cell, write bench/results/S/M/seed-N.json
              [--set key.path=value ...]      override the learner config (filed as the variant M+key.path=value)
              [--threads T]                   let the native GEMMs and optimizer passes use T threads (same results)
pnpm bench:cl --table                         assemble bench/RESULTS.md and bench/results/report.html from the run files
pnpm bench:cl --quick [--json]                the CI-sized suite (subsets, few steps), printed, nothing written
pnpm bench:cl --list                          the planned cells and whether each has a result
options: --results DIR (default bench/results), --json (print records as JSON)`;

function main(): void {
  const { values } = parseArgs({
    options: {
      scenario: { type: 'string' },
      method: { type: 'string' },
      seed: { type: 'string', default: '0' },
      threads: { type: 'string', default: '1' },
      set: { type: 'string', multiple: true, default: [] },
      table: { type: 'boolean', default: false },
      quick: { type: 'boolean', default: false },
      list: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      results: { type: 'string', default: path.join(benchDir, 'results') },
      help: { type: 'boolean', default: false },
    },
  });
  const root = path.resolve(values.results);
  if (values.help) return void console.log(HELP);
  if (values.quick) return quick(values.json);
  if (values.table) return table(root);
  if (values.list) return list(root);
  if (values.scenario || values.method) {
    if (!values.scenario || !values.method) throw new InvalidArgumentError('--scenario/--method', 'give both to run one cell');
    const seed = Number(values.seed);
    if (!Number.isInteger(seed) || seed < 0) throw new InvalidArgumentError('--seed', `must be an integer ≥ 0, got ${values.seed}`);
    const threads = Number(values.threads);
    if (!Number.isInteger(threads) || threads < 1) throw new InvalidArgumentError('--threads', `must be an integer ≥ 1, got ${values.threads}`);
    return one(root, values.scenario, values.method, seed, values.set, values.json, threads);
  }
  runPlan(root);
  table(root);
}

function one(root: string, scenario: string, method: string, seed: number, sets: string[], json: boolean, threads: number): void {
  const log = (line: string): void => void process.stderr.write(`[${scenario} ${method} seed ${seed}] ${line}\n`);
  const record = runCell({ scenario, method, seed, sets, log, threads });
  const file = writeRun(root, record);
  if (json) return void console.log(JSON.stringify(record));
  printRecords([record]);
  console.log(`wrote ${path.relative(process.cwd(), file)}`);
}

function quick(json: boolean): void {
  const records = runQuickSuite(0, { log: (line) => process.stderr.write(`${line}\n`) });
  if (json) return void console.log(JSON.stringify(records));
  printRecords(records);
}

function printRecords(records: RunRecord[]): void {
  const m = records[0]?.machine;
  if (m) console.log(`machine: ${m.cpu}, ${m.cores} cores, Node ${m.node}, ${m.os}, kernels ${m.backend} on ${m.threads ?? 1} thread(s), load ${m.loadAverage.join(' ')}`);
  const pct = (v: number | null): string => (v === null ? '—' : (100 * v).toFixed(2));
  console.log('| scenario | method | seed | ACC % | BWT | forgetting | FWT | steps | train s | peak MiB |');
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  for (const r of records) {
    const x = r.metrics;
    console.log(
      `| ${r.scenario}${r.quick ? ' (quick)' : ''} | ${r.method} | ${r.seed} | ${pct(x.acc)} | ${pct(x.bwt)} | ${pct(x.forgetting)} | ${pct(x.fwt)} | ${r.steps} | ${r.timeSec.train.toFixed(1)} | ${r.peakRssMiB.toFixed(0)} |`,
    );
  }
}

function list(root: string): void {
  for (const c of fullPlan()) {
    const done = fs.existsSync(runPath(root, c.scenario, c.method, c.seed));
    console.log(`${done ? 'done   ' : 'missing'} ${c.scenario} ${c.method} seed ${c.seed}`);
  }
}

/** Every planned cell without a result, each in a child process so its peak memory is its own. */
function runPlan(root: string): void {
  const script = fileURLToPath(import.meta.url);
  for (const c of fullPlan()) {
    if (fs.existsSync(runPath(root, c.scenario, c.method, c.seed))) continue;
    const args = [...process.execArgv, script, '--scenario', c.scenario, '--method', c.method, '--seed', String(c.seed), '--results', root];
    const r = spawnSync(process.execPath, args, { stdio: 'inherit' });
    if (r.status !== 0) process.stderr.write(`cell ${c.scenario} ${c.method} seed ${c.seed} failed with status ${r.status}\n`);
  }
}

function table(root: string): void {
  const records = listRuns(root).map(readRun).filter((r) => !r.quick);
  const rows = summarize(records);
  const md = resultsMarkdown(rows, records, fullPlan(), root);
  fs.writeFileSync(path.join(benchDir, 'RESULTS.md'), md);
  fs.mkdirSync(root, { recursive: true });
  fs.writeFileSync(path.join(root, 'report.html'), htmlReport(rows, records));
  console.log(md);
}

main();
