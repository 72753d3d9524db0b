export * from './errors.js';
export * from './schema.js';
export * from './rng.js';
export * from './layout.js';
export * from './types.js';
