import fs from 'node:fs';
import path from 'node:path';
import { InvalidArgumentError, NotFoundError, parseAt, StateVersionError, StoreCorruptError } from '@retain/core';
import { z } from 'zod';

/** The best trajectory known for one normalized input. */
export interface CaseBest {
  trajectoryId: string;
  reward: number;
}

/** The saved form of a {@link CaseIndex}. */
export interface CaseIndexFile {
  version: 1;
  format: 'retain.case-index';
  entries: { input: string; trajectoryId: string; reward: number }[];
}

/** zod schema of {@link CaseIndexFile}. */
export const caseIndexFileSchema = z
  .object({
    version: z.literal(1),
    format: z.literal('retain.case-index'),
    entries: z.array(
      z.object({ input: z.string().min(1), trajectoryId: z.string().min(1), reward: z.number().finite() }).strict(),
    ),
  })
  .strict();

/**
 * Fold a task input to its case key: Unicode NFKC, lower case, punctuation replaced by spaces,
 * runs of whitespace collapsed, trimmed. Symbols (`+`, `=`, `$`) are kept: they change meaning.
 */
export function normalizeCaseInput(input: string): string {
  return input
    .normalize('NFKC')
    .toLowerCase()
    .replace(/\p{P}+/gu, ' ')
    .replace(/\s+/gu, ' ')
    .trim();
}

/**
 * Maps a normalized task input to the id of the best past trajectory for it by reward, updated
 * incrementally as trajectories arrive (an equal reward keeps the earlier trajectory).
 */
export class CaseIndex {
  private readonly best = new Map<string, CaseBest>();

  /** Number of distinct normalized inputs. */
  get size(): number {
    return this.best.size;
  }

  /** Offer a finished trajectory; returns true if it became the best for its input. */
  record(input: string, trajectoryId: string, reward: number): boolean {
    const key = this.keyOf(input);
    if (typeof trajectoryId !== 'string' || trajectoryId.length === 0) {
      throw new InvalidArgumentError('trajectoryId', 'must be a non-empty string');
    }
    if (typeof reward !== 'number' || !Number.isFinite(reward)) {
      throw new InvalidArgumentError('reward', `must be a finite number, got ${String(reward)}`);
    }
    const cur = this.best.get(key);
    if (cur !== undefined && cur.reward >= reward) return false;
    this.best.set(key, { trajectoryId, reward });
    return true;
  }

  /** The best trajectory for this input (after normalization), or undefined. */
  bestFor(input: string): CaseBest | undefined {
    const b = this.best.get(this.keyOf(input));
    return b === undefined ? undefined : { ...b };
  }

  /** Drop every entry pointing at a trajectory (privacy request); returns how many inputs lost their best. */
  forgetTrajectory(trajectoryId: string): number {
    let n = 0;
    for (const [k, v] of this.best) {
      if (v.trajectoryId === trajectoryId) {
        this.best.delete(k);
        n++;
      }
    }
    return n;
  }

  /** The versioned plain form, entries sorted by input so equal indexes serialize identically. */
  toJSON(): CaseIndexFile {
    const entries = [...this.best].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return {
      version: 1,
      format: 'retain.case-index',
      entries: entries.map(([input, b]) => ({ input, trajectoryId: b.trajectoryId, reward: b.reward })),
    };
  }

  /** Rebuild from {@link CaseIndex.toJSON} output or its JSON text; corrupt or foreign data is a typed error. */
  static fromJSON(value: unknown): CaseIndex {
    let data = value;
    if (typeof value === 'string') {
      try {
        data = JSON.parse(value);
      } catch (err) {
        throw new StoreCorruptError('caseIndex', 'not valid JSON', err);
      }
    }
    if (typeof data === 'object' && data !== null && (data as { format?: unknown }).format === 'retain.case-index') {
      const v = (data as { version?: unknown }).version;
      if (typeof v === 'number' && v !== 1) throw new StateVersionError('caseIndex', v, [1]);
    }
    const file = parseAt(caseIndexFileSchema, data, 'caseIndex', 'store');
    const index = new CaseIndex();
    file.entries.forEach((e, i) => {
      if (normalizeCaseInput(e.input) !== e.input) {
        throw new StoreCorruptError(`caseIndex.entries[${i}].input`, 'is not in normalized form');
      }
      if (index.best.has(e.input)) throw new StoreCorruptError(`caseIndex.entries[${i}].input`, 'duplicate input');
      index.best.set(e.input, { trajectoryId: e.trajectoryId, reward: e.reward });
    });
    return index;
  }

  /** Write to a file atomically (temporary file, then rename). */
  save(file: string): void {
    const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
    fs.writeFileSync(tmp, `${JSON.stringify(this.toJSON())}\n`);
    fs.renameSync(tmp, file);
  }

  /** Read a file written by {@link CaseIndex.save}: `NotFoundError` if absent, `StoreCorruptError` if unreadable. */
  static load(file: string): CaseIndex {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new NotFoundError('caseIndex file', file);
      throw new StoreCorruptError('caseIndex', `cannot read ${file}`, err);
    }
    return CaseIndex.fromJSON(text);
  }

  private keyOf(input: string): string {
    if (typeof input !== 'string') throw new InvalidArgumentError('input', 'must be a string');
    const key = normalizeCaseInput(input);
    if (key.length === 0) throw new InvalidArgumentError('input', 'is empty after normalization');
    return key;
  }
}
