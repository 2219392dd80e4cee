/**
 * The one place where errors become HTTP responses.
 *
 * Ironic's body: {"error_message": "<json string>"} where the inner JSON is
 * {"faultcode": "Client"|"Server", "faultstring": msg, "debuginfo": null}. Routing-level
 * errors (unknown path, resource below its version) use webob's inner form
 * {"code", "title", "description"} instead, and carry no version headers.
 */
import { IngotError, type ErrorCode } from '../core/errors.ts';

export const STATUS_BY_CODE: Readonly<Record<ErrorCode, number>> = {
  Invalid: 400,
  InvalidState: 400,
  NotFound: 404,
  NotAcceptable: 406,
  Conflict: 409,
  NodeLocked: 409,
  Forbidden: 403,
  MethodNotAllowed: 405,
  Unavailable: 503,
  DriverOperationError: 500,
  Internal: 500,
};

const TITLES: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed',
  406: 'Not Acceptable', 409: 'Conflict', 413: 'Request Entity Too Large', 415: 'Unsupported Media Type',
  500: 'Internal Server Error', 503: 'Service Unavailable',
};

/** Python's json.dumps spacing, so clients that compare strings see Ironic's bytes. */
function pyJson(obj: Record<string, unknown>): string {
  return '{' + Object.entries(obj).map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`).join(', ') + '}';
}

export function faultBody(status: number, message: string): string {
  const inner = pyJson({ faultcode: status >= 500 ? 'Server' : 'Client', faultstring: message, debuginfo: null });
  return pyJson({ error_message: inner });
}

export function webobBody(status: number, description = ''): string {
  const inner = pyJson({ code: status, title: TITLES[status] ?? 'Error', description });
  return pyJson({ error_message: inner });
}

/** Thrown by handlers for routing-style errors (webob body, no version headers). */
export class RoutingError extends Error {
  constructor(readonly status: number, readonly description = '') {
    super(description || TITLES[status] || 'Error');
  }
}

export function statusOf(err: IngotError): number {
  return STATUS_BY_CODE[err.code];
}
