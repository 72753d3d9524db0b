import { paramLayout, type Activation, type Rng } from '@retain/core';

/**
 * Fresh parameters in the flat layout, drawn from `rng`: weights He-normal (std √(2/fan_in)) for relu,
 * Glorot-uniform (±√(6/(fan_in+fan_out))) for tanh; biases zero. Deterministic for a given Rng state.
 */
export function initParams(sizes: readonly number[], rng: Rng, activation: Activation = 'relu'): Float32Array {
  const layout = paramLayout(sizes);
  const params = new Float32Array(layout.reduce((n, t) => n + t.length, 0));
  for (const t of layout) {
    if (t.shape.length !== 2) continue;
    const [fanOut, fanIn] = t.shape as [number, number];
    if (activation === 'relu') {
      const std = Math.sqrt(2 / fanIn);
      for (let k = 0; k < t.length; k++) params[t.offset + k] = rng.normal() * std;
    } else {
      const limit = Math.sqrt(6 / (fanIn + fanOut));
      for (let k = 0; k < t.length; k++) params[t.offset + k] = (2 * rng.float() - 1) * limit;
    }
  }
  return params;
}
