/**
 * One HTTP exchange with a BMC over undici: TLS settings, the per-request deadline, and the
 * mapping of low-level failures to `RedfishConnectionError`. No auth, retries or Redfish logic.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Agent, request, type Dispatcher } from 'undici';
import { RedfishClientError, RedfishConnectionError, type ConnectionErrorKind } from './errors.ts';

export interface HttpResponse {
  status: number;
  /** Header names lower-cased; repeated headers joined with ", ". */
  headers: Record<string, string>;
  /** Parsed JSON when the body is JSON, else undefined. */
  body: unknown;
  /** Raw body text (empty string when there is no body). */
  text: string;
  url: string;
}

export interface HttpRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: unknown;
  timeoutMs: number;
}

/**
 * Loads the CA bundle for `verifyCa`: a PEM file, or a directory of PEM files (as `requests`
 * accepts for Ironic's `redfish_verify_ca`). Throws a clear error when unreadable.
 */
export function loadCa(path: string): string[] {
  let st;
  try { st = statSync(path); } catch (e) {
    // A configuration problem, not a connection one: plain non-retryable client error.
    throw new RedfishClientError(`CA bundle ${path} (verifyCa) cannot be read: ${(e as Error).message}`, { cause: e });
  }
  if (!st.isDirectory()) return [readFileSync(path, 'utf8')];
  return readdirSync(path)
    .filter((f) => /\.(pem|crt|cer)$/i.test(f))
    .map((f) => readFileSync(join(path, f), 'utf8'));
}

/**
 * Builds the dispatcher. `verifyCa`: true = system CAs, false = no verification (self-signed
 * BMCs, as Ironic's verify_ca=False), string = CA bundle path.
 * `keepAlive=false` (default, as sushy does) closes the connection after each exchange because
 * many BMCs mishandle long-lived connections.
 */
export function createAgent(opts: { verifyCa: boolean | string; timeoutMs: number }): Agent {
  const connect: Record<string, unknown> = { timeout: opts.timeoutMs };
  if (opts.verifyCa === false) connect['rejectUnauthorized'] = false;
  else if (typeof opts.verifyCa === 'string') {
    connect['rejectUnauthorized'] = true;
    connect['ca'] = loadCa(opts.verifyCa);
  } else connect['rejectUnauthorized'] = true;
  // Header/body deadlines are enforced per request by `exchange` (so a per-request timeout can
  // exceed the client default); undici's own ones are disabled to avoid a second, shorter clock.
  return new Agent({ connect, headersTimeout: 0, bodyTimeout: 0 });
}

const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID', 'ERR_TLS_CERT_ALTNAME_INVALID', 'CERT_UNTRUSTED', 'CERT_REJECTED',
  'ERR_SSL_WRONG_VERSION_NUMBER', 'HOSTNAME_MISMATCH',
]);

const TIMEOUT_CODES = new Set([
  'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT',
]);

/** Failures that happen before any byte of the request could reach the BMC. */
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT',
]);

function errCode(e: unknown): string | undefined {
  // undici wraps socket errors; the TLS/OS code may sit on the error or on its cause.
  for (let cur = e, i = 0; cur && i < 4; cur = (cur as { cause?: unknown }).cause, i++) {
    const c = (cur as { code?: unknown }).code;
    if (typeof c === 'string' && c !== 'UND_ERR_SOCKET') return c;
  }
  return undefined;
}

/** Maps a thrown transport error to a typed, operator-readable `RedfishConnectionError`. */
export function toConnectionError(e: unknown, req: { method: string; url: string; timeoutMs: number },
  timedOut: boolean): RedfishConnectionError {
  const code = errCode(e);
  const msg = e instanceof Error ? e.message : String(e);
  let kind: ConnectionErrorKind = 'connect';
  let detail = code ? `${msg} (${code})` : msg;
  if (timedOut || (code && TIMEOUT_CODES.has(code))) {
    kind = 'timeout';
    detail = `no answer from the BMC within ${req.timeoutMs} ms`;
  } else if (code && (TLS_CODES.has(code) || code.startsWith('ERR_TLS') || code.startsWith('ERR_SSL'))) {
    kind = 'tls';
    detail = `${msg} (${code}). Set verifyCa to the path of the CA bundle that signed the BMC ` +
      'certificate, or to false to skip verification (insecure).';
  } else if (code === 'UND_ERR_DESTROYED' || code === 'UND_ERR_CLOSED') {
    kind = 'closed';
    detail = 'the Redfish client was closed';
  } else if (code === 'ECONNREFUSED') {
    detail = `connection refused; check the BMC address and port (${msg})`;
  } else if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    detail = `host name cannot be resolved (${msg})`;
  }
  const notSent = code !== undefined && NOT_SENT_CODES.has(code);
  return new RedfishConnectionError({ method: req.method, url: req.url, kind, detail, cause: e, notSent });
}

function flattenHeaders(h: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) {
    if (v === undefined) continue;
    out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

/**
 * Sends one request and reads the whole body within `timeoutMs` (connect + headers + body).
 * Never throws for HTTP statuses; throws `RedfishConnectionError` for everything else.
 */
export async function exchange(dispatcher: Dispatcher, req: HttpRequest, keepAlive: boolean): Promise<HttpResponse> {
  const ac = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => { timedOut = true; ac.abort(); }, req.timeoutMs);
  try {
    const payload = req.body === undefined ? undefined : JSON.stringify(req.body);
    const res = await request(req.url, {
      dispatcher,
      method: req.method as Dispatcher.HttpMethod,
      headers: req.headers,
      body: payload,
      signal: ac.signal,
      reset: !keepAlive,
    });
    const text = await res.body.text();
    const headers = flattenHeaders(res.headers as Record<string, string | string[] | undefined>);
    let body: unknown;
    if (text.trim() !== '') {
      // Parse regardless of Content-Type: several BMCs label JSON as text/html or omit the type.
      try { body = JSON.parse(text); } catch { body = undefined; }
    }
    return { status: res.statusCode, headers, body, text, url: req.url };
  } catch (e) {
    throw toConnectionError(e, req, timedOut);
  } finally {
    clearTimeout(timer);
  }
}
