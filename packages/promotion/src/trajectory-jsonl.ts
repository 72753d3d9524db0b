import fs from 'node:fs';
import { InvalidArgumentError, NotFoundError } from '@retain/core';
import type { PromotionStore } from './promotion-store.js';
import { trajectorySchema, type Trajectory } from './trajectory.js';

/** A JSONL line that was skipped, with its 1-based line number and why. */
export interface BadLine {
  line: number;
  message: string;
}

/** Result of parsing JSONL: valid trajectories and the bad lines skipped. */
export interface ParsedJsonl {
  /** Non-blank lines read. */
  lines: number;
  trajectories: Trajectory[];
  badLines: BadLine[];
}

/** Result of ingesting JSONL into a store. */
export interface IngestResult {
  lines: number;
  good: number;
  bad: number;
  inserted: number;
  /** Good lines whose id was already stored (left as it was: ingesting twice changes nothing). */
  duplicates: number;
  badLines: BadLine[];
}

/** Parse trajectory JSONL: one object per line, blank lines ignored, bad lines reported and skipped. */
export function parseTrajectoryJsonl(text: string): ParsedJsonl {
  if (typeof text !== 'string') throw new InvalidArgumentError('text', 'must be a string');
  const trajectories: Trajectory[] = [];
  const badLines: BadLine[] = [];
  let lines = 0;
  const seen = new Set<string>();
  text.split(/\r?\n/).forEach((raw, i) => {
    if (raw.trim() === '') return;
    lines++;
    const line = i + 1;
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch (err) {
      badLines.push({ line, message: `not JSON: ${(err as Error).message}` });
      return;
    }
    const parsed = trajectorySchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      badLines.push({ line, message: `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}` });
      return;
    }
    if (seen.has(parsed.data.id)) {
      badLines.push({ line, message: `id: duplicate of an earlier line (${parsed.data.id})` });
      return;
    }
    seen.add(parsed.data.id);
    trajectories.push(parsed.data);
  });
  return { lines, trajectories, badLines };
}

/** Parse JSONL text and store its good lines in one transaction. */
export function ingestTrajectoriesJsonl(store: PromotionStore, text: string): IngestResult {
  const parsed = parseTrajectoryJsonl(text);
  const added = store.trajectories.addTrajectories(parsed.trajectories);
  return {
    lines: parsed.lines,
    good: parsed.trajectories.length,
    bad: parsed.badLines.length,
    inserted: added.inserted,
    duplicates: added.duplicates,
    badLines: parsed.badLines,
  };
}

/** Ingest a JSONL file (`retain trajectories ingest FILE`); a missing file is `NotFoundError`. */
export function ingestTrajectoryFile(store: PromotionStore, file: string): IngestResult {
  if (typeof file !== 'string' || file.length === 0) throw new InvalidArgumentError('file', 'must be a path');
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new NotFoundError('trajectory file', file);
    throw err;
  }
  return ingestTrajectoriesJsonl(store, text);
}
