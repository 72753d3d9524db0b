// The benchmark protocols: data, network, optimizer and iteration budget of each scenario (REFERENCE.md §4).
import { InvalidArgumentError } from '@retain/core';

/** Scenario names, as used in result paths and on the command line. */
export const SCENARIOS = [
  'permuted-mnist',
  'split-mnist-task',
  'split-mnist-domain',
  'split-mnist-class',
  'split-mnist-class-hsu',
  'online-split-mnist-class',
] as const;
/** One of {@link SCENARIOS}. */
export type ScenarioName = (typeof SCENARIOS)[number];

/** Everything that defines how a scenario is trained and measured. */
export interface Protocol {
  scenario: ScenarioName;
  title: string;
  /** Online: a single pass, no task boundaries given to the learner. Offline: `itersPerTask` steps, consolidate at each boundary. */
  online: boolean;
  /** Permuted tasks (permuted MNIST only; split MNIST always has 5). */
  tasks: number;
  hidden: number[];
  dropout: number;
  optimizer: { kind: 'adam' | 'sgd'; lr: number };
  /** New examples per optimizer step: one "iteration" of the papers is one learner step on this many new examples. */
  batchSize: number;
  /** Offline: optimizer steps per task (joint: steps × tasks on the union). */
  itersPerTask: number;
  /** Replayed examples added to each step's batch by replay methods. */
  replayPerStep: number;
  /** Stored examples for replay methods (the whole memory, all tasks together). */
  replayCapacity: number;
  /** When replay methods store a trained example (the learner's `replay.admission`). */
  replayAdmission: 'step' | 'consolidation';
  /** The methods `pnpm bench:cl` plans for this scenario (all when absent). */
  methods?: readonly string[];
  /** Pixel scaling of the images: `unit` [0, 1] (van de Ven & Tolias) or `normalized` (mean 0.1307, std 0.3081). */
  pixels: 'unit' | 'normalized';
  /** Background border added to each 28×28 image (2: the 32×32 images of van de Ven's permuted MNIST). */
  pad: number;
  /** Use only the first N training / test images (quick mode). */
  trainLimit?: number;
  testLimit?: number;
  /** Accuracy-over-time points: per task (offline) or every N stream examples (online). */
  curvePointsPerTask: number;
  /** Test images per task in each curve point. */
  curveTestSize: number;
  /** Method hyper-parameters used by this scenario's rows (override any with `--set`). */
  hyper: { ewcLambda: number; onlineEwcLambda: number; gamma: number; fisher: 'empirical' | 'predicted' | 'expected'; siC: number };
}

const PROTOCOLS: Record<ScenarioName, Protocol> = {
  'permuted-mnist': {
    scenario: 'permuted-mnist',
    title: 'Permuted MNIST, 10 tasks, domain-incremental (van de Ven & Tolias protocol)',
    online: false,
    tasks: 10,
    hidden: [1000, 1000],
    dropout: 0,
    // As in van de Ven's code: 32×32 padded images, pixels in [0, 1], not normalized.
    pixels: 'unit',
    pad: 2,
    optimizer: { kind: 'adam', lr: 1e-4 },
    batchSize: 128,
    itersPerTask: 5000,
    replayPerStep: 128,
    replayCapacity: 2000,
    replayAdmission: 'step',
    curvePointsPerTask: 5,
    curveTestSize: 1000,
    // Online EWC: van de Ven's λ 1000 multiplies γ·F (their penalty decays the running Fisher once more), so 900 here.
    hyper: { ewcLambda: 500, onlineEwcLambda: 900, gamma: 0.9, fisher: 'predicted', siC: 5 },
  },
  'split-mnist-task': splitProtocol('task', 'Split MNIST, task-incremental (5 tasks, outputs restricted to the task digits)'),
  'split-mnist-domain': splitProtocol('domain', 'Split MNIST, domain-incremental (5 tasks, even/odd outputs)'),
  'split-mnist-class': splitProtocol('class', 'Split MNIST, class-incremental (5 tasks, 10 outputs, no task identity)'),
  'split-mnist-class-hsu': {
    ...splitProtocol('class', 'Split MNIST, class-incremental, Hsu et al. 2018 protocol (naive rehearsal of earlier tasks)'),
    scenario: 'split-mnist-class-hsu',
    // Hsu et al.'s code: 32×32 padded, normalized images; 4 epochs per task over the task's data concatenated with the
    // memory replicated to the same size (old : new ≈ 1 : 1, ≈ 750 batches of 128), the memory holding only earlier
    // tasks, split equally between them.
    pad: 2,
    batchSize: 64,
    replayPerStep: 64,
    itersPerTask: 750,
    replayAdmission: 'consolidation',
    methods: ['fine-tune', 'joint', 'replay-reservoir', 'replay-task-balanced'],
  },
  'online-split-mnist-class': {
    scenario: 'online-split-mnist-class',
    title: 'Online class-incremental split MNIST (Avalanche "online replay": one pass, batch 10, SGD 0.1)',
    online: true,
    tasks: 5,
    hidden: [512],
    dropout: 0.5,
    pixels: 'normalized',
    pad: 0,
    optimizer: { kind: 'sgd', lr: 0.1 },
    batchSize: 10,
    itersPerTask: 0,
    replayPerStep: 10,
    replayCapacity: 1000,
    replayAdmission: 'step',
    curvePointsPerTask: 10,
    curveTestSize: 500,
    hyper: { ewcLambda: 100, onlineEwcLambda: 100, gamma: 0.9, fisher: 'empirical', siC: 1 },
  },
};

function splitProtocol(mode: 'task' | 'domain' | 'class', title: string): Protocol & { scenario: `split-mnist-${typeof mode}` } {
  return {
    scenario: `split-mnist-${mode}`,
    title,
    online: false,
    tasks: 5,
    hidden: [400, 400],
    dropout: 0,
    pixels: 'normalized',
    pad: 0,
    optimizer: { kind: 'adam', lr: 1e-3 },
    batchSize: 128,
    itersPerTask: 2000,
    replayPerStep: 128,
    replayCapacity: 1100,
    replayAdmission: 'step',
    curvePointsPerTask: 5,
    curveTestSize: 1000,
    hyper: { ewcLambda: 5000, onlineEwcLambda: 5000, gamma: 1, fisher: 'predicted', siC: 1 },
  };
}

/**
 * The protocol of `scenario`. `quick` shrinks it for CI (subsets, fewer tasks and steps, a small network) while
 * keeping its shape, so the qualitative ordering of the methods still shows.
 */
export function protocolFor(scenario: string, quick = false): Protocol {
  if (!(SCENARIOS as readonly string[]).includes(scenario)) {
    throw new InvalidArgumentError('scenario', `unknown scenario '${scenario}'; one of ${SCENARIOS.join(', ')}`);
  }
  const p = structuredClone(PROTOCOLS[scenario as ScenarioName]);
  if (!quick) return p;
  const q: Protocol = { ...p, hidden: [100], trainLimit: 6000, testLimit: 1000, curvePointsPerTask: 2, curveTestSize: 200 };
  if (p.scenario === 'permuted-mnist') {
    // A small network has little spare capacity, so the EWC strength that keeps it plastic is far below the full protocol's.
    return {
      ...q,
      tasks: 5,
      hidden: [256],
      optimizer: { kind: 'adam', lr: 1e-3 },
      batchSize: 64,
      itersPerTask: 200,
      replayPerStep: 64,
      replayCapacity: 300,
      hyper: { ...p.hyper, ewcLambda: 10, onlineEwcLambda: 10 },
    };
  }
  if (p.online) return { ...q, hidden: [128], trainLimit: 12000, replayCapacity: 300 };
  return { ...q, batchSize: 64, itersPerTask: 60, replayPerStep: 64, replayCapacity: 300 };
}

const TUNABLE = ['itersPerTask', 'batchSize', 'replayPerStep', 'replayCapacity', 'curvePointsPerTask'] as const;
const HYPER = ['ewcLambda', 'onlineEwcLambda', 'gamma', 'siC'] as const;

/**
 * `p` with `protocol.*` overrides applied (`protocol.itersPerTask=375`, `protocol.hyper.ewcLambda=1000`): the
 * budget and the method strengths, never the data or the network (those are learner-config overrides).
 */
export function withProtocolOverrides(p: Protocol, overrides: Record<string, unknown>): Protocol {
  const out: Protocol = { ...p, hyper: { ...p.hyper } };
  for (const [key, value] of Object.entries(overrides)) {
    if (key === 'pixels') {
      if (value !== 'unit' && value !== 'normalized') throw new InvalidArgumentError('protocol.pixels', `must be 'unit' or 'normalized', got ${String(value)}`);
      out.pixels = value;
      continue;
    }
    if (key === 'pad') {
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 8) {
        throw new InvalidArgumentError('protocol.pad', `must be an integer in [0, 8], got ${String(value)}`);
      }
      out.pad = value;
      continue;
    }
    if (key === 'hyper' && typeof value === 'object' && value !== null) {
      for (const [h, v] of Object.entries(value)) {
        if (!(HYPER as readonly string[]).includes(h)) throw new InvalidArgumentError(`protocol.hyper.${h}`, `not tunable; one of ${HYPER.join(', ')}`);
        if (typeof v !== 'number' || !(v >= 0)) throw new InvalidArgumentError(`protocol.hyper.${h}`, `must be a number ≥ 0, got ${String(v)}`);
        (out.hyper as unknown as Record<string, number>)[h] = v;
      }
      continue;
    }
    if (!(TUNABLE as readonly string[]).includes(key)) throw new InvalidArgumentError(`protocol.${key}`, `not tunable; one of ${TUNABLE.join(', ')}, pixels, pad, hyper.*`);
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
      throw new InvalidArgumentError(`protocol.${key}`, `must be an integer ≥ 1, got ${String(value)}`);
    }
    (out as unknown as Record<string, number>)[key] = value;
  }
  return out;
}
