import { InvalidArgumentError, RetainError } from '@retain/core';
import { createKernels } from './create-kernels.js';
import { loadNativeRaw } from './native.js';
import { createTsRawKernels } from './ts/ts-backend.js';
import { KERNELS_VERSION } from './version.js';
import type { Kernels, LoadKernelsOptions } from './types.js';

const cache = new Map<string, Kernels>();

/** The pure-TypeScript kernels (validated), available on every platform. */
export function createTsKernels(fallbackReason?: string): Kernels {
  return createKernels(createTsRawKernels(), {
    backend: 'ts',
    version: KERNELS_VERSION,
    cpuFeatures: [],
    ...(fallbackReason === undefined ? {} : { fallbackReason }),
  });
}

function requestedBackend(options: LoadKernelsOptions | undefined): 'auto' | 'native' | 'ts' {
  if (options?.backend !== undefined) {
    const b = options.backend;
    if (b !== 'auto' && b !== 'native' && b !== 'ts') {
      throw new InvalidArgumentError('backend', `must be 'auto', 'native' or 'ts', got ${String(b)}`);
    }
    return b;
  }
  const env = process.env['RETAIN_KERNELS'];
  if (env === undefined || env === '') return 'auto';
  if (env !== 'auto' && env !== 'native' && env !== 'ts') {
    throw new InvalidArgumentError('RETAIN_KERNELS', `must be 'auto', 'native' or 'ts', got ${env}`);
  }
  return env;
}

function loadNative(nativePath: string | undefined): Kernels {
  const { raw, info } = loadNativeRaw(nativePath);
  return createKernels(raw, { ...info, backend: 'native' });
}

/**
 * Loads the kernels, synchronously. `backend: 'auto'` (the default; the env variable `RETAIN_KERNELS` =
 * `auto|native|ts` applies when the option is absent) uses native when it loads and otherwise the TS backend
 * with `info.fallbackReason` set; `'native'` throws RetainError `E_NATIVE_UNAVAILABLE` when it cannot load;
 * `'ts'` never touches native. The result is cached per backend and native path.
 */
export function loadKernels(options?: LoadKernelsOptions): Kernels {
  const backend = requestedBackend(options);
  const key = `${backend}\0${options?.nativePath ?? ''}`;
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  let kernels: Kernels;
  if (backend === 'ts') {
    kernels = createTsKernels();
  } else if (backend === 'native') {
    kernels = loadNative(options?.nativePath);
  } else {
    try {
      kernels = loadNative(options?.nativePath);
    } catch (err) {
      const reason = err instanceof RetainError || err instanceof Error ? err.message : String(err);
      kernels = createTsKernels(reason);
    }
  }
  cache.set(key, kernels);
  return kernels;
}
