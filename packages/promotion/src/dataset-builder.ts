import { z } from 'zod';
import { parseAt, type OnlineExample } from '@retain/core';
import type { ArtifactIndex, InvalidTrajectoryRow } from './artifact-index.js';
import type { DatasetRule } from './training-report.js';
import { trajectoryFailed, type Trajectory } from './trajectory.js';

/** zod schema of the dataset rule; defaults: threshold 0.5, uniform weights, failed trajectories excluded. */
export const datasetRuleConfigSchema = z
  .object({
    rewardThreshold: z.number().refine(Number.isFinite, 'must be finite').default(0.5),
    weighting: z.enum(['uniform', 'reward']).default('uniform'),
    excludeFailed: z.boolean().default(true),
    maxTrajectories: z.number().int().min(1).nullable().default(null),
  })
  .refine((r) => r.weighting !== 'reward' || r.rewardThreshold > 0, {
    message: 'reward weighting needs rewardThreshold > 0 so every weight is positive',
    path: ['rewardThreshold'],
  });

/** A training example made from a trajectory: the action is the target, weighted per the rule. */
export interface TrainingExample extends OnlineExample {
  weight: number;
  reward: number;
}

/** A built dataset and what went into it. */
export interface Dataset {
  examples: TrainingExample[];
  /** Every eligible trajectory considered (examples or not): the ones a cycle consumes. */
  trajectories: Trajectory[];
  invalid: InvalidTrajectoryRow[];
  rule: DatasetRule;
  counts: { eligible: number; examples: number; belowThreshold: number; failed: number; invalid: number };
}

/**
 * Turns eligible trajectories into training examples: a trajectory whose reward reaches
 * `rewardThreshold` (and, by default, that did not fail) becomes `{ input, target: action }`;
 * string actions stay strings (the learner maps them through its vocabulary).
 */
export class DatasetBuilder {
  /** The validated rule (recorded in every report). */
  readonly rule: DatasetRule;

  constructor(
    private readonly index: ArtifactIndex,
    rule: Partial<DatasetRule> = {},
  ) {
    this.rule = parseAt(datasetRuleConfigSchema, rule, 'datasetRule', 'config');
  }

  /** Build from the trajectories the index considers eligible now. */
  build(): Dataset {
    const limit = this.rule.maxTrajectories;
    const found = this.index.eligible(limit === null ? {} : { limit });
    const { examples, counts } = toExamples(found.trajectories, this.rule);
    return {
      examples,
      trajectories: found.trajectories,
      invalid: found.invalid,
      rule: this.rule,
      counts: { ...counts, invalid: found.invalid.length },
    };
  }
}

/** Apply `rule` to trajectories (pure): the examples plus counts of what was left out and why. */
export function toExamples(
  trajectories: readonly Trajectory[],
  rule: DatasetRule,
): { examples: TrainingExample[]; counts: Dataset['counts'] } {
  const examples: TrainingExample[] = [];
  let belowThreshold = 0;
  let failed = 0;
  for (const t of trajectories) {
    if (rule.excludeFailed && trajectoryFailed(t)) {
      failed++;
      continue;
    }
    if (t.reward < rule.rewardThreshold) {
      belowThreshold++;
      continue;
    }
    const ex: TrainingExample = {
      id: t.id,
      input: t.input,
      target: t.action,
      weight: rule.weighting === 'reward' ? t.reward : 1,
      reward: t.reward,
    };
    if (t.domain !== undefined) ex.domain = t.domain;
    examples.push(ex);
  }
  return {
    examples,
    counts: { eligible: trajectories.length, examples: examples.length, belowThreshold, failed, invalid: 0 },
  };
}
