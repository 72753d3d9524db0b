// A lookup-table "model" for tests: its weights are the UTF-8 JSON of input → action, training
// memorizes examples on top of the base table, and prediction looks the input up.
import type { LoadedModel, Predictor, TrainFunction, TrajectoryInput } from '../src/index.js';

export type Table = Record<string, string | number>;

export function keyOf(input: unknown): string {
  return JSON.stringify(input);
}

export function encodeTable(table: Table): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(table));
}

export function decodeTable(weights: Uint8Array): Table {
  return JSON.parse(new TextDecoder().decode(weights)) as Table;
}

export const memorize: TrainFunction = ({ base, examples }) => {
  const table: Table = base ? decodeTable(base.weights) : {};
  for (const ex of examples) table[keyOf(ex.input)] = ex.target;
  return { weights: encodeTable(table), spec: { kind: 'lookup', entries: Object.keys(table).length } };
};

export function lookupPredictor(model: LoadedModel, latencyMs = 1): Predictor {
  const table = decodeTable(model.weights);
  return (input) => ({ action: table[keyOf(input)] ?? 'unknown', latencyMs });
}

let counter = 0;
export function trajectory(over: Partial<TrajectoryInput> = {}): TrajectoryInput {
  counter++;
  return {
    id: `t-${counter}`,
    input: { op: 'noop', n: counter },
    action: 'act:noop',
    reward: 1,
    error: null,
    latencyMs: 5,
    createdAt: '2025-01-01T00:00:00.000Z',
    ...over,
  };
}
