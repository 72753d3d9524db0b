// @retain/kernels: MLP, loss, distillation, Fisher, EWC and optimizer kernels behind one validated interface,
// native (Rust via N-API) when available and pure TypeScript otherwise.
export type * from './types.js';
export { loadKernels, createTsKernels } from './load-kernels.js';
export { MAX_THREADS, createKernels } from './create-kernels.js';
export { createTsRawKernels } from './ts/ts-backend.js';
export { INIT_SCHEMES, drawWeights, initParams, resolveInit, type InitScheme } from './init-params.js';
export { argmaxRows } from './argmax.js';
export { lowbias32, dropoutLayerKey, dropoutBits, dropoutKeep } from './ts/dropout-hash.js';
export { KERNELS_VERSION } from './version.js';
