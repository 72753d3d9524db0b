/** The snapshot every detector writes: a kind tag, a format version, its config and its state. */
export interface DetectorSnapshot<K extends string = string, C = unknown, S = unknown> {
  version: 1;
  kind: K;
  config: C;
  state: S;
}

/**
 * River's drift-detector contract: `update(x)` returns the detector, `driftDetected` is true only
 * on the update that triggered it, and the next update after a drift starts from a fresh state.
 */
export interface DriftDetector {
  /** Stable name of the algorithm (`'ADWIN'`, `'DDM'`, …), also the snapshot's `kind`. */
  readonly kind: string;
  /** True only right after the update that detected a drift. */
  readonly driftDetected: boolean;
  /** True while the detector is in its warning zone (always false for detectors without one). */
  readonly warningDetected: boolean;
  /** Feed one value; throws a typed error and changes nothing when the value is invalid. */
  update(x: number | boolean): this;
  /** Forget everything seen so far (configuration is kept). */
  reset(): void;
  /** A versioned, JSON-safe copy of configuration and state. */
  snapshot(): DetectorSnapshot;
  /** Replace configuration and state with a snapshot of the same kind (validated; all or nothing). */
  restore(snapshot: unknown): this;
}

/** A drift detector fed a stream of errors: 1 (or `true`) = error, 0 (or `false`) = correct. */
export interface BinaryDriftDetector extends DriftDetector {
  readonly binary: true;
}
