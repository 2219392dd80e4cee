/**
 * Typed domain errors. Each has a stable `code`; the HTTP status for each code lives in
 * one table in `api/errors.ts`, never on the class.
 *
 * `retryable` says whether the same request may succeed later without a change
 * (a locked node: yes; an invalid transition: no).
 */
export type ErrorCode =
  | 'Invalid'               // 400: bad input of any kind
  | 'InvalidState'          // 400: operation not allowed in the node's current state
  | 'NotFound'              // 404
  | 'NotAcceptable'         // 406: microversion problems
  | 'Conflict'              // 409: duplicates, updates during transitions
  | 'NodeLocked'            // 409: reservation held by someone else
  | 'Forbidden'             // 403
  | 'MethodNotAllowed'      // 405
  | 'Unavailable'           // 503: no conductor / worker
  | 'DriverOperationError'  // 500 from a driver when surfaced synchronously
  | 'Internal';             // 500

export class IngotError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  constructor(code: ErrorCode, message: string, opts: { retryable?: boolean; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = code;
    this.code = code;
    this.retryable = opts.retryable ?? false;
  }
}

export class InvalidError extends IngotError {
  constructor(message: string) { super('Invalid', message); }
}
export class InvalidStateError extends IngotError {
  constructor(message: string) { super('InvalidState', message); }
}
export class NotFoundError extends IngotError {
  constructor(message: string) { super('NotFound', message); }
}
export class NotAcceptableError extends IngotError {
  constructor(message: string) { super('NotAcceptable', message); }
}
export class ConflictError extends IngotError {
  constructor(message: string) { super('Conflict', message); }
}
export class NodeLockedError extends IngotError {
  readonly node: string;
  readonly host: string;
  constructor(node: string, host: string) {
    super('NodeLocked', `Node ${node} is locked by host ${host}, please retry after the current operation is completed.`, { retryable: true });
    this.node = node;
    this.host = host;
  }
}
export class ForbiddenError extends IngotError {
  constructor(message = 'Operation not permitted.') { super('Forbidden', message); }
}
export class UnavailableError extends IngotError {
  constructor(message: string) { super('Unavailable', message, { retryable: true }); }
}

/**
 * A driver failure: carries a machine-readable reason and whether retrying may help.
 * The conductor records `message` as the node's last_error.
 */
export class DriverError extends IngotError {
  readonly reason: string;
  constructor(message: string, opts: { reason?: string; retryable?: boolean; cause?: unknown } = {}) {
    super('DriverOperationError', message, { retryable: opts.retryable ?? false, cause: opts.cause });
    this.reason = opts.reason ?? 'driver_error';
  }
}

/** Best-effort human message of any thrown value. */
export function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
