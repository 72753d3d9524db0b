import { InvalidArgumentError } from '@retain/core';

/** Throws unless `x` is a finite number; the detector is left untouched. */
export function checkFinite(x: unknown, field = 'x'): number {
  if (typeof x !== 'number' || !Number.isFinite(x)) {
    throw new InvalidArgumentError(field, `must be a finite number, got ${describe(x)}`);
  }
  return x;
}

/** Throws unless `x` is 0, 1, false or true; returns 0 or 1. */
export function checkBinary(x: unknown, field = 'x'): 0 | 1 {
  if (x === 0 || x === 1) return x;
  if (x === true) return 1;
  if (x === false) return 0;
  throw new InvalidArgumentError(field, `a binary detector takes 0/1 (1 = error), got ${describe(x)}`);
}

function describe(x: unknown): string {
  if (typeof x === 'number') return String(x);
  if (typeof x === 'string') return JSON.stringify(x);
  return typeof x;
}
