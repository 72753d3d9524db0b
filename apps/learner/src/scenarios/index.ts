export * from './mnist.js';
export * from './scenario.js';
