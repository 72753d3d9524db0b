import { EventEmitter } from 'node:events';
import { InvalidArgumentError, RetainError, ShapeError, paramLayout, type InputFeatures } from '@retain/core';
import { decodeSafetensors } from './safetensors.js';
import { loadKernels, type Kernels } from '@retain/kernels';
import type { EncodedExample, StepResult } from '@retain/consolidation';
import type { DriftDetector } from '@retain/drift';
import type { EpisodicMemory } from '@retain/memory';
import type { ReplayBatch, ReplayBuffer } from '@retain/replay';
import { parseLearnerConfig, type LearnerConfig, type LearnerConfigInput } from './config.js';
import { FeatureEncoder } from './feature-encoder.js';
import { LabelVocabulary } from './label-vocabulary.js';
import { BatchAssembler, storedLogits } from './batch-assembler.js';
import { buildDetector, buildMemory, buildModelParts, buildReplay, buildStaging, type ModelParts } from './model-parts.js';
import { prepareExample, type PreparedExample, type StoredExample } from './prepared-example.js';
import type { LearnerStore } from './learner-store.js';
import type { LearnResult, LearnerEvents, LoggedEvent, OnlineLearnerStats } from './learner-types.js';
import { PrequentialStats } from './prequential-stats.js';

// Examples kept for the sleep phase (mixed with replay) and the Fisher refresh; part of every checkpoint.
const RECENT_LIMIT = 512;
const EVENT_LIMIT = 1000;

/** Options of {@link OnlineLearner.saveState}. */
export interface SaveOptions {
  /** Garbage-collect old checkpoints after saving (default true). */
  gc?: boolean;
}

/** Mutable state a learner persists (besides the parts that persist themselves). */
export interface LearnerCore {
  config: LearnerConfig;
  encoder: FeatureEncoder | null;
  vocab: LabelVocabulary;
  parts: ModelParts | null;
  replay: ReplayBuffer<StoredExample>;
  /** `replay.admission: 'consolidation'`: trained examples waiting for the next consolidation to enter `replay`. */
  staged: ReplayBuffer<StoredExample> | null;
  memory: EpisodicMemory<{ target: number; label: string | number }> | null;
  detector: DriftDetector;
  pending: PreparedExample[];
  recent: PreparedExample[];
  stats: PrequentialStats;
  replayBoosted: boolean;
  events: LoggedEvent[];
  /** Accuracy over time: one point every `historyEvery` examples (thinned to stay under 2,000 points). */
  history: HistoryPoint[];
  historyEvery: number;
}

/** One point of a learner's accuracy-over-time curve. */
export interface HistoryPoint {
  at: number;
  /** Prequential accuracy over the last 1,000 examples. */
  accuracy: number;
  /** Mean prequential loss so far. */
  loss: number;
}

/**
 * Learns from a stream of labelled examples without forgetting: mini-batches of new examples mixed with
 * replayed ones, EWC / SI / distillation through the one TrainStep, prequential evaluation feeding a drift
 * detector, a sleep phase when the scheduler says so, and durable checkpoints in a store.
 */
export class OnlineLearner {
  readonly config: LearnerConfig;
  readonly kernels: Kernels;
  /** @internal persisted state; read through the methods. */
  readonly core: LearnerCore;
  /** @internal attached store (set by create/loadState). */
  store: LearnerStore | null = null;
  /** @internal full rewrite of rows needed at the next save (after loading an older checkpoint). */
  rewriteRows = false;
  private readonly emitter = new EventEmitter();
  private readonly assembler = new BatchAssembler();
  private logits = new Float32Array(0);
  /** Reused input row of the prequential prediction (no allocation per example on this path). */
  private scratchX = new Float32Array(0);
  private checkpointContext: () => { inputPath?: string | null; inputOffset?: number | null } = () => ({});
  private saver: ((learner: OnlineLearner, options: SaveOptions) => number) | null = null;

  /** @internal use {@link OnlineLearner.create} or `loadLearner`. */
  constructor(core: LearnerCore, kernels: Kernels) {
    this.core = core;
    this.config = core.config;
    this.kernels = kernels;
  }

  /** A new learner; `config` is parsed by zod (preset first, overrides on top). */
  static create(config: LearnerConfigInput | unknown = {}, options: { kernels?: Kernels } = {}): OnlineLearner {
    const parsed = parseLearnerConfig(config);
    const kernels = options.kernels ?? loadKernels();
    const vocab = new LabelVocabulary();
    if (parsed.model.classes !== undefined) vocab.reserve(parsed.model.classes);
    const core: LearnerCore = {
      config: parsed,
      encoder: parsed.model.inputSize ? new FeatureEncoder({ size: parsed.model.inputSize, standardize: parsed.model.standardize }) : null,
      vocab,
      parts: null,
      replay: buildReplay(parsed),
      staged: buildStaging(parsed),
      memory: null,
      detector: buildDetector(parsed),
      pending: [],
      recent: [],
      stats: new PrequentialStats(),
      replayBoosted: false,
      events: [],
      history: [],
      historyEvery: 100,
    };
    return new OnlineLearner(core, kernels);
  }

  /** Subscribe to `drift`, `consolidation`, `checkpoint`, `rejected` or `classAdded`. */
  on<K extends keyof LearnerEvents>(event: K, handler: (payload: LearnerEvents[K]) => void): this {
    this.emitter.on(event, handler);
    return this;
  }

  /** @internal used by the persistence layer to save automatically. */
  attachSaver(saver: (learner: OnlineLearner, options: SaveOptions) => number): void {
    this.saver = saver;
  }

  /** Run `fn` with automatic checkpoints off (a dry-run or a challenger that may be discarded). */
  withoutCheckpoints<T>(fn: () => T): T {
    const saver = this.saver;
    this.saver = null;
    try {
      return fn();
    } finally {
      this.saver = saver;
    }
  }

  /** Where the CLI records its input file and offset in each checkpoint. */
  setCheckpointContext(fn: () => { inputPath?: string | null; inputOffset?: number | null }): void {
    this.checkpointContext = fn;
  }

  /** @internal */
  getCheckpointContext(): { inputPath?: string | null; inputOffset?: number | null } {
    return this.checkpointContext();
  }

  /** Learn one example (test-then-train). A malformed example throws and leaves every part of the state as it was. */
  learnOne(example: unknown): LearnResult {
    const prepared = this.prepare(example);
    const result = this.commit(prepared);
    if (this.core.pending.length >= this.config.batchSize) {
      this.trainPending();
      result.trained = true;
    }
    this.afterExample();
    return result;
  }

  /** Learn examples in order; a rejected one is skipped and reported, the others are learned. */
  learnBatch(examples: readonly unknown[]): { results: LearnResult[]; rejected: { index: number; error: RetainError }[] } {
    const results: LearnResult[] = [];
    const rejected: { index: number; error: RetainError }[] = [];
    examples.forEach((ex, index) => {
      try {
        results.push(this.learnOne(ex));
      } catch (error) {
        if (!(error instanceof RetainError)) throw error;
        rejected.push({ index, error });
      }
    });
    return { results, rejected };
  }

  /** {@link OnlineLearner.learnBatch} with training steps on the kernels' async variants (the event loop stays free). */
  async learnBatchAsync(examples: readonly unknown[]): Promise<{ results: LearnResult[]; rejected: { index: number; error: RetainError }[] }> {
    const results: LearnResult[] = [];
    const rejected: { index: number; error: RetainError }[] = [];
    for (let index = 0; index < examples.length; index++) {
      let prepared: PreparedExample;
      try {
        prepared = this.prepare(examples[index]);
      } catch (error) {
        if (!(error instanceof RetainError)) throw error;
        rejected.push({ index, error });
        continue;
      }
      const result = this.commit(prepared);
      if (this.core.pending.length >= this.config.batchSize) {
        await this.trainPendingAsync();
        result.trained = true;
      }
      if (this.core.parts?.scheduler.shouldConsolidate()) await this.consolidateAsync();
      this.autoCheckpoint();
      results.push(result);
    }
    return { results, rejected };
  }

  /** Train on the examples still waiting for a full mini-batch. */
  flush(): void {
    if (this.core.pending.length > 0) this.trainPending();
  }

  /** Predict a label with class probabilities. Does not change any state. */
  predictOne(input: InputFeatures, options: { allowedClasses?: readonly number[] } = {}): { label: string | number; index: number; probs: Float32Array } {
    const parts = this.requireModel();
    const x = new Float32Array(this.core.encoder!.size);
    this.core.encoder!.encode(input, x, 'input');
    const classes = this.classes;
    const logits = this.forward(parts, x, options.allowedClasses);
    const probs = softmax(logits, classes);
    let best = 0;
    for (let c = 1; c < classes; c++) if (probs[c]! > probs[best]!) best = c;
    return { label: this.core.vocab.labelOf(best), index: best, probs };
  }

  /** Accuracy and mean cross-entropy over labelled examples (no state change; bad examples throw). */
  evaluate(examples: readonly unknown[]): { accuracy: number; loss: number; n: number } {
    const parts = this.requireModel();
    let correct = 0;
    let loss = 0;
    for (const ex of examples) {
      const p = prepareExample(ex, this.core.encoder!, this.core.vocab, this.classes);
      this.core.encoder!.applyStandardization(p.raw);
      const probs = softmax(this.forward(parts, p.raw, p.allowedClasses), this.classes);
      let best = 0;
      for (let c = 1; c < this.classes; c++) if (probs[c]! > probs[best]!) best = c;
      if (best === p.target) correct++;
      loss += -Math.log(Math.max(probs[p.target]!, 1e-12));
    }
    const n = examples.length;
    return { accuracy: n ? correct / n : Number.NaN, loss: n ? loss / n : Number.NaN, n };
  }

  /** Run the sleep phase now: replay + recent examples through TrainStep, Fisher, anchors, teacher, checkpoint. */
  consolidate(reason = 'manual'): void {
    const parts = this.requireModel();
    this.flush();
    this.admitStaged();
    const report = parts.consolidator.consolidate({
      sample: (n) => this.sampleEncoded(n),
      recent: this.core.recent.map((p) => this.encoded(p)),
    });
    this.afterConsolidation(reason, report);
  }

  /** {@link OnlineLearner.consolidate} on the kernels' async variants. */
  async consolidateAsync(reason = 'manual'): Promise<void> {
    const parts = this.requireModel();
    if (this.core.pending.length > 0) await this.trainPendingAsync();
    this.admitStaged();
    const report = await parts.consolidator.consolidateAsync({
      sample: (n) => this.sampleEncoded(n),
      recent: this.core.recent.map((p) => this.encoded(p)),
    });
    this.afterConsolidation(reason, report);
  }

  /** Privacy: remove an example from the replay buffer, the episodic memory, pending batches and the store. */
  forget(id: string): boolean {
    if (typeof id !== 'string' || id.length === 0) throw new InvalidArgumentError('id', 'must be a non-empty string');
    let found = this.core.replay.forget(id);
    if (this.core.staged?.forget(id)) found = true;
    if (this.core.memory?.forget(id)) found = true;
    const before = this.core.pending.length + this.core.recent.length;
    this.core.pending = this.core.pending.filter((p) => p.id !== id);
    this.core.recent = this.core.recent.filter((p) => p.id !== id);
    if (this.core.pending.length + this.core.recent.length !== before) found = true;
    if (this.store && this.saver) {
      // Commit a checkpoint without the example first, then erase its rows and every checkpoint that held them.
      const keep = this.save();
      if (this.store.forgetExample(id, keep) > 0) found = true;
      this.store.gc(this.config.checkpoint.keep);
    }
    return found;
  }

  /** The current model: layer sizes, activation, a copy of the parameters, and the label of each output. */
  model(): { sizes: number[]; activation: 'relu' | 'tanh'; params: Float32Array; labels: (string | number)[] } {
    const parts = this.requireModel();
    const sizes = [...parts.trainStep.sizes];
    return {
      sizes,
      activation: this.config.model.activation,
      params: parts.trainStep.params.slice(),
      labels: Array.from({ length: this.classes }, (_, i) => this.core.vocab.labelOf(i)),
    };
  }

  /**
   * Replace the model's weights with those of a safetensors file (`fc{l}.weight` / `fc{l}.bias`, e.g. trained or
   * edited in PyTorch). Every tensor must match the model's shape; on any mismatch nothing changes.
   */
  importWeights(safetensors: Uint8Array): void {
    const parts = this.requireModel();
    const { tensors } = decodeSafetensors(Buffer.from(safetensors.buffer, safetensors.byteOffset, safetensors.byteLength));
    const params = parts.trainStep.params;
    const next = new Float32Array(params.length);
    for (const slice of paramLayout(parts.trainStep.sizes)) {
      const t = tensors.find((x) => x.name === slice.name);
      if (!t) throw new InvalidArgumentError(`weights.${slice.name}`, 'is missing');
      if (t.shape.join('x') !== slice.shape.join('x')) {
        throw new ShapeError(`weights.${slice.name}`, slice.length, t.data.length, `shape ${t.shape.join('x')}, model has ${slice.shape.join('x')}`);
      }
      next.set(t.data, slice.offset);
    }
    params.set(next);
  }

  /** Counters: examples seen, rejected, accuracy, drifts, consolidations, backend. */
  stats(): OnlineLearnerStats {
    const s = this.core.stats;
    return {
      examplesSeen: s.examplesSeen,
      rejected: s.rejected,
      steps: this.core.parts?.trainStep.steps ?? 0,
      skippedSteps: this.core.parts?.trainStep.skippedSteps ?? 0,
      avgLoss: s.avgLoss,
      accuracy: s.accuracy,
      recentAccuracy: s.recentAccuracy,
      domainCounts: { ...s.domainCounts },
      drifts: s.drifts,
      consolidations: s.consolidations,
      replayStaged: this.core.staged?.size ?? 0,
      classes: this.core.parts ? this.classes : this.core.vocab.size,
      backend: this.kernels.backend,
    };
  }

  /** The replay buffer's statistics. */
  replayStats(): ReturnType<ReplayBuffer<StoredExample>['stats']> {
    return this.core.replay.stats();
  }

  /** Accuracy over time (prequential, last-1,000 window), one point per `historyEvery` examples. */
  history(): readonly HistoryPoint[] {
    return this.core.history;
  }

  /** The event log (last 1,000 drifts, consolidations, classes added, checkpoints). */
  events(): readonly LoggedEvent[] {
    return this.core.events;
  }

  /** Commit a checkpoint to the attached store; returns its id. */
  saveState(options: SaveOptions = {}): number {
    return this.save(options);
  }

  get classes(): number {
    const sizes = this.core.parts?.trainStep.sizes;
    return sizes ? sizes[sizes.length - 1]! : this.core.vocab.size;
  }

  private save(options: SaveOptions = {}): number {
    if (!this.saver) throw new InvalidArgumentError('store', 'this learner has no store: open it with openLearner(dir)');
    const id = this.saver(this, options);
    this.log('checkpoint', { id });
    this.emitter.emit('checkpoint', { id, examplesSeen: this.core.stats.examplesSeen });
    return id;
  }

  private prepare(example: unknown): PreparedExample {
    try {
      const encoder = this.core.encoder ?? this.encoderFor(example);
      return prepareExample(example, encoder, this.core.vocab, this.config.model.classes);
    } catch (error) {
      if (error instanceof RetainError) {
        this.core.stats.rejected++;
        this.emitter.emit('rejected', { error, example });
      }
      throw error;
    }
  }

  /** The encoder the first example implies (not kept unless that example is valid). */
  private encoderFor(example: unknown): FeatureEncoder {
    const input = (example as { input?: unknown } | null)?.input;
    const size =
      input instanceof Float32Array || Array.isArray(input) ? Math.max(1, (input as ArrayLike<number>).length) : this.config.model.hashSlots;
    return new FeatureEncoder({ size, standardize: this.config.model.standardize });
  }

  private commit(p: PreparedExample): LearnResult {
    const core = this.core;
    if (!core.encoder) core.encoder = this.encoderFor({ input: p.raw });
    core.vocab.commit(p.label);
    if (!core.parts) this.buildModel(Math.max(2, core.vocab.size, p.target + 1));
    else if (p.target >= this.classes) this.growTo(p.target + 1, p.label);
    core.encoder.observe(p.raw);
    const result: LearnResult = { id: p.id, target: p.target, drift: false, trained: false };
    if (this.config.evaluation.prequential) {
      if (this.scratchX.length !== p.raw.length) this.scratchX = new Float32Array(p.raw.length);
      const x = this.scratchX;
      x.set(p.raw);
      core.encoder.applyStandardization(x);
      const probs = softmax(this.forward(core.parts!, x, p.allowedClasses), this.classes);
      let best = 0;
      for (let c = 1; c < this.classes; c++) if (probs[c]! > probs[best]!) best = c;
      result.predicted = best;
      result.correct = best === p.target;
      result.loss = -Math.log(Math.max(probs[p.target]!, 1e-12));
      core.stats.record(result.correct, result.loss);
      if (this.config.drift.enabled) {
        const signal = this.config.drift.signal === 'error' ? (result.correct ? 0 : 1) : result.loss;
        core.detector.update(signal);
        if (core.detector.driftDetected) {
          result.drift = true;
          this.onDrift();
        }
      }
    }
    core.stats.see(p.domain);
    if (core.stats.examplesSeen % core.historyEvery === 0 && this.config.evaluation.prequential) this.recordHistory();
    core.pending.push(p);
    core.recent.push(p);
    if (core.recent.length > RECENT_LIMIT + 64) core.recent.splice(0, core.recent.length - RECENT_LIMIT);
    core.parts!.scheduler.observe(1);
    return result;
  }

  private afterExample(): void {
    if (this.core.parts?.scheduler.shouldConsolidate()) this.consolidate(this.core.parts.scheduler.reason() ?? 'scheduled');
    this.autoCheckpoint();
  }

  private autoCheckpoint(): void {
    const every = this.config.checkpoint.everyExamples;
    if (every > 0 && this.saver && this.core.stats.examplesSeen % every === 0) this.save();
  }

  private buildModel(classes: number): void {
    const sizes = [this.core.encoder!.size, ...this.config.model.hidden, classes];
    this.core.parts = buildModelParts(this.config, sizes, this.kernels);
    if (this.config.memory.enabled) this.core.memory = buildMemory(this.config, this.core.encoder!.size);
  }

  private growTo(classes: number, label: string | number): void {
    const add = classes - this.classes;
    this.core.parts!.trainStep.growOutput(add);
    this.core.vocab.reserve(classes);
    this.log('classAdded', { index: classes - 1, label, classes });
    this.emitter.emit('classAdded', { index: classes - 1, label, classes });
  }

  private replayCount(n: number): number {
    const r = this.config.replay;
    if (!r.enabled || this.core.replay.size === 0) return 0;
    const ratio = r.replayRatio * (this.core.replayBoosted ? this.config.drift.replayRatioBoost : 1);
    return r.perStep ?? Math.round(ratio * n);
  }

  private trainPending(): void {
    const { batch, sample } = this.nextBatch();
    const result = this.core.parts!.trainStep.step(batch);
    this.afterStep(sample, result.skipped ? null : result);
  }

  private async trainPendingAsync(): Promise<void> {
    const { batch, sample } = this.nextBatch();
    const result = await this.core.parts!.trainStep.stepAsync(batch);
    this.afterStep(sample, result.skipped ? null : result);
  }

  private nextBatch(): { batch: ReturnType<BatchAssembler['assemble']>; sample: ReplayBatch<StoredExample> | null } {
    const pending = this.core.pending;
    const k = this.replayCount(pending.length);
    const sample = k > 0 ? this.core.replay.sample(k) : null;
    const r = this.config.replay;
    const distill = r.distill.weight > 0 ? r.distill : null;
    const batch = this.assembler.assemble(pending, sample, this.core.encoder!, this.classes, r.weight, r.asymmetric, distill);
    return { batch, sample };
  }

  /** `result` is null after a skipped (non-finite) step: no priorities are updated, losses and logits unknown. */
  private afterStep(sample: ReplayBatch<StoredExample> | null, result: Pick<StepResult, 'perExampleLoss' | 'logits'> | null): void {
    const core = this.core;
    const n = core.pending.length;
    const perExampleLoss = result?.perExampleLoss ?? null;
    if (sample && perExampleLoss) core.replay.updatePriorities(sample.handles, perExampleLoss.subarray(n, n + sample.handles.length));
    const keepLogits = result !== null && this.config.replay.enabled && this.config.replay.distill.weight > 0;
    const classes = this.classes;
    for (let i = 0; i < n; i++) {
      const p = core.pending[i]!;
      const stored: StoredExample = {
        x: p.raw,
        target: p.target,
        ...(p.allowedClasses ? { allowedClasses: p.allowedClasses } : {}),
        ...(p.level !== undefined ? { level: p.level } : {}),
        ...(keepLogits ? { logits: storedLogits(result.logits, i, classes) } : {}),
      };
      const domain = this.config.replay.balanceBy === 'class' ? String(p.target) : p.domain;
      const loss = perExampleLoss ? { loss: perExampleLoss[i]! } : {};
      if (this.config.replay.enabled) (core.staged ?? core.replay).add(stored, { id: p.id, ...loss, domain });
      core.memory?.insert({ id: p.id, key: p.raw, payload: { target: p.target, label: p.label }, ...loss, domain: p.domain });
    }
    core.pending = [];
    core.parts!.scheduler.tick(1);
  }

  private onDrift(): void {
    const core = this.core;
    core.stats.drifts++;
    const actions = this.config.drift.actions;
    for (const action of actions) {
      if (action === 'consolidate') core.parts!.scheduler.signalDrift();
      else if (action === 'raiseReplayRatio') core.replayBoosted = true;
      else if (action === 'refreshFisher' && core.parts!.ewc && core.recent.length > 0) {
        const examples = core.recent.slice(-this.config.ewc.fisherSamples).map((p) => this.encoded(p));
        const data = this.assembler.fisherData(examples, this.classes);
        core.parts!.ewc.consolidate(core.parts!.trainStep.params, data);
      }
    }
    const event = { at: core.stats.examplesSeen, detector: core.detector.kind, actions: [...actions] };
    this.log('drift', { detector: event.detector, actions: event.actions });
    this.emitter.emit('drift', event);
  }

  /**
   * `replay.admission: 'consolidation'`: offer the staged examples to the replay buffer in the order they were
   * staged, then empty the staging reservoir (its generator runs on, so the stream stays reproducible).
   */
  private admitStaged(): void {
    const staged = this.core.staged;
    if (!staged || staged.size === 0) return;
    const entries = [...staged.entries()].sort((a, b) => a.step - b.step);
    for (const e of entries) {
      this.core.replay.add(e.item, { id: e.id, domain: e.domain, time: e.time, ...(e.loss !== null ? { loss: e.loss } : {}) });
      staged.forget(e.id);
    }
  }

  private afterConsolidation(reason: string, report: import('@retain/consolidation').ConsolidationReport): void {
    this.core.stats.consolidations++;
    this.core.recent = [];
    this.core.replayBoosted = false;
    this.log('consolidation', { reason, steps: report.steps, meanLoss: report.meanLoss, fisherRefreshed: report.fisherRefreshed });
    this.emitter.emit('consolidation', { at: this.core.stats.examplesSeen, reason, report });
    // The sleep phase ends with a checkpoint, taken after its bookkeeping so a resume starts from here.
    if (this.saver) this.save();
  }

  private encoded(p: { raw?: Float32Array; x?: Float32Array; target: number; allowedClasses?: number[]; level?: number }): EncodedExample {
    const x = (p.raw ?? p.x)!.slice();
    this.core.encoder!.applyStandardization(x);
    return {
      x,
      target: p.target,
      ...(p.allowedClasses ? { allowedClasses: p.allowedClasses } : {}),
      ...(p.level !== undefined ? { level: p.level } : {}),
    };
  }

  private sampleEncoded(n: number): EncodedExample[] {
    if (n <= 0 || this.core.replay.size === 0) return [];
    return this.core.replay.sample(n).items.map((s) => this.encoded(s));
  }

  private forward(parts: ModelParts, x: Float32Array, allowed?: readonly number[]): Float32Array {
    const classes = this.classes;
    if (this.logits.length !== classes) this.logits = new Float32Array(classes);
    let outputMask: Uint8Array | undefined;
    if (allowed) {
      outputMask = new Uint8Array(classes);
      for (const c of allowed) if (c < classes) outputMask[c] = 1;
    }
    this.kernels.forward({
      sizes: parts.trainStep.sizes,
      activation: this.config.model.activation,
      params: parts.trainStep.params,
      x,
      batch: 1,
      logits: this.logits,
      ...(outputMask ? { outputMask } : {}),
    });
    return this.logits;
  }

  private recordHistory(): void {
    const core = this.core;
    core.history.push({ at: core.stats.examplesSeen, accuracy: core.stats.recentAccuracy, loss: core.stats.avgLoss });
    if (core.history.length > 2000) {
      // Thin to every other point and halve the sampling rate, so the curve covers the whole stream.
      core.history = core.history.filter((_, i) => i % 2 === 1);
      core.historyEvery *= 2;
    }
  }

  private requireModel(): ModelParts {
    if (!this.core.parts) throw new InvalidArgumentError('model', 'no example has been learned yet, so there is no model');
    return this.core.parts;
  }

  private log(kind: LoggedEvent['kind'], detail: Record<string, unknown>): void {
    this.core.events.push({ kind, at: this.core.stats.examplesSeen, time: Date.now(), detail });
    if (this.core.events.length > EVENT_LIMIT) this.core.events.splice(0, this.core.events.length - EVENT_LIMIT);
  }
}

function softmax(logits: Float32Array, classes: number): Float32Array {
  const out = new Float32Array(classes);
  let max = -Infinity;
  for (let c = 0; c < classes; c++) if (logits[c]! > max) max = logits[c]!;
  let sum = 0;
  for (let c = 0; c < classes; c++) {
    const e = logits[c] === -Infinity ? 0 : Math.exp(logits[c]! - max);
    out[c] = e;
    sum += e;
  }
  for (let c = 0; c < classes; c++) out[c] = out[c]! / sum;
  return out;
}
