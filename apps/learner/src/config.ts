import { z } from 'zod';
import { parseAt } from '@retain/core';

const positiveInt = z.number().int().positive();
const unit = z.number().min(0).max(1);

/** Every knob of an {@link OnlineLearner}; all public, because the benchmarks configure each method through it. */
export const learnerConfigSchema = z.object({
  preset: z.enum(['fast', 'stable', 'prioritized', 'balanced', 'custom']).default('custom'),
  seed: z.number().int().min(0).max(0xffffffff).default(0),
  model: z
    .object({
      /** Input length; inferred from the first valid example when absent. */
      inputSize: positiveInt.optional(),
      hidden: z.array(positiveInt).default([128]),
      activation: z.enum(['relu', 'tanh']).default('relu'),
      /**
       * Initial weights: `auto` (He-normal for relu, Glorot-uniform for tanh, zero biases), `he`, `glorot`, or
       * `torch` (PyTorch's nn.Linear default: weights and biases uniform in ±1/√fan_in).
       */
      init: z.enum(['auto', 'he', 'glorot', 'torch']).default('auto'),
      dropout: z.number().min(0).lt(1).default(0),
      /** Fix the class count up front; otherwise the output layer grows as labels appear. */
      classes: positiveInt.optional(),
      /** Hash slots for object inputs (named fields). */
      hashSlots: positiveInt.default(1024),
      standardize: z.boolean().default(false),
    })
    .prefault({}),
  optimizer: z
    .object({
      kind: z.enum(['sgd', 'adam']).default('adam'),
      lr: z.number().positive().default(1e-3),
      momentum: z.number().min(0).lt(1).default(0),
      nesterov: z.boolean().default(false),
      beta1: z.number().min(0).lt(1).default(0.9),
      beta2: z.number().min(0).lt(1).default(0.999),
      eps: z.number().positive().default(1e-8),
      weightDecay: z.number().min(0).default(0),
      clipNorm: z.number().min(0).default(0),
    })
    .prefault({}),
  /** New examples per training step. */
  batchSize: positiveInt.default(16),
  replay: z
    .object({
      enabled: z.boolean().default(true),
      capacity: positiveInt.default(2000),
      strategy: z
        .enum(['uniform', 'prioritizedLoss', 'prioritizedRecency', 'mixed', 'domainBalanced', 'reservoir', 'lossReservoir'])
        .default('reservoir'),
      /** Replayed examples per step = round(replayRatio × new examples), unless `perStep` is set. */
      replayRatio: z.number().min(0).default(1),
      perStep: z.number().int().min(0).optional(),
      /** Weight of the replayed part of the loss relative to the new part (1 = plain mean over the mixed batch). */
      weight: z.number().min(0).default(1),
      priorityAlpha: z.number().min(0).default(0.6),
      priorityBeta: unit.default(0.4),
      betaAnnealSteps: z.number().int().min(0).default(100_000),
      recencyHalfLife: positiveInt.default(10_000),
      mixedFraction: unit.default(0.5),
      /** Group replay by `domain` (default) or by class. */
      balanceBy: z.enum(['domain', 'class']).default('domain'),
      /**
       * When a trained example is offered to the buffer. `step` (default): right after its training step, so
       * replay also draws the current task. `consolidation`: it waits in a staging reservoir of `capacity` slots
       * and enters the buffer at the next consolidation, so replay draws only from earlier tasks (Hsu et al.'s
       * naive rehearsal); each task then offers the same number of candidates, so a reservoir keeps the tasks
       * equally represented.
       */
      admission: z.enum(['step', 'consolidation']).default('step'),
      /**
       * ER-ACE's asymmetric cross-entropy (Caccia et al. 2022): in a step with replayed examples, the new examples'
       * loss is taken over the classes present among the step's new examples only, the replayed examples' over every
       * class. New classes then stop pushing the old classes' logits down, the main cause of forgetting when classes
       * arrive one group at a time (class-incremental streams). Off: one cross-entropy over every class. Needs
       * `admission: 'step'`: the current classes must reach the replay buffer to be learned against the old ones.
       */
      asymmetric: z.boolean().default(false),
      /**
       * Dark experience replay (DER++, Buzzega et al. 2020): each example enters the buffer with the logits of
       * the training step that stored it, and a replayed example adds `weight`·T²·KL(softmax(stored/T) ‖
       * softmax(z/T)) to its cross-entropy, so replay holds the old function (its dark knowledge), not only the
       * old labels. `weight` 0 (default): off. Applies in the learner's steps (not the sleep phase); cannot be
       * combined with `distillation` (LwF), which owns the step's teacher.
       */
      distill: z
        .object({
          weight: z.number().finite().min(0).default(0),
          temperature: z.number().positive().max(1000).default(2),
        })
        .prefault({}),
    })
    .refine((r) => !(r.asymmetric && r.admission === 'consolidation'), {
      path: ['asymmetric'],
      message:
        "needs admission 'step': with 'consolidation' the current classes never get a loss against the old ones (split MNIST: 76.33 %, the newest task 0.1 %)",
    })
    .prefault({}),
  ewc: z
    .object({
      enabled: z.boolean().default(false),
      lambda: z.number().min(0).default(100),
      mode: z.enum(['online', 'separate']).default('online'),
      gamma: unit.default(0.9),
      fisher: z.enum(['empirical', 'predicted', 'expected']).default('empirical'),
      fisherSamples: positiveInt.default(500),
      /**
       * `separate` mode: keep at most this many (Fisher, anchor) pairs; older ones merge into one with the same
       * gradient (the penalty moves by a constant), so 1 costs what online EWC costs per step.
       */
      maxTasks: positiveInt.optional(),
    })
    .prefault({}),
  si: z
    .object({
      enabled: z.boolean().default(false),
      c: z.number().min(0).default(1),
      xi: z.number().positive().default(0.1),
      /** g in ω −= g·Δθ: `data` (Zenke et al.) or `total`, every penalty included (van de Ven & Tolias's code). */
      gradient: z.enum(['data', 'total']).default('data'),
    })
    .prefault({}),
  distillation: z
    .object({
      enabled: z.boolean().default(false),
      temperature: z.number().positive().default(2),
      weight: z.number().min(0).default(1),
    })
    .prefault({}),
  scheduler: z
    .object({
      everyExamples: positiveInt.optional(),
      everySteps: positiveInt.optional(),
      everyMs: positiveInt.optional(),
      onDrift: z.boolean().default(true),
    })
    .prefault({}),
  sleep: z
    .object({
      steps: z.number().int().min(0).default(20),
      batchSize: positiveInt.default(64),
      fisherRefreshEvery: positiveInt.default(1),
    })
    .prefault({}),
  evaluation: z.object({ prequential: z.boolean().default(true) }).prefault({}),
  drift: z
    .object({
      enabled: z.boolean().default(true),
      detector: z.enum(['adwin', 'pageHinkley', 'kswin', 'ddm', 'eddm', 'hddmA', 'hddmW']).default('adwin'),
      /** What the detector watches: prequential error (0/1) or loss. */
      signal: z.enum(['error', 'loss']).default('error'),
      actions: z.array(z.enum(['refreshFisher', 'consolidate', 'raiseReplayRatio'])).default(['consolidate']),
      replayRatioBoost: z.number().min(1).default(2),
    })
    .prefault({}),
  memory: z
    .object({ enabled: z.boolean().default(false), maxEpisodes: positiveInt.default(10_000) })
    .prefault({}),
  checkpoint: z
    .object({ everyExamples: z.number().int().min(0).default(0), keep: positiveInt.default(5) })
    .prefault({}),
}).refine((c) => !(c.replay.distill.weight > 0 && c.distillation.enabled), {
  path: ['replay', 'distill'],
  message: 'cannot be combined with distillation.enabled (LwF): one teacher per step',
});

/** A fully defaulted learner configuration. */
export type LearnerConfig = z.output<typeof learnerConfigSchema>;
/** What a user passes: any subset, deep. */
export type LearnerConfigInput = z.input<typeof learnerConfigSchema>;

type Preset = Exclude<LearnerConfig['preset'], 'custom'>;

/** The named starting points; every field can still be overridden. */
export const PRESETS: Record<Preset, LearnerConfigInput> = {
  fast: { replay: { strategy: 'uniform' }, ewc: { enabled: false } },
  stable: {
    replay: { strategy: 'prioritizedLoss' },
    ewc: { enabled: true, mode: 'online', lambda: 100, gamma: 0.9 },
    scheduler: { everyExamples: 5000 },
  },
  prioritized: { replay: { strategy: 'prioritizedLoss', priorityAlpha: 1, replayRatio: 2 } },
  balanced: { replay: { strategy: 'domainBalanced' } },
};

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v);
}

function deepMerge(base: unknown, over: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(over)) return over === undefined ? base : over;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = deepMerge(base[k], v);
  return out;
}

/** Parse a user config: the preset's values first, the user's overrides on top; errors name the field. */
export function parseLearnerConfig(input: unknown = {}): LearnerConfig {
  const raw = isPlainObject(input) ? input : {};
  const preset = raw['preset'];
  const base = typeof preset === 'string' && preset in PRESETS ? PRESETS[preset as Preset] : {};
  return parseAt(learnerConfigSchema, deepMerge(base, input), 'config', 'config');
}
