// Interim: the TS backend straight from its source until @retain/kernels exports loadKernels.
import type { Kernels } from '@retain/kernels';
import { createTsRawKernels } from '../../kernels/src/ts/ts-backend.js';

/** Every backend that loads on this machine (ts always; native when its binary loads). */
export async function backends(): Promise<Kernels[]> {
  return [{ ...createTsRawKernels(), backend: 'ts', info: { backend: 'ts', version: 'dev', cpuFeatures: [] } } as Kernels];
}
