export * from './config.js';
export * from './feature-encoder.js';
export * from './label-vocabulary.js';
export * from './scenarios/index.js';
export * from './safetensors.js';
export * from './learner-store.js';
