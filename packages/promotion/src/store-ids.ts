import path from 'node:path';
import { InvalidArgumentError } from '@retain/core';

// Ids become SQL keys and may become file names in a later export: a strict charset keeps them
// from ever naming a path outside the store (`../`, `/abs`, `C:\`, NUL).
const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Throws `InvalidArgumentError(field)` unless `id` is a safe store id (letters, digits, `._-`, no `..`). */
export function assertStoreId(id: unknown, field: string): string {
  if (typeof id !== 'string' || !ID_PATTERN.test(id) || id.includes('..')) {
    throw new InvalidArgumentError(
      field,
      `must be 1-128 characters of [A-Za-z0-9._-], start alphanumeric and contain no "..", got ${JSON.stringify(id)}`,
    );
  }
  return id;
}

/**
 * Resolve `relative` inside the store directory `dir`; absolute paths, drive letters, NUL bytes and
 * anything that climbs out of `dir` are rejected with `InvalidArgumentError(field)`.
 */
export function resolveInsideStore(dir: string, relative: unknown, field: string): string {
  if (typeof relative !== 'string' || relative.length === 0 || relative.includes('\0')) {
    throw new InvalidArgumentError(field, `must be a non-empty relative path, got ${JSON.stringify(relative)}`);
  }
  if (path.isAbsolute(relative) || path.win32.isAbsolute(relative) || /^[A-Za-z]:/.test(relative)) {
    throw new InvalidArgumentError(field, `must be relative to the store, got absolute path ${JSON.stringify(relative)}`);
  }
  const root = path.resolve(dir);
  const resolved = path.resolve(root, relative.replaceAll('\\', '/'));
  const rel = path.relative(root, resolved);
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) {
    throw new InvalidArgumentError(field, `escapes the store directory: ${JSON.stringify(relative)}`);
  }
  return resolved;
}
