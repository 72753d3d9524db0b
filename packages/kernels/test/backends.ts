// The backends the conformance suite runs on: always ts; native when it loads. Under CI=true a missing
// native backend fails the suite (CI builds it), elsewhere it prints a loud notice and runs ts only.
import { loadKernels, type Kernels } from '../src/index.js';

function load(): Kernels[] {
  const list: Kernels[] = [loadKernels({ backend: 'ts' })];
  try {
    list.push(loadKernels({ backend: 'native' }));
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    if (process.env['CI'] === 'true') {
      throw new Error(`CI=true but the native kernels did not load: ${reason}`, { cause: err });
    }
    console.warn(
      `\n${'!'.repeat(78)}\n!!! @retain/kernels: NATIVE BACKEND NOT AVAILABLE (${reason}).\n` +
        `!!! The conformance suite runs on the TS backend only.\n${'!'.repeat(78)}\n`,
    );
  }
  return list;
}

/** Every available backend, as `[name, kernels]` rows for `describe.each`. */
export const backends: Array<[string, Kernels]> = load().map((k) => [k.backend, k]);

/** The native kernels, or undefined when they did not load. */
export const nativeKernels: Kernels | undefined = backends.find(([n]) => n === 'native')?.[1];
