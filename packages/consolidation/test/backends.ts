import { type Kernels, loadKernels } from '@retain/kernels';

/** Every backend that loads on this machine: ts always, native when its binary loads. */
export async function backends(): Promise<Kernels[]> {
  const found = [loadKernels({ backend: 'ts' })];
  try {
    found.push(loadKernels({ backend: 'native' }));
  } catch {
    // No native binary on this machine: the suites run on ts alone.
  }
  return found;
}
