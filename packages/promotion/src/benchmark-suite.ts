import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { InvalidArgumentError, NotFoundError, StoreCorruptError, StateVersionError, parseAt } from '@retain/core';
import { trajectoryInputSchema } from './trajectory.js';

/** Kinds of benchmark task: recall from memory, tool choice, a learned skill, or several at once. */
export const benchmarkKindSchema = z.enum(['memory', 'tool', 'skill', 'composite']);
/** A benchmark task kind. */
export type BenchmarkKind = z.output<typeof benchmarkKindSchema>;

/** zod schema of one benchmark task. */
export const benchmarkTaskSchema = z.object({
  id: z.string().min(1).max(256),
  kind: benchmarkKindSchema,
  input: trajectoryInputSchema,
  expectedAction: z.union([z.string().min(1), z.number().int().min(0)]),
  description: z.string().optional(),
});
/** One fixed task of a suite: an input and the action a good model takes. */
export type BenchmarkTask = z.output<typeof benchmarkTaskSchema>;

const SUITE_FORMAT = 'retain.benchmark-suite';

/** zod schema of a {@link BenchmarkSuite} file (format tag + version 1). */
export const benchmarkSuiteSchema = z
  .object({
    format: z.literal(SUITE_FORMAT),
    version: z.literal(1),
    id: z.string().min(1).max(256),
    suiteVersion: z.number().int().min(1),
    tasks: z.array(benchmarkTaskSchema).min(1),
  })
  .superRefine((suite, ctx) => {
    const seen = new Set<string>();
    suite.tasks.forEach((t, i) => {
      if (seen.has(t.id)) ctx.addIssue({ code: 'custom', path: ['tasks', i, 'id'], message: `duplicate task id ${t.id}` });
      seen.add(t.id);
    });
  });

/** A fixed, versioned set of tasks every challenger and baseline run; `suiteVersion` changes when tasks do. */
export type BenchmarkSuite = z.output<typeof benchmarkSuiteSchema>;

/** Build a suite from tasks, validating them (`InvalidArgumentError` naming the bad field). */
export function createBenchmarkSuite(id: string, suiteVersion: number, tasks: readonly unknown[]): BenchmarkSuite {
  return parseAt(benchmarkSuiteSchema, { format: SUITE_FORMAT, version: 1, id, suiteVersion, tasks }, 'suite');
}

/** Parse a suite from already-decoded JSON; a foreign or malformed value is a `StoreCorruptError`. */
export function parseBenchmarkSuite(value: unknown, what = 'benchmarkSuite'): BenchmarkSuite {
  if (typeof value !== 'object' || value === null || (value as { format?: unknown }).format !== SUITE_FORMAT) {
    throw new StoreCorruptError(what, `not a retain benchmark suite (format must be "${SUITE_FORMAT}")`);
  }
  const v = (value as { version?: unknown }).version;
  if (v !== 1) throw new StateVersionError(what, v, [1]);
  return parseAt(benchmarkSuiteSchema, value, what, 'store');
}

/** Write a suite as JSON atomically (temp file + rename), so readers never see half a file. */
export function saveBenchmarkSuite(file: string, suite: BenchmarkSuite): void {
  const checked = parseAt(benchmarkSuiteSchema, suite, 'suite');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(checked, null, 2)}\n`);
  fs.renameSync(tmp, file);
}

/** Read a suite file; missing → `NotFoundError`, unparsable or foreign → `StoreCorruptError`. */
export function loadBenchmarkSuite(file: string): BenchmarkSuite {
  if (typeof file !== 'string' || file.length === 0) throw new InvalidArgumentError('file', 'must be a path');
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new NotFoundError('benchmark suite file', file);
    throw err;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new StoreCorruptError(file, `not valid JSON: ${(err as Error).message}`, err);
  }
  return parseBenchmarkSuite(json, file);
}

/**
 * The seed suite: a small fixed set covering every kind (memory recall, tool choice, a skill, and
 * composite tasks that need two of them), on named-field inputs a learner can hash.
 */
export function defaultBenchmarkSuite(): BenchmarkSuite {
  const tasks: unknown[] = [];
  const facts = [
    ['user.name', 'recall:name'],
    ['user.city', 'recall:city'],
    ['project.deadline', 'recall:deadline'],
    ['meeting.room', 'recall:room'],
  ] as const;
  facts.forEach(([key, action], i) =>
    tasks.push({ id: `memory-${i + 1}`, kind: 'memory', input: { op: 'recall', key }, expectedAction: action }),
  );
  const tools = [
    ['what is 17 * 23', 'tool:calculator'],
    ['weather in Oslo tomorrow', 'tool:weather'],
    ['find the file config.yaml', 'tool:search'],
    ['email the report to Ana', 'tool:email'],
  ] as const;
  tools.forEach(([request, action], i) =>
    tasks.push({ id: `tool-${i + 1}`, kind: 'tool', input: { op: 'tool', request }, expectedAction: action }),
  );
  const skills = [
    ['sort', 'numbers', 'skill:sort'],
    ['summarize', 'text', 'skill:summarize'],
    ['translate', 'text', 'skill:translate'],
    ['classify', 'ticket', 'skill:classify'],
  ] as const;
  skills.forEach(([skill, on, action], i) =>
    tasks.push({ id: `skill-${i + 1}`, kind: 'skill', input: { op: 'skill', skill, on }, expectedAction: action }),
  );
  const composite = [
    [{ op: 'plan', key: 'user.city', request: 'weather' }, 'plan:recall-then-weather'],
    [{ op: 'plan', key: 'project.deadline', request: 'email' }, 'plan:recall-then-email'],
    [{ op: 'plan', skill: 'summarize', request: 'search' }, 'plan:search-then-summarize'],
    [{ op: 'plan', skill: 'sort', request: 'calculator' }, 'plan:calculate-then-sort'],
  ] as const;
  composite.forEach(([input, action], i) =>
    tasks.push({ id: `composite-${i + 1}`, kind: 'composite', input, expectedAction: action }),
  );
  return createBenchmarkSuite('retain-seed', 1, tasks);
}
