import { paramLayout, type Activation, type Rng } from '@retain/core';

/**
 * How {@link initParams} draws θ. `auto`: weights He-normal (std √(2/fan_in)) for relu, Glorot-uniform
 * (±√(6/(fan_in+fan_out))) for tanh, biases zero. `he` / `glorot`: that weight scheme whatever the activation,
 * biases zero. `torch`: PyTorch's `nn.Linear` default, weights and biases uniform in ±1/√fan_in (what the
 * published continual-learning baselines start from).
 */
export type InitScheme = 'auto' | 'he' | 'glorot' | 'torch';

/** Every {@link InitScheme}. */
export const INIT_SCHEMES: readonly InitScheme[] = ['auto', 'he', 'glorot', 'torch'];

/** The weight rule `scheme` resolves to for `activation`. */
export function resolveInit(scheme: InitScheme, activation: Activation): Exclude<InitScheme, 'auto'> {
  if (scheme !== 'auto') return scheme;
  return activation === 'relu' ? 'he' : 'glorot';
}

/**
 * Fill `out[from, to)` with weights of a layer of `fanIn` inputs and `fanOut` outputs under `rule`
 * (biases are drawn by {@link initParams} only for `torch`).
 */
export function drawWeights(rule: Exclude<InitScheme, 'auto'>, rng: Rng, fanIn: number, fanOut: number, out: Float32Array, from: number, to: number): void {
  if (rule === 'he') {
    const std = Math.sqrt(2 / fanIn);
    for (let k = from; k < to; k++) out[k] = rng.normal() * std;
  } else {
    const limit = rule === 'glorot' ? Math.sqrt(6 / (fanIn + fanOut)) : 1 / Math.sqrt(fanIn);
    for (let k = from; k < to; k++) out[k] = (2 * rng.float() - 1) * limit;
  }
}

/**
 * Fresh parameters in the flat layout, drawn from `rng` by `scheme` (see {@link InitScheme}; `auto` by
 * default). Deterministic for a given Rng state.
 */
export function initParams(sizes: readonly number[], rng: Rng, activation: Activation = 'relu', scheme: InitScheme = 'auto'): Float32Array {
  const rule = resolveInit(scheme, activation);
  const layout = paramLayout(sizes);
  const params = new Float32Array(layout.reduce((n, t) => n + t.length, 0));
  let fanIn = sizes[0]!;
  for (const t of layout) {
    if (t.shape.length === 2) {
      const [fanOut, inputs] = t.shape as [number, number];
      fanIn = inputs;
      drawWeights(rule, rng, inputs, fanOut, params, t.offset, t.offset + t.length);
    } else if (rule === 'torch') {
      const limit = 1 / Math.sqrt(fanIn);
      for (let k = 0; k < t.length; k++) params[t.offset + k] = (2 * rng.float() - 1) * limit;
    }
  }
  return params;
}
