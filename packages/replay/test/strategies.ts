import type { ReplayStrategyInput } from '../src/index.js';

/** Every strategy configuration the conformance suite runs. */
export const STRATEGIES: { name: string; strategy: ReplayStrategyInput }[] = [
  { name: 'uniform', strategy: { kind: 'uniform' } },
  { name: 'prioritizedLoss', strategy: { kind: 'prioritizedLoss' } },
  { name: 'prioritizedRecency', strategy: { kind: 'prioritizedRecency', halfLife: 4 } },
  { name: 'prioritizedRecency (wall clock)', strategy: { kind: 'prioritizedRecency', halfLife: 1000, clock: 'wallClock' } },
  { name: 'mixed', strategy: { kind: 'mixed', lossFraction: 0.3 } },
  { name: 'domainBalanced', strategy: { kind: 'domainBalanced' } },
  { name: 'reservoir', strategy: { kind: 'reservoir' } },
  { name: 'reservoir (loss-weighted)', strategy: { kind: 'reservoir', weighting: 'loss' } },
];
