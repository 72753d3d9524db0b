// Each benchmarked method is the OnlineLearner configured through its public config, nothing else.
import { InvalidArgumentError } from '@retain/core';
import { parseLearnerConfig, type LearnerConfig, type LearnerConfigInput } from '@retain/learner';
import type { Protocol } from './protocols.js';

const REPLAY_STRATEGIES = {
  'replay-uniform': { strategy: 'uniform' },
  'replay-reservoir': { strategy: 'reservoir' },
  'replay-loss-reservoir': { strategy: 'lossReservoir' },
  'replay-prioritized-loss': { strategy: 'prioritizedLoss' },
  'replay-prioritized-recency': { strategy: 'prioritizedRecency' },
  'replay-mixed': { strategy: 'mixed' },
  'replay-class-balanced': { strategy: 'domainBalanced', balanceBy: 'class' },
  // Offline protocols give each example its task as `domain`: the memory is split equally between the tasks.
  'replay-task-balanced': { strategy: 'domainBalanced', balanceBy: 'domain' },
  // ER-ACE (Caccia et al. 2022, as Avalanche's ER_ACE): class-balanced memory, asymmetric cross-entropy.
  'er-ace': { strategy: 'domainBalanced', balanceBy: 'class', asymmetric: true },
} as const;

/** Every method name; `joint` trains on the union of the tasks, the others see them in sequence. */
export const METHODS = ['fine-tune', 'joint', 'ewc', 'online-ewc', 'si', 'lwf', ...Object.keys(REPLAY_STRATEGIES), 'replay-ewc'] as const;

/** Methods that must not be given task boundaries or that do something at them (regularizers). */
const REGULARIZED = new Set(['ewc', 'online-ewc', 'si', 'lwf', 'replay-ewc']);

function base(p: Protocol, seed: number, classes: number, inputSize: number): LearnerConfigInput {
  return {
    seed,
    model: { inputSize, hidden: p.hidden, classes, dropout: p.dropout },
    optimizer: { kind: p.optimizer.kind, lr: p.optimizer.lr },
    batchSize: p.batchSize,
    replay: { enabled: false },
    // Offline: the harness gives the boundaries (consolidate at each task's end) and the sleep phase trains no
    // extra steps, so every method gets the same optimizer budget. Online: drift is the only boundary signal.
    drift: { enabled: false },
    scheduler: { onDrift: false },
    sleep: { steps: 0 },
    evaluation: { prequential: p.online },
  };
}

function methodPart(method: string, p: Protocol): LearnerConfigInput {
  const h = p.hyper;
  // Separate penalties, merged as they arrive into one (F, θ*) pair with exactly the summed penalties' gradient.
  const ewc = { enabled: true, mode: 'separate' as const, lambda: h.ewcLambda, fisher: h.fisher, fisherSamples: p.replayCapacity, maxTasks: 1 };
  const replay = (strategy: (typeof REPLAY_STRATEGIES)[keyof typeof REPLAY_STRATEGIES]) => ({
    enabled: true,
    capacity: p.replayCapacity,
    perStep: p.replayPerStep,
    admission: p.replayAdmission,
    ...strategy,
  });
  switch (method) {
    case 'fine-tune':
    case 'joint':
      return {};
    case 'ewc':
      return { ewc };
    case 'online-ewc':
      return { ewc: { ...ewc, mode: 'online', lambda: h.onlineEwcLambda, gamma: h.gamma } };
    case 'si':
      return { si: { enabled: true, c: h.siC } };
    case 'lwf':
      return { distillation: { enabled: true, temperature: 2, weight: 1 } };
    case 'replay-ewc':
      return { replay: replay(REPLAY_STRATEGIES['replay-reservoir']), ewc };
    default:
      if (method in REPLAY_STRATEGIES) return { replay: replay(REPLAY_STRATEGIES[method as keyof typeof REPLAY_STRATEGIES]) };
      throw new InvalidArgumentError('method', `unknown method '${method}'; one of ${METHODS.join(', ')}`);
  }
}

function merge(a: unknown, b: unknown): unknown {
  const plain = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!plain(a) || !plain(b)) return b === undefined ? a : b;
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = merge(a[k], v);
  return out;
}

function jsonOrText(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** Parse `--set` items (`ewc.lambda=1000`, `replay.strategy=uniform`): JSON values (`[256,256]`, `true`, `0.5`), else strings. */
export function parseOverrides(items: readonly string[]): Record<string, unknown> {
  let out: Record<string, unknown> = {};
  for (const item of items) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new InvalidArgumentError('--set', `expected key.path=value, got '${item}'`);
    const keys = item.slice(0, eq).split('.');
    const text = item.slice(eq + 1);
    let value: unknown = jsonOrText(text);
    for (let i = keys.length - 1; i >= 0; i--) value = { [keys[i]!]: value };
    out = merge(out, value) as Record<string, unknown>;
  }
  return out;
}

/** The variant name a run with overrides is filed under: `ewc+ewc.lambda=1000`. */
export function variantName(method: string, sets: readonly string[]): string {
  return [method, ...[...sets].sort()].join('+');
}

/**
 * The learner config of `method` under protocol `p` for `classes` outputs, with `overrides` deep-merged on top,
 * parsed by the learner's own schema (so a bad override fails with the field named).
 */
export function methodConfig(
  method: string,
  p: Protocol,
  seed: number,
  classes: number,
  overrides: Record<string, unknown> = {},
  inputSize = (28 + 2 * p.pad) ** 2,
): LearnerConfig {
  let config = merge(base(p, seed, classes, inputSize), methodPart(method, p));
  if (p.online && REGULARIZED.has(method)) {
    // No boundaries online: the learner consolidates when its drift detector fires.
    config = merge(config, { drift: { enabled: true, actions: ['consolidate'] }, scheduler: { onDrift: true } });
  }
  return parseLearnerConfig(merge(config, overrides));
}
