import { InvalidExampleError, type OnlineExample } from '@retain/core';
import type { FeatureEncoder } from './feature-encoder.js';
import type { LabelVocabulary } from './label-vocabulary.js';

/** An example after validation: encoded features (unstandardized) and a class index. Nothing committed yet. */
export interface PreparedExample {
  id: string;
  raw: Float32Array;
  target: number;
  /** The target as the user gave it (a string label claims a vocabulary index on commit). */
  label: number | string;
  newClass: boolean;
  domain: string;
  allowedClasses?: number[];
  level?: number;
}

/** What an example stored for replay holds (persisted as a replay item row). */
export interface StoredExample {
  x: Float32Array;
  target: number;
  allowedClasses?: number[];
  level?: number;
  /**
   * `replay.distill`: the logits of the step that stored the example (as many as the model had classes then;
   * masked outputs as UNSEEN_CLASS_LOGIT). Absent when off or when that step was skipped as non-finite.
   */
  logits?: Float32Array;
}

/**
 * Validate and encode an example without changing any state. Throws InvalidExampleError naming the field
 * (`example.id`, `example.input[3]`, `example.target`, `example.allowedClasses[1]`, …).
 */
export function prepareExample(
  ex: unknown,
  encoder: FeatureEncoder,
  vocab: LabelVocabulary,
  fixedClasses: number | undefined,
): PreparedExample {
  if (typeof ex !== 'object' || ex === null) throw new InvalidExampleError('example', 'must be an object');
  const e = ex as Partial<OnlineExample>;
  if (typeof e.id !== 'string' || e.id.length === 0) throw new InvalidExampleError('example.id', 'must be a non-empty string');
  if (e.input === undefined || e.input === null) throw new InvalidExampleError('example.input', 'is missing');
  const raw = new Float32Array(encoder.size);
  encoder.encodeRaw(e.input, raw, 'example.input');
  if (e.target === undefined || e.target === null) throw new InvalidExampleError('example.target', 'is missing');
  const { index, isNew } = vocab.peek(e.target, 'example.target');
  if (fixedClasses !== undefined && index >= fixedClasses) {
    throw new InvalidExampleError('example.target', `class ${String(e.target)} would be output ${index}, but the model has ${fixedClasses} classes`);
  }
  if (e.domain !== undefined && typeof e.domain !== 'string') throw new InvalidExampleError('example.domain', 'must be a string');
  if (e.level !== undefined && (!Number.isInteger(e.level) || e.level < 0)) {
    throw new InvalidExampleError('example.level', `must be an integer ≥ 0, got ${String(e.level)}`);
  }
  let allowed: number[] | undefined;
  if (e.allowedClasses !== undefined) {
    if (!Array.isArray(e.allowedClasses) || e.allowedClasses.length === 0) {
      throw new InvalidExampleError('example.allowedClasses', 'must be a non-empty array of class indices');
    }
    allowed = [];
    e.allowedClasses.forEach((c, i) => {
      if (!Number.isInteger(c) || c < 0 || (fixedClasses !== undefined && c >= fixedClasses)) {
        throw new InvalidExampleError(`example.allowedClasses[${i}]`, `is not a valid class index: ${String(c)}`);
      }
      allowed!.push(c);
    });
    if (!allowed.includes(index)) throw new InvalidExampleError('example.target', `class ${index} is not among allowedClasses`);
  }
  return {
    id: e.id,
    raw,
    target: index,
    label: e.target,
    newClass: isNew,
    domain: e.domain ?? (typeof e.task === 'string' || typeof e.task === 'number' ? String(e.task) : 'default'),
    ...(allowed ? { allowedClasses: allowed } : {}),
    ...(e.level !== undefined ? { level: e.level } : {}),
  };
}
