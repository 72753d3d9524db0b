export { ReplayBuffer } from './replay-buffer.js';
export { SumTree } from './sum-tree.js';
export { ExtremaTree } from './extrema-tree.js';
export { MAX_CAPACITY, parseReplayConfig, replayBufferConfigSchema, replayStrategySchema } from './replay-config.js';
export type { ReplayBufferConfig, ReplayBufferOptions, ReplayStrategy, ReplayStrategyInput } from './replay-config.js';
export type { ReplayAddMeta, ReplayAddResult, ReplayBatch, ReplayEntry, ReplayStats } from './replay-types.js';
export type { ReplaySlotRow } from './slot-table.js';
export { applyReplayChanges, parseReplaySnapshot, replayChangesSchema, replaySnapshotSchema } from './replay-snapshot.js';
export type { ReplayChanges, ReplayHeader, ReplaySlots, ReplaySnapshot } from './replay-snapshot.js';
