/**
 * A REST failure as the portal reports it: `{error, error_description}` with an HTTP status.
 * The code may be empty: the old `crm.*` methods throw without one (HTTP 400).
 */
export class RestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly description: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(description || code);
  }

  toBody(): Record<string, unknown> {
    return { error: this.code, error_description: this.description, ...this.extra };
  }
}

/** Old `crm.*` methods: HTTP 400 with an empty code. */
export function legacyError(description: string): RestError {
  return new RestError(400, '', description);
}

export const errors = {
  notFound: () => legacyError('Not found'),
  invalidId: () => legacyError('ID is not defined or invalid.'),
  fieldsNotArray: () => legacyError("Parameter 'fields' must be array."),
  methodNotFound: () => new RestError(404, 'ERROR_METHOD_NOT_FOUND', 'Method not found!'),
  core: (description: string) => new RestError(400, 'ERROR_CORE', description),
  argument: (description: string, argument: string) =>
    new RestError(400, 'ERROR_ARGUMENT', description, { argument }),
  itemNotFound: () => new RestError(400, 'NOT_FOUND', 'Element not found'),
  invalidArg: (description: string) => new RestError(400, 'INVALID_ARG_VALUE', description),
  internal: () => new RestError(500, 'INTERNAL_SERVER_ERROR', 'Internal server error'),
};
