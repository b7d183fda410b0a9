/** Errors the API maps to HTTP statuses; each carries details a client can act on. */

export interface EventError {
  /** Index of the event in the submitted batch (0-based; NDJSON line = index + 1). */
  index: number;
  id?: string;
  /** Path of the offending field inside the event, e.g. `data.amount`; empty for the whole event. */
  path: string;
  reason: string;
}

/** 400: the request or some event in it is invalid; nothing was stored. */
export class InvalidInputError extends Error {
  readonly status = 400;
  constructor(
    message: string,
    readonly errors: EventError[],
  ) {
    super(message);
    this.name = 'InvalidInputError';
  }
}

/** 409: an expectedVersion did not match, or an id was reused with different content; nothing was stored. */
export class ConflictError extends Error {
  readonly status = 409;
  constructor(
    message: string,
    readonly errors: EventError[],
  ) {
    super(message);
    this.name = 'ConflictError';
  }
}

/** 413: the request is larger than the configured limits. */
export class PayloadTooLargeError extends Error {
  readonly status = 413;
  /** `path`: the bound that was passed (an import limit's name), or '' for the whole body. */
  constructor(
    message: string,
    readonly path = '',
  ) {
    super(message);
    this.name = 'PayloadTooLargeError';
  }
}

/** 401 (no valid credentials) or 403 (credentials that may not do this); nothing was done. */
export class AccessDeniedError extends Error {
  constructor(
    readonly status: 401 | 403,
    message: string,
  ) {
    super(message);
    this.name = 'AccessDeniedError';
  }
}

/** 404 */
export class NotFoundError extends Error {
  readonly status = 404;
  constructor(message: string) {
    super(message);
    this.name = 'NotFoundError';
  }
}

/**
 * 503: a dependency (database, queue) is unavailable and the request may be retried as is, or a
 * feature is not available on this installation (`retryable` false: retrying will not help).
 */
export class UnavailableError extends Error {
  readonly status = 503;
  constructor(
    message: string,
    readonly retryable = true,
  ) {
    super(message);
    this.name = 'UnavailableError';
  }
}

export function summarize(errors: EventError[], limit = 3): string {
  const shown = errors
    .slice(0, limit)
    .map((e) => `event ${e.index}${e.path ? ` ${e.path}` : ''}: ${e.reason}`)
    .join('; ');
  return errors.length > limit ? `${shown}; and ${errors.length - limit} more` : shown;
}

/**
 * The 404 of every view of a department-year whose YearOpened is not in the log, or was recorded
 * after the "as known on" date asked: execution, quarters, curve, notices and evaluation alike.
 */
export function yearNotOpened(department: string, year: number, knownOn?: string | null): NotFoundError {
  const when = knownOn ? ` as known on ${knownOn} (its YearOpened was recorded later)` : '';
  return new NotFoundError(`no opened year ${year} for department "${department}"${when}: ingest its YearOpened first`);
}
