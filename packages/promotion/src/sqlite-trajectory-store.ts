import type Database from 'better-sqlite3';
import { InvalidArgumentError, NotFoundError, StoreCorruptError, parseAt } from '@retain/core';
import type {
  AddTrajectoriesResult,
  SeenTrajectoryStore,
  TrajectoryQuery,
  TrajectoryRow,
  TrajectoryStore,
} from './promotion-store.js';
import { trajectorySchema, type Trajectory } from './trajectory.js';

/** The SQLite {@link TrajectoryStore} (`promotion_trajectories`). */
export class SqliteTrajectoryStore implements TrajectoryStore {
  /** Set while a benchmark runs: trajectories added meanwhile are benchmark traffic. */
  benchmarkRunId: string | null = null;

  constructor(private readonly db: Database.Database) {}

  addTrajectories(items: readonly unknown[]): AddTrajectoriesResult {
    if (!Array.isArray(items)) throw new InvalidArgumentError('trajectories', 'must be an array');
    const parsed = items.map((t, i) => parseAt(trajectorySchema, t, `trajectories[${i}]`));
    const runId = this.benchmarkRunId;
    const insert = this.db.prepare(
      `INSERT INTO promotion_trajectories (id, origin, benchmark_run_id, domain, created_at, ingested_at, body)
       VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
    );
    return this.db
      .transaction(() => {
        const now = new Date().toISOString();
        let inserted = 0;
        let benchmark = 0;
        for (const t of parsed) {
          const origin = runId !== null ? 'benchmark' : t.origin;
          const body = JSON.stringify({ ...t, origin });
          const info = insert.run(t.id, origin, runId, t.domain ?? null, t.createdAt, now, body);
          inserted += info.changes;
          if (info.changes > 0 && origin === 'benchmark') benchmark++;
        }
        return { inserted, duplicates: parsed.length - inserted, benchmark };
      })
      .immediate();
  }

  getTrajectory(id: string): Trajectory {
    if (typeof id !== 'string' || id.length === 0) throw new InvalidArgumentError('trajectoryId', 'must be a non-empty string');
    const row = this.db.prepare('SELECT id, body FROM promotion_trajectories WHERE id = ?').get(id) as
      | { id: string; body: string }
      | undefined;
    if (!row) throw new NotFoundError('trajectory', id);
    let json: unknown;
    try {
      json = JSON.parse(row.body);
    } catch (err) {
      throw new StoreCorruptError(`promotion_trajectories[${id}]`, 'body is not JSON', err);
    }
    return parseAt(trajectorySchema, json, `promotion_trajectories[${id}]`, 'store');
  }

  countTrajectories(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM promotion_trajectories').get() as { n: number }).n;
  }

  queryTrajectoryRows(query: TrajectoryQuery = {}): TrajectoryRow[] {
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (query.unseenOnly) where.push('s.trajectory_id IS NULL');
    if (query.origin !== undefined) {
      where.push('t.origin = ?');
      args.push(query.origin);
    }
    if (query.domain !== undefined) {
      where.push('t.domain = ?');
      args.push(query.domain);
    }
    if (query.afterSeq !== undefined) {
      where.push('t.seq > ?');
      args.push(query.afterSeq);
    }
    const limit = query.limit ?? -1;
    if (!Number.isInteger(limit) || limit < -1) throw new InvalidArgumentError('limit', `must be a non-negative integer, got ${String(limit)}`);
    const sql = `SELECT t.seq, t.id, t.origin, t.body FROM promotion_trajectories t
      LEFT JOIN promotion_seen_trajectories s ON s.trajectory_id = t.id
      ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY t.seq LIMIT ?`;
    return this.db.prepare(sql).all(...args, limit) as TrajectoryRow[];
  }
}

/** The SQLite {@link SeenTrajectoryStore} (`promotion_seen_trajectories`). */
export class SqliteSeenTrajectoryStore implements SeenTrajectoryStore {
  constructor(private readonly db: Database.Database) {}

  hasSeen(trajectoryId: string): boolean {
    return this.db.prepare('SELECT 1 FROM promotion_seen_trajectories WHERE trajectory_id = ?').get(trajectoryId) !== undefined;
  }

  countSeen(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM promotion_seen_trajectories').get() as { n: number }).n;
  }

  markSeen(trajectoryIds: readonly string[], reportId: string): void {
    const insert = this.db.prepare(
      'INSERT INTO promotion_seen_trajectories (trajectory_id, report_id, seen_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
    );
    this.db.transaction(() => {
      const now = new Date().toISOString();
      for (const id of trajectoryIds) insert.run(id, reportId, now);
    })();
  }
}
