import { InvalidConfigError } from '@retain/core';
import type { Kernels } from '@retain/kernels';
import {
  ConsolidationScheduler,
  Consolidator,
  Distillation,
  EWC,
  SynapticIntelligence,
  TrainStep,
  type OptimizerConfig,
  type Regularizer,
} from '@retain/consolidation';
import { ADWIN, DDM, EDDM, HDDM_A, HDDM_W, KSWIN, PageHinkley, type DriftDetector } from '@retain/drift';
import { ReplayBuffer, type ReplayBufferOptions } from '@retain/replay';
import { EpisodicMemory } from '@retain/memory';
import type { LearnerConfig } from './config.js';
import type { StoredExample } from './prepared-example.js';

/** The training parts of a learner, built once the model's sizes are known. */
export interface ModelParts {
  trainStep: TrainStep;
  ewc?: EWC;
  si?: SynapticIntelligence;
  distillation?: Distillation;
  scheduler: ConsolidationScheduler;
  consolidator: Consolidator;
}

/** Component seeds derive from the learner's seed so one number reproduces a run. */
function seedFor(config: LearnerConfig, k: number): number {
  return (config.seed + Math.imul(k, 0x9e3779b1)) >>> 0;
}

function optimizerConfig(c: LearnerConfig['optimizer']): OptimizerConfig {
  if (c.kind === 'sgd') {
    return { kind: 'sgd', lr: c.lr, momentum: c.momentum, nesterov: c.nesterov, weightDecay: c.weightDecay, clipNorm: c.clipNorm };
  }
  return { kind: 'adam', lr: c.lr, beta1: c.beta1, beta2: c.beta2, eps: c.eps, weightDecay: c.weightDecay, clipNorm: c.clipNorm };
}

/** Build TrainStep, regularizers, scheduler and sleep phase for `sizes`. */
export function buildModelParts(config: LearnerConfig, sizes: number[], kernels: Kernels): ModelParts {
  const model = { sizes, activation: config.model.activation };
  const regularizers: Regularizer[] = [];
  const ewc = config.ewc.enabled
    ? new EWC(kernels, {
        model,
        mode: config.ewc.mode,
        lambda: config.ewc.lambda,
        gamma: config.ewc.gamma,
        fisher: config.ewc.fisher,
        ...(config.ewc.maxTasks !== undefined ? { maxTasks: config.ewc.maxTasks } : {}),
        seed: seedFor(config, 2),
      })
    : undefined;
  const si = config.si.enabled ? new SynapticIntelligence(kernels, { model, c: config.si.c, xi: config.si.xi, gradient: config.si.gradient }) : undefined;
  const distillation = config.distillation.enabled
    ? new Distillation(kernels, { model, temperature: config.distillation.temperature, weight: config.distillation.weight })
    : undefined;
  if (ewc) regularizers.push(ewc);
  if (si) regularizers.push(si);
  if (distillation) regularizers.push(distillation);
  const trainStep = new TrainStep({
    kernels,
    model,
    optimizer: optimizerConfig(config.optimizer),
    dropout: config.model.dropout,
    init: config.model.init,
    seed: seedFor(config, 1),
    regularizers,
  });
  const s = config.scheduler;
  const scheduler = new ConsolidationScheduler({
    ...(s.everyExamples !== undefined ? { everyExamples: s.everyExamples } : {}),
    ...(s.everySteps !== undefined ? { everySteps: s.everySteps } : {}),
    ...(s.everyMs !== undefined ? { everyMs: s.everyMs } : {}),
    onDrift: s.onDrift,
  });
  const consolidator = new Consolidator(
    { trainStep, ...(ewc ? { ewc } : {}), ...(si ? { si } : {}), ...(distillation ? { distillation } : {}), scheduler },
    {
      steps: config.sleep.steps,
      batchSize: config.sleep.batchSize,
      fisherEvery: config.sleep.fisherRefreshEvery,
      fisherSamples: config.ewc.fisherSamples,
      seed: seedFor(config, 3),
    },
  );
  return { trainStep, ...(ewc ? { ewc } : {}), ...(si ? { si } : {}), ...(distillation ? { distillation } : {}), scheduler, consolidator };
}

/** The replay buffer a config asks for. */
export function buildReplay(config: LearnerConfig): ReplayBuffer<StoredExample> {
  return new ReplayBuffer<StoredExample>(replayOptions(config));
}

/**
 * The staging reservoir of `replay.admission: 'consolidation'` (null otherwise): the examples trained on since the
 * last consolidation, `replay.capacity` of them at most, a uniform sample of the stretch.
 */
export function buildStaging(config: LearnerConfig): ReplayBuffer<StoredExample> | null {
  const options = stagingReplayOptions(config);
  return options ? new ReplayBuffer<StoredExample>(options) : null;
}

/** Options of the staging reservoir, or null when the config has none. */
export function stagingReplayOptions(config: LearnerConfig): ReplayBufferOptions | null {
  const r = config.replay;
  if (!r.enabled || r.admission !== 'consolidation') return null;
  return { capacity: r.capacity, strategy: { kind: 'reservoir', weighting: 'none' }, seed: seedFor(config, 5) };
}

/** Replay buffer options from the learner config (also used to restore from rows). */
export function replayOptions(config: LearnerConfig): ReplayBufferOptions {
  const r = config.replay;
  const strategy =
    r.strategy === 'prioritizedRecency'
      ? { kind: 'prioritizedRecency' as const, halfLife: r.recencyHalfLife }
      : r.strategy === 'mixed'
        ? { kind: 'mixed' as const, lossFraction: r.mixedFraction }
        : r.strategy === 'lossReservoir'
          ? { kind: 'reservoir' as const, weighting: 'loss' as const }
          : r.strategy === 'reservoir'
            ? { kind: 'reservoir' as const, weighting: 'none' as const }
            : { kind: r.strategy };
  return {
    capacity: r.capacity,
    strategy,
    seed: seedFor(config, 4),
    priorityAlpha: r.priorityAlpha,
    importanceBeta: r.priorityBeta,
    betaAnnealSamples: r.betaAnnealSteps,
  };
}

/** The episodic memory a config asks for (keys are the encoded inputs). */
export function buildMemory(config: LearnerConfig, dim: number): EpisodicMemory<{ target: number; label: string | number }> {
  return new EpisodicMemory({ dim, retention: { maxEpisodes: config.memory.maxEpisodes, keep: 'mostImportant' }, importance: 'loss' });
}

/** The drift detector a config asks for. */
export function buildDetector(config: LearnerConfig): DriftDetector {
  const { detector, signal } = config.drift;
  const binary = ['ddm', 'eddm', 'hddmA', 'hddmW'].includes(detector);
  if (binary && signal === 'loss') {
    throw new InvalidConfigError('config.drift.detector', `${detector} watches a 0/1 error stream; use signal 'error' or a real-valued detector`);
  }
  switch (detector) {
    case 'adwin':
      return new ADWIN();
    case 'pageHinkley':
      return new PageHinkley();
    case 'kswin':
      return new KSWIN();
    case 'ddm':
      return new DDM();
    case 'eddm':
      return new EDDM();
    case 'hddmA':
      return new HDDM_A();
    case 'hddmW':
      return new HDDM_W();
  }
}
