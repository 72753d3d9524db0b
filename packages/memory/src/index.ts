export { EpisodicMemory } from './episodic-memory.js';
export { CaseIndex, caseIndexFileSchema, normalizeCaseInput } from './case-index.js';
export type { CaseBest, CaseIndexFile } from './case-index.js';
export { episodicMemoryConfigSchema, retentionPolicySchema } from './memory-types.js';
export type {
  Episode,
  EpisodeInput,
  EpisodicMemoryConfig,
  EpisodicMemoryOptions,
  MemoryChanges,
  RecallHit,
  RetentionPolicy,
} from './memory-types.js';
export { memorySnapshotSchema, parseMemorySnapshot } from './memory-snapshot.js';
export type { MemorySnapshot } from './memory-snapshot.js';
