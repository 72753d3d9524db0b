import { z } from 'zod';
import { InvalidArgumentError, InvalidConfigError, StoreCorruptError } from './errors.js';

type ErrorKind = 'argument' | 'config' | 'store';

function pathOf(issue: z.core.$ZodIssue, root: string): string {
  const parts = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
  return `${root}${parts}`;
}

/**
 * Parse `value` with `schema` at a boundary; on failure throw a typed error naming the first bad
 * field (`root.path.to.field`) and what was wrong with it.
 */
export function parseAt<S extends z.ZodType>(
  schema: S,
  value: unknown,
  root: string,
  kind: ErrorKind = 'argument',
): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = pathOf(issue, root);
  const message = issue.message;
  if (kind === 'config') throw new InvalidConfigError(field, message, result.error);
  if (kind === 'store') throw new StoreCorruptError(field, message, result.error);
  throw new InvalidArgumentError(field, message, result.error);
}

/** zod schema for a Float32Array (snapshots may carry typed arrays). */
export const float32ArraySchema = z.instanceof(Float32Array);
/** zod schema for a Float64Array. */
export const float64ArraySchema = z.instanceof(Float64Array);
/** zod schema for a Uint32Array. */
export const uint32ArraySchema = z.instanceof(Uint32Array);
