import { z } from 'zod';

/** zod schema of an MLP spec (`sizes = [input, hidden..., classes]`, hidden activation). */
export const modelSpecSchema = z
  .object({
    sizes: z.array(z.number().int().min(1)).min(2),
    activation: z.enum(['relu', 'tanh']),
  })
  .strict();

/** zod schema of a 32-bit unsigned seed. */
export const seedSchema = z.number().int().min(0).max(0xffffffff);

/** Copy of `sizes` with the output layer widened by `newClasses`. */
export function grownSizes(sizes: readonly number[], newClasses: number): number[] {
  const out = sizes.slice();
  out[out.length - 1] = out[out.length - 1]! + newClasses;
  return out;
}

/** True when two size lists are equal entry by entry. */
export function sameSizes(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
