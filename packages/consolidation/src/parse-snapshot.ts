import type { z } from 'zod';
import { StateVersionError, StoreCorruptError, parseAt } from '@retain/core';

/**
 * Parse a snapshot at the restore edge: a wrong or missing `version` is a StateVersionError, any other
 * defect a StoreCorruptError naming the field (`what.path.to.field`).
 */
export function parseSnapshot<S extends z.ZodType>(
  schema: S,
  value: unknown,
  what: string,
  supported: readonly number[] = [1],
): z.output<S> {
  if (typeof value !== 'object' || value === null) throw new StoreCorruptError(what, 'snapshot must be an object');
  const version = (value as { version?: unknown }).version;
  if (typeof version !== 'number' || !supported.includes(version)) {
    throw new StateVersionError(what, version, supported);
  }
  return parseAt(schema, value, what, 'store');
}
