/** A class target: an index into the output layer, or a string label mapped through a vocabulary. */
export type Target = number | string;

/** Input features: a dense vector, or named fields (numbers used as they are, strings hashed). */
export type InputFeatures = Float32Array | readonly number[] | Readonly<Record<string, number | string | boolean>>;

/** One labelled event of a stream. */
export interface OnlineExample {
  id: string;
  input: InputFeatures;
  target: Target;
  /** Domain or source of the example (replay balancing, drift reports). */
  domain?: string;
  /** Curriculum level. */
  level?: number;
  /** Task id in task-incremental settings. */
  task?: string | number;
  /** Classes this example may be predicted as (others masked out of the softmax). */
  allowedClasses?: readonly number[];
}

/** Versioned plain structure for checkpoints. */
export interface Versioned {
  version: number;
}
