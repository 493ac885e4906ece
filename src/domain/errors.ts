/**
 * One error model for the core: a stable code, a message for people, and where it applies.
 * The HTTP layer maps codes to status codes; jobs use `retryable` (see src/jobs).
 */
export type DomainErrorCode =
  | 'validation_failed'
  | 'not_found'
  | 'conflict'
  | 'version_conflict'
  | 'unauthorized'
  | 'forbidden'
  /** Something printsync relies on (an ERP's calculator) cannot answer now; asking later may work. */
  | 'unavailable';

export interface FieldProblem {
  /** Where the problem is, e.g. `body.phones[1]` or `items[0].quantity`. */
  path: string;
  message: string;
}

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly details: FieldProblem[] = [],
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export function notFound(what: string, id: number | string): DomainError {
  return new DomainError('not_found', `${what} ${id} not found`);
}

export function invalidField(path: string, message: string): DomainError {
  return new DomainError('validation_failed', `${path}: ${message}`, [{ path, message }]);
}

export function versionConflict(what: string, id: number, expected: number, actual: number): DomainError {
  return new DomainError(
    'version_conflict',
    `${what} ${id} was changed by someone else (your version ${expected}, current ${actual}); reload it and apply your change again`,
  );
}

/** Optimistic concurrency: a caller that names the version it read may only change that version. */
export function assertVersion(what: string, id: number, expected: number | undefined, actual: number): void {
  if (expected !== undefined && expected !== actual) throw versionConflict(what, id, expected, actual);
}
