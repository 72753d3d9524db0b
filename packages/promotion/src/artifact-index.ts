import { z } from 'zod';
import type { PromotionStore, TrajectoryQuery } from './promotion-store.js';
import { trajectorySchema, type Trajectory } from './trajectory.js';

/** A stored row that failed validation (skipped, never trained on). */
export interface InvalidTrajectoryRow {
  id: string;
  message: string;
}

/** Result of an {@link ArtifactIndex} query. */
export interface TrajectoryQueryResult {
  trajectories: Trajectory[];
  invalid: InvalidTrajectoryRow[];
}

/**
 * Queries the stored trajectories and re-validates each row with zod, so a row edited by hand or
 * written by an older tool is skipped and reported rather than fed to training.
 */
export class ArtifactIndex {
  constructor(private readonly store: PromotionStore) {}

  /** Trajectories matching `query`, validated. */
  query(query: TrajectoryQuery = {}): TrajectoryQueryResult {
    const trajectories: Trajectory[] = [];
    const invalid: InvalidTrajectoryRow[] = [];
    for (const row of this.store.trajectories.queryTrajectoryRows(query)) {
      let json: unknown;
      try {
        json = JSON.parse(row.body);
      } catch {
        invalid.push({ id: row.id, message: 'body is not JSON' });
        continue;
      }
      const parsed = trajectorySchema.safeParse(json);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        invalid.push({ id: row.id, message: `${issue.path.join('.') || '(root)'}: ${issue.message}` });
      } else if (parsed.data.id !== row.id) {
        invalid.push({ id: row.id, message: `body id ${parsed.data.id} does not match row id` });
      } else {
        trajectories.push({ ...parsed.data, origin: row.origin });
      }
    }
    return { trajectories, invalid };
  }

  /** Trajectories a cycle may train on: not yet seen, not benchmark traffic, valid. */
  eligible(options: { limit?: number; domain?: string } = {}): TrajectoryQueryResult {
    const q: TrajectoryQuery = { unseenOnly: true, origin: 'live' };
    if (options.limit !== undefined) q.limit = z.number().int().min(0).parse(options.limit);
    if (options.domain !== undefined) q.domain = options.domain;
    return this.query(q);
  }
}
