// Placeholder until the native binding lands: always reports the native backend unavailable.
import { RetainError } from '@retain/core';
import type { KernelsInfo, RawKernels } from './types.js';

/** Load the native binding; throws a RetainError (E_NATIVE_UNAVAILABLE) when it cannot. */
export function loadNativeRaw(_nativePath?: string): { raw: RawKernels; info: Omit<KernelsInfo, 'backend'> } {
  throw new RetainError('E_NATIVE_UNAVAILABLE', 'native kernels are not built yet');
}
