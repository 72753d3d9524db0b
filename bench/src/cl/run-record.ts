// The file one benchmark run writes: bench/results/<scenario>/<method>/seed-<n>.json (zod-parsed when read).
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { StoreCorruptError } from '@retain/core';

const finite = z.number().finite();
const nullableFinite = finite.nullable();

/** zod schema of a run file (version 1). Accuracies are fractions in [0, 1]. */
export const runRecordSchema = z.object({
  version: z.literal(1),
  scenario: z.string(),
  /** Method name, with `+key=value` for each override of a variant. */
  method: z.string(),
  seed: z.number().int().min(0),
  quick: z.boolean(),
  protocol: z.record(z.string(), z.unknown()),
  /** The learner config as parsed by the learner (every default filled in). */
  config: z.record(z.string(), z.unknown()),
  overrides: z.array(z.string()),
  taskNames: z.array(z.string()),
  /** Untrained model's accuracy per task (FWT's b). */
  baseline: z.array(finite),
  /** R[i][j]: accuracy on task j after training stage i (one row for joint training). */
  matrix: z.array(z.array(finite)),
  metrics: z.object({
    acc: finite,
    bwt: nullableFinite,
    fwt: nullableFinite,
    forgetting: nullableFinite,
    /** Accuracy over the whole test set of every task together, after the last stage. */
    accAll: finite,
  }),
  /**
   * Accuracy per task over training, `stage` being the fractional position in the task sequence: `curveTestSize` test
   * images per task inside a stage, all of them at its end (older runs: the subset there too).
   */
  curve: z.array(z.object({ stage: finite, examples: z.number().int().min(0), acc: z.array(finite) })),
  /** The learner's prequential accuracy (online runs). */
  prequential: z.array(z.object({ at: z.number(), accuracy: finite })),
  steps: z.number().int().min(0),
  examples: z.number().int().min(0),
  timeSec: z.object({ total: finite, train: finite, evaluate: finite, cpu: finite }),
  peakRssMiB: finite,
  machine: z.object({
    cpu: z.string(),
    cores: z.number(),
    node: z.string(),
    os: z.string(),
    backend: z.string(),
    /** Threads the native kernels used (absent in runs before the option existed: 1). */
    threads: z.number().int().min(1).optional(),
    loadAverage: z.array(finite),
    /** Load average when the run ended (absent in older runs). */
    loadAverageEnd: z.array(finite).optional(),
    /** Cores other processes kept busy on average during the run (absent in older runs): the machine's noise. */
    otherCores: finite.optional(),
  }),
  date: z.string(),
  commit: z.string(),
});
/** One run's record. */
export type RunRecord = z.output<typeof runRecordSchema>;

/** Where a run's file lives under `root`. */
export function runPath(root: string, scenario: string, method: string, seed: number): string {
  return path.join(root, scenario, method, `seed-${seed}.json`);
}

/** Write a run file (parsed first, so a bad record never reaches disk), atomically by rename. */
export function writeRun(root: string, record: RunRecord): string {
  const parsed = runRecordSchema.parse(record);
  const file = runPath(root, parsed.scenario, parsed.method, parsed.seed);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(`${file}.tmp`, `${JSON.stringify(parsed, null, 1)}\n`);
  fs.renameSync(`${file}.tmp`, file);
  return file;
}

/** Read one run file; a malformed one throws StoreCorruptError naming the file. */
export function readRun(file: string): RunRecord {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new StoreCorruptError(file, `not JSON: ${(error as Error).message}`);
  }
  const r = runRecordSchema.safeParse(raw);
  if (!r.success) throw new StoreCorruptError(file, r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  return r.data;
}

/** Every run file under `root` (`<scenario>/<method>/seed-<n>.json`), sorted by path. */
export function listRuns(root: string): string[] {
  if (!fs.existsSync(root)) return [];
  const out: string[] = [];
  for (const scenario of fs.readdirSync(root, { withFileTypes: true })) {
    if (!scenario.isDirectory()) continue;
    for (const method of fs.readdirSync(path.join(root, scenario.name), { withFileTypes: true })) {
      if (!method.isDirectory()) continue;
      const dir = path.join(root, scenario.name, method.name);
      for (const f of fs.readdirSync(dir)) if (/^seed-\d+\.json$/.test(f)) out.push(path.join(dir, f));
    }
  }
  return out.sort();
}
