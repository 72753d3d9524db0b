import { z } from 'zod';
import { StoreCorruptError, paramCount, paramLayout, parseAt, type InputFeatures } from '@retain/core';
import { loadKernels, type Kernels } from '@retain/kernels';
import { FeatureEncoder } from './feature-encoder.js';
import type { OnlineLearner } from './online-learner.js';
import { decodeSafetensors, encodeSafetensors } from './safetensors.js';

/** The JSON spec stored with a model version: everything needed to serve it besides the weights. */
export const servingSpecSchema = z.object({
  kind: z.literal('retain.mlp'),
  version: z.literal(1),
  sizes: z.array(z.number().int().min(1)).min(2),
  activation: z.enum(['relu', 'tanh']),
  labels: z.array(z.union([z.string(), z.number()])),
  encoder: z.object({
    size: z.number().int().min(1),
    standardize: z.boolean(),
    count: z.number().int().min(0),
    mean: z.array(z.number()),
    m2: z.array(z.number()),
  }),
});
/** A serving spec (see {@link servingSpecSchema}). */
export type ServingSpec = z.output<typeof servingSpecSchema>;

/**
 * An immutable model for serving: weights (safetensors), spec, and the feature encoder frozen at the time
 * the version was made. Used for benchmark evaluation in promotion cycles and for `retain predict`.
 */
export class ServingModel {
  private readonly logits: Float32Array;
  private readonly x: Float32Array;

  private constructor(
    readonly spec: ServingSpec,
    readonly params: Float32Array,
    private readonly encoder: FeatureEncoder,
    private readonly kernels: Kernels,
  ) {
    this.logits = new Float32Array(spec.sizes.at(-1)!);
    this.x = new Float32Array(spec.encoder.size);
  }

  /** Freeze a learner's current model. */
  static fromLearner(learner: OnlineLearner): ServingModel {
    const m = learner.model();
    const enc = learner.core.encoder!.snapshot();
    const spec: ServingSpec = {
      kind: 'retain.mlp',
      version: 1,
      sizes: m.sizes,
      activation: m.activation,
      labels: m.labels,
      encoder: { size: enc.size, standardize: enc.standardize, count: enc.count, mean: Array.from(enc.mean), m2: Array.from(enc.m2) },
    };
    return new ServingModel(spec, m.params, FeatureEncoder.restore(enc), learner.kernels);
  }

  /** Rebuild from a stored version's weights and spec. */
  static fromArtifact(weights: Uint8Array, spec: unknown, kernels: Kernels = loadKernels()): ServingModel {
    const s = parseAt(servingSpecSchema, spec, 'spec', 'store');
    const { tensors } = decodeSafetensors(Buffer.from(weights.buffer, weights.byteOffset, weights.byteLength));
    const params = new Float32Array(paramCount(s.sizes));
    for (const slice of paramLayout(s.sizes)) {
      const t = tensors.find((x) => x.name === slice.name);
      if (!t || t.data.length !== slice.length) throw new StoreCorruptError(`weights.${slice.name}`, 'is missing or has the wrong length');
      params.set(t.data, slice.offset);
    }
    const encoder = FeatureEncoder.restore({
      version: 1,
      size: s.encoder.size,
      standardize: s.encoder.standardize,
      count: s.encoder.count,
      mean: Float64Array.from(s.encoder.mean),
      m2: Float64Array.from(s.encoder.m2),
    });
    return new ServingModel(s, params, encoder, kernels);
  }

  /** Weights as safetensors bytes and the JSON spec: what a version stores. */
  toArtifact(): { weights: Uint8Array; spec: ServingSpec } {
    const tensors = paramLayout(this.spec.sizes).map((s) => ({ name: s.name, shape: s.shape, data: this.params.subarray(s.offset, s.offset + s.length) }));
    return { weights: new Uint8Array(encodeSafetensors(tensors, { format: 'pt' })), spec: this.spec };
  }

  /** The predicted label, its output index and the class probabilities. */
  predict(input: InputFeatures): { label: string | number; index: number; probs: Float32Array } {
    this.encoder.encode(input, this.x, 'input');
    this.kernels.forward({ sizes: this.spec.sizes, activation: this.spec.activation, params: this.params, x: this.x, batch: 1, logits: this.logits });
    const c = this.logits.length;
    let max = -Infinity;
    for (let i = 0; i < c; i++) max = Math.max(max, this.logits[i]!);
    const probs = new Float32Array(c);
    let sum = 0;
    for (let i = 0; i < c; i++) sum += probs[i] = Math.exp(this.logits[i]! - max);
    let best = 0;
    for (let i = 0; i < c; i++) {
      probs[i] = probs[i]! / sum;
      if (probs[i]! > probs[best]!) best = i;
    }
    return { label: this.spec.labels[best] ?? best, index: best, probs };
  }
}
