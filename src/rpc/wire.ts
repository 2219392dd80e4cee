/**
 * JSON-RPC 2.0 wire format of the conductor RPC (the body of one HTTP POST):
 *
 *   request  {"jsonrpc": "2.0", "id": N, "method": "<ConductorApi method>", "params": [args…]}
 *   answer   {"jsonrpc": "2.0", "id": N, "result": <value>}
 *        or  {"jsonrpc": "2.0", "id": N, "error": {"code", "message", "data"?}}
 *
 * Params are the method's positional arguments, so the shapes are exactly ConductorApi's.
 * Bytes (a vendor passthru `attach` result) travel as {"__bytes__": "<base64>"}.
 * A typed error travels as code -32000 with `data.class` = its IngotError code (and the
 * fields NodeLocked and driver errors carry), and is thrown again as the same type on
 * the calling side, so the API answers exactly as it would in one process.
 */
import { DriverError, IngotError, NodeLockedError, type ErrorCode } from '../core/errors.ts';

export const PARSE_ERROR = -32700;
export const INVALID_REQUEST = -32600;
export const METHOD_NOT_FOUND = -32601;
export const INTERNAL_ERROR = -32603;
/** Server-defined range: an IngotError raised by the conductor. */
export const TYPED_ERROR = -32000;

export interface RpcError { code: number; message: string; data?: Record<string, unknown> }

const BYTES = '__bytes__';

export function encode(value: unknown): string {
  return JSON.stringify(value, function (this: Record<string, unknown>, key, v) {
    const orig = this[key];
    return orig instanceof Uint8Array ? { [BYTES]: Buffer.from(orig).toString('base64') } : v;
  });
}

export function decode(text: string): unknown {
  return JSON.parse(text, (_k, v) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const keys = Object.keys(v);
      if (keys.length === 1 && keys[0] === BYTES && typeof v[BYTES] === 'string') return Buffer.from(v[BYTES], 'base64');
    }
    return v;
  });
}

const CODES: readonly ErrorCode[] = ['Invalid', 'InvalidState', 'NotFound', 'NotAcceptable', 'Conflict', 'NodeLocked',
  'Forbidden', 'MethodNotAllowed', 'Unavailable', 'DriverOperationError', 'Internal'];

export function errorToWire(err: unknown): RpcError {
  if (err instanceof IngotError) {
    const data: Record<string, unknown> = { class: err.code, retryable: err.retryable };
    if (err instanceof NodeLockedError) { data.node = err.node; data.host = err.host; }
    if (err instanceof DriverError) data.reason = err.reason;
    return { code: TYPED_ERROR, message: err.message, data };
  }
  return { code: INTERNAL_ERROR, message: err instanceof Error ? err.message : String(err) };
}

/** The error a call answered with, as the type the conductor threw. */
export function errorFromWire(e: RpcError): IngotError {
  const d = e.data ?? {};
  const cls = d.class as ErrorCode | undefined;
  if (e.code === TYPED_ERROR && cls && CODES.includes(cls)) {
    if (cls === 'NodeLocked' && typeof d.node === 'string' && typeof d.host === 'string') return new NodeLockedError(d.node, d.host);
    if (cls === 'DriverOperationError') return new DriverError(e.message, { reason: typeof d.reason === 'string' ? d.reason : undefined, retryable: d.retryable === true });
    return new IngotError(cls, e.message, { retryable: d.retryable === true });
  }
  return new IngotError('Internal', e.message);
}
