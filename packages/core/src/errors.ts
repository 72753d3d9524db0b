/** Stable error codes: callers branch on `code`, never on message text. */
export type RetainErrorCode =
  | 'E_INVALID_ARGUMENT'
  | 'E_INVALID_EXAMPLE'
  | 'E_INVALID_CONFIG'
  | 'E_SHAPE'
  | 'E_ALIASING'
  | 'E_STORE_CORRUPT'
  | 'E_STATE_VERSION'
  | 'E_NOT_FOUND'
  | 'E_LOCKED'
  | 'E_NATIVE_UNAVAILABLE';

/** Base class of every error retain throws on purpose. */
export class RetainError extends Error {
  readonly code: RetainErrorCode;
  /** The field (argument, config key, column) the error is about, when there is one. */
  readonly field: string | undefined;

  constructor(code: RetainErrorCode, message: string, options?: { field?: string; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.field = options?.field;
  }
}

/** A function argument is malformed (wrong type, out of range). */
export class InvalidArgumentError extends RetainError {
  constructor(field: string, message: string, cause?: unknown) {
    super('E_INVALID_ARGUMENT', `${field}: ${message}`, { field, cause });
  }
}

/** A training example was rejected; the learner's state is untouched. */
export class InvalidExampleError extends RetainError {
  constructor(field: string, message: string, cause?: unknown) {
    super('E_INVALID_EXAMPLE', `${field}: ${message}`, { field, cause });
  }
}

/** A configuration object failed validation. */
export class InvalidConfigError extends RetainError {
  constructor(field: string, message: string, cause?: unknown) {
    super('E_INVALID_CONFIG', `${field}: ${message}`, { field, cause });
  }
}

/** An array has the wrong length for the shapes given. */
export class ShapeError extends RetainError {
  readonly expected: number;
  readonly actual: number;
  constructor(field: string, expected: number, actual: number, detail = '') {
    super('E_SHAPE', `${field}: expected length ${expected}, got ${actual}${detail ? ` (${detail})` : ''}`, { field });
    this.expected = expected;
    this.actual = actual;
  }
}

/** Two arguments share memory where one is written: the result would be undefined. */
export class AliasingError extends RetainError {
  constructor(field: string, other: string) {
    super('E_ALIASING', `${field}: shares memory with ${other}; pass distinct buffers`, { field });
  }
}

/** Persisted data is unreadable, foreign or inconsistent. */
export class StoreCorruptError extends RetainError {
  constructor(what: string, message: string, cause?: unknown) {
    super('E_STORE_CORRUPT', `${what}: ${message}`, { field: what, cause });
  }
}

/** A snapshot or store was written by a format version this code cannot read. */
export class StateVersionError extends RetainError {
  constructor(what: string, found: unknown, supported: readonly number[]) {
    super('E_STATE_VERSION', `${what}: version ${String(found)} is not one of ${supported.join(', ')}`, {
      field: what,
    });
  }
}

/** A named thing (version, checkpoint, id) does not exist. */
export class NotFoundError extends RetainError {
  constructor(what: string, id: string) {
    super('E_NOT_FOUND', `${what} not found: ${id}`, { field: what });
  }
}

/** A resource is held by another process or call. */
export class LockedError extends RetainError {
  constructor(what: string, message: string) {
    super('E_LOCKED', `${what}: ${message}`, { field: what });
  }
}
