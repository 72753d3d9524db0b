// The contract of @retain/kernels. Both backends (native Rust via N-API, pure TypeScript) implement
// exactly these signatures with exactly these semantics; see SPEC.md for the math, including the
// bit-exact dropout hash that both must share.
import type { Activation } from '@retain/core';

/** Which implementation runs the math. */
export type BackendName = 'native' | 'ts';

/** The network and the batch every MLP kernel works on. All arrays are row-major. */
export interface MlpArgs {
  /** `[input, hidden..., output]`; two entries is a linear model. */
  sizes: readonly number[];
  activation: Activation;
  /** Flat parameters in the fixed layout (`fc{l}.weight` out × in, then `fc{l}.bias`), `paramCount(sizes)` long. */
  params: Float32Array;
  /** Inputs, `batch × sizes[0]`. */
  x: Float32Array;
  /** Number of examples in `x` (≥ 1). */
  batch: number;
}

/** Inverted dropout on every hidden layer's activations, mask drawn from a counter-based hash of `seed`. */
export interface DropoutOptions {
  /** Probability of dropping a unit, in [0, 1). */
  rate: number;
  /** 32-bit unsigned seed; the same seed gives the same mask in both backends. */
  seed: number;
}

/** Per-example output mask: `batch × classes`, 1 where the class's logit counts, 0 where it is masked out. */
export type OutputMask = Uint8Array;

export interface ForwardArgs extends MlpArgs {
  /** Output: `batch × classes` logits. Masked-out entries are written as `-Infinity`. */
  logits: Float32Array;
  outputMask?: OutputMask;
  dropout?: DropoutOptions;
}

/** Knowledge distillation (LwF): KL(teacher ‖ student) at temperature T, scaled by T² and `weight`. */
export interface DistillOptions {
  /** `batch × classes` logits of the frozen teacher. */
  teacherLogits: Float32Array;
  /** T > 0. */
  temperature: number;
  /** ≥ 0. */
  weight: number;
  /**
   * Per class (`classes` long), the softmax group its distillation term is computed in; −1 leaves the class out.
   * The example's term is then the mean over the groups of T²·KL within each group (the previous tasks' heads in
   * task-IL, the old classes in class-IL), and `outputMask` does not apply to it. Absent: one group, the
   * example's allowed classes.
   */
  classGroups?: Int32Array;
  /**
   * Per example (`batch` long, finite, ≥ 0), a factor on its distillation term (loss and gradient), on top of
   * `weight` and the example's `weights` entry. 0: the example has no distillation term and its teacher row is
   * never read, so it may hold anything (dark experience replay: only the replayed rows carry stored logits).
   * Absent: 1 for every example.
   */
  rowWeights?: Float32Array;
}

export interface LossGradArgs extends MlpArgs {
  /** Class index per example, `batch` long; must be an allowed class under `outputMask`. */
  targets: Int32Array;
  /** Output: overwritten with d(loss)/d(params), `paramCount(sizes)` long. */
  grad: Float32Array;
  /** Optional output: the unweighted cross-entropy of each example, `batch` long (replay priorities). */
  perExampleLoss?: Float32Array;
  /** Optional output: the logits of this forward pass, `batch × classes` (masked entries `-Infinity`). */
  logits?: Float32Array;
  /** Optional per-example weights, `batch` long, finite and ≥ 0 (importance weights, replay weighting). */
  weights?: Float32Array;
  outputMask?: OutputMask;
  dropout?: DropoutOptions;
  distill?: DistillOptions;
}

export type FisherKind = 'empirical' | 'expected';

export interface FisherArgs extends MlpArgs {
  /**
   * `empirical`: squared per-example gradients of the cross-entropy at `targets` (which may be labels the
   * caller drew from the model). `expected`: the exact expectation over classes under the model's softmax.
   */
  kind: FisherKind;
  /** Required for `empirical`, ignored for `expected`. */
  targets?: Int32Array;
  outputMask?: OutputMask;
  /** Accumulator: the sum over examples of squared per-example gradients is ADDED into it. */
  fisher: Float32Array;
}

/** Synaptic Intelligence's path integral for one optimizer step. */
export interface SiArgs {
  /** ω, updated in place: ω −= g·(after − before). */
  omega: Float32Array;
  /** The step's data gradient g (read only). */
  grad: Float32Array;
  /** θ before the step (read only). */
  before: Float32Array;
  /** θ after the step (read only). */
  after: Float32Array;
}

export interface EwcArgs {
  params: Float32Array;
  /** θ*, the anchor, same length as params. */
  anchor: Float32Array;
  /** F, the mean diagonal Fisher, same length as params. */
  fisher: Float32Array;
  /** λ ≥ 0. */
  lambda: number;
  /** Gradient buffer; λ·F·(θ − θ*) is ADDED into it. */
  grad: Float32Array;
}

export interface SgdArgs {
  params: Float32Array;
  /** Read only. */
  grad: Float32Array;
  /** Momentum buffer (required when momentum > 0), updated in place. */
  velocity?: Float32Array;
  lr: number;
  /** Default 0. */
  momentum?: number;
  /** L2 added to the (clipped) gradient, PyTorch style. Default 0. */
  weightDecay?: number;
  /** Default false. */
  nesterov?: boolean;
  /** Global-norm clipping threshold; 0 or absent disables. */
  clipNorm?: number;
}

export interface AdamArgs {
  params: Float32Array;
  /** Read only. */
  grad: Float32Array;
  /** First moment, updated in place. */
  m: Float32Array;
  /** Second moment, updated in place. */
  v: Float32Array;
  /** 1-based step count t used for bias correction. */
  step: number;
  lr: number;
  /** Default 0.9. */
  beta1?: number;
  /** Default 0.999. */
  beta2?: number;
  /** Default 1e-8. */
  eps?: number;
  /** L2 added to the (clipped) gradient, PyTorch `Adam` style. Default 0. */
  weightDecay?: number;
  clipNorm?: number;
}

/** Facts about the loaded backend. */
export interface KernelsInfo {
  backend: BackendName;
  /** Crate or package version. */
  version: string;
  /** CPU features the native GEMM dispatches on (empty for ts). */
  cpuFeatures: string[];
  /** Why native was not used, when the ts backend was chosen by fallback. */
  fallbackReason?: string;
}

/**
 * The kernels. Synchronous functions run on the caller's thread and borrow the arrays for the call only.
 * Each `*Async` variant runs off the event loop (libuv thread pool for native); the arrays passed to it
 * must not be read or written by anyone until the returned promise settles.
 */
export interface Kernels {
  readonly backend: BackendName;
  readonly info: KernelsInfo;
  /**
   * Let large matrix products use up to `n` threads; returns the count now in effect. Native: process-wide
   * (every Kernels object shares it), default the `RETAIN_THREADS` environment variable or 1, and results are
   * bit-identical for any count. ts: always runs on the calling thread and returns 1.
   */
  setThreads(n: number): number;
  /** Threads large matrix products may use now (always 1 for ts). */
  threads(): number;
  /** MLP forward into `args.logits`. */
  forward(args: ForwardArgs): void;
  forwardAsync(args: ForwardArgs): Promise<void>;
  /** Forward + softmax cross-entropy (+ fused distillation) + backward. Returns the batch loss (1/B)·Σ wᵢ·ℓᵢ. */
  lossGrad(args: LossGradArgs): number;
  lossGradAsync(args: LossGradArgs): Promise<number>;
  /** Adds the diagonal Fisher's sum over the batch into `args.fisher`. */
  fisherDiag(args: FisherArgs): void;
  fisherDiagAsync(args: FisherArgs): Promise<void>;
  /** Returns Σ ½λF(θ−θ*)² and adds λF(θ−θ*) into `grad`, in one pass. */
  ewcPenaltyGrad(args: EwcArgs): number;
  ewcPenaltyGradAsync(args: EwcArgs): Promise<number>;
  /** Synaptic Intelligence's path integral in place: ω −= g·(after − before), in float32 (both backends bit-identical). */
  siAccumulate(args: SiArgs): void;
  /** SGD (with momentum / Nesterov / weight decay / clipping) in place. Returns the global gradient norm before clipping. */
  sgdStep(args: SgdArgs): number;
  sgdStepAsync(args: SgdArgs): Promise<number>;
  /** Adam (PyTorch semantics, bias-corrected) in place. Returns the global gradient norm before clipping. */
  adamStep(args: AdamArgs): number;
  adamStepAsync(args: AdamArgs): Promise<number>;
}

/**
 * What a backend implements: the same functions without argument checking. The shared validating
 * wrapper (`createKernels`) turns a RawKernels into Kernels, so both backends reject bad input with
 * identical typed errors.
 */
export type RawKernels = Omit<Kernels, 'backend' | 'info'>;

/** Options of {@link loadKernels}. */
export interface LoadKernelsOptions {
  /** `auto` (default): native if it loads, else ts. `native`: throw if native cannot load. */
  backend?: 'auto' | BackendName;
  /** Explicit path to a `.node` binary, tried first. */
  nativePath?: string;
}
