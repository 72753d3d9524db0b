import type { z } from 'zod';
import { InvalidArgumentError, StateVersionError, parseAt } from '@retain/core';

/** Snapshot format versions this package reads. */
export const SUPPORTED_SNAPSHOT_VERSIONS = [1] as const;

/**
 * Parse a detector snapshot at the boundary: a wrong `kind` is an argument error, an unknown
 * `version` a {@link StateVersionError}, anything else malformed a `StoreCorruptError` naming the field.
 */
export function parseSnapshot<S extends z.ZodType>(schema: S, value: unknown, kind: string): z.output<S> {
  if (typeof value !== 'object' || value === null) {
    throw new InvalidArgumentError('snapshot', `must be an object, got ${value === null ? 'null' : typeof value}`);
  }
  const v = value as { kind?: unknown; version?: unknown };
  if (v.kind !== kind) {
    throw new InvalidArgumentError('snapshot.kind', `expected ${JSON.stringify(kind)}, got ${JSON.stringify(v.kind)}`);
  }
  if (!(SUPPORTED_SNAPSHOT_VERSIONS as readonly unknown[]).includes(v.version)) {
    throw new StateVersionError('snapshot.version', v.version, SUPPORTED_SNAPSHOT_VERSIONS);
  }
  return parseAt(schema, value, 'snapshot', 'store');
}
