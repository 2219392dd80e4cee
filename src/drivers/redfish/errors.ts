/**
 * Turning Redfish client failures into errors an operator can act on.
 *
 * Contract: `toIngotError` returns an `IngotError` whose message reads
 * "<what> failed for node <uuid>: Redfish BMC at <address>: <problem> — <what to check>",
 * where <problem> is the BMC's own @Message.ExtendedInfo text when it sent one.
 * - transport problems (refused, DNS, reset, timeout) and HTTP 5xx/429 are retryable
 *   `DriverError`s; TLS, credential (401/403) and other 4xx problems are not, except a
 *   session the BMC dropped right after a successful re-login (retryable, and the message
 *   says the credentials are fine);
 * - a value the BMC does not allow (`RedfishInvalidValueError`) is an `InvalidError`
 *   (the request cannot work on this hardware);
 * - `IngotError`s pass through unchanged (they are already ours).
 */
import { DriverError, IngotError, InvalidError, messageOf } from '../../core/errors.ts';
import {
  RedfishConnectionError, RedfishError, RedfishInvalidValueError, RedfishProtocolError, RedfishTaskError,
} from './client/index.ts';

export interface ErrorScope {
  /** What was attempted, e.g. "Setting power state to power on". */
  what: string;
  nodeUuid: string;
  /** The BMC address (scheme://authority). */
  address: string;
}

/** Path (and query) of a URL, for shorter messages; the URL itself when it does not parse. */
function pathOf(url: string): string {
  try { const u = new URL(url); return `${u.pathname}${u.search}`; } catch { return url; }
}

function connectionProblem(e: RedfishConnectionError): { problem: string; hint: string } {
  const m = e.message;
  const target = `${e.method} ${pathOf(e.url)}`;
  switch (e.kind) {
    case 'timeout':
      return { problem: `no answer to ${target} in time (${m.replace(/^.*?timed out: /, '')})`, hint: 'the BMC may be overloaded or hung; retry later or reset the BMC' };
    case 'tls':
      return { problem: `TLS verification failed (${m.replace(/^.*?failed TLS verification: /, '')})`, hint: 'set redfish_verify_ca to the CA bundle that signed the BMC certificate, or to false' };
    case 'closed':
      return { problem: 'the Redfish connections were closed (Ingot is shutting down)', hint: 'retry the operation' };
    default: {
      const problem = /ECONNREFUSED|refused/i.test(m) ? 'connection refused'
        : /ENOTFOUND|EAI_AGAIN|cannot be resolved/i.test(m) ? 'host name cannot be resolved'
          : /ECONNRESET|socket hang up|other side closed/i.test(m) ? `connection reset during ${target}`
            : m.replace(/^Redfish \S+ \S+ failed: /, '');
      return { problem, hint: 'check redfish_address and that the BMC is reachable' };
    }
  }
}

function httpProblem(e: RedfishError): { problem: string; hint: string | undefined } {
  const target = `${e.method} ${pathOf(e.url)}`;
  const said = e.messages.length > 0 ? e.messages.join('; ') : `no details given (${e.code})`;
  const resolution = e.extendedInfo.find((m) => m.resolution)?.resolution;
  const extra = resolution && !said.includes(resolution) ? ` Resolution: ${resolution}` : '';
  if (e.auth === 'login-refused') {
    return { problem: `the BMC refused the login as "${e.username ?? ''}" (HTTP ${e.status} to ${target})`, hint: 'check redfish_username and redfish_password' };
  }
  if (e.auth === 'session-dropped') {
    return {
      problem: `the BMC dropped the session: ${target} was refused (HTTP ${e.status}) right after a successful re-login as "${e.username ?? ''}"`,
      hint: 'the BMC may be out of session slots or resetting; retry the operation, and reset the BMC if this persists',
    };
  }
  if (e.status === 401) {
    return { problem: `the credentials were rejected (HTTP 401 to ${target})`, hint: 'check redfish_username and redfish_password' };
  }
  if (e.status === 403) {
    return { problem: `${target} was refused (HTTP 403): ${said}${extra}`, hint: 'check that redfish_username has administrator privileges' };
  }
  if (e.status === 404) {
    return { problem: `${target} found nothing (HTTP 404): ${said}${extra}`, hint: 'check redfish_system_id and that the BMC firmware supports this feature' };
  }
  return { problem: `${target} failed with HTTP ${e.status}: ${said}${extra}`, hint: e.status >= 500 ? 'the BMC reported an internal problem; retry later' : undefined };
}

/** Map any thrown value to an IngotError (see the module contract). */
export function toIngotError(err: unknown, scope: ErrorScope): IngotError {
  if (err instanceof IngotError) return err;
  const head = `${scope.what} failed for node ${scope.nodeUuid}: Redfish BMC at ${scope.address}`;
  const dash = (hint: string | undefined): string => (hint ? ` — ${hint}` : '');
  if (err instanceof RedfishConnectionError) {
    const { problem, hint } = connectionProblem(err);
    return new DriverError(`${head}: ${problem}${dash(hint)}`, { reason: `redfish_${err.kind}`, retryable: err.retryable, cause: err });
  }
  if (err instanceof RedfishError) {
    const { problem, hint } = httpProblem(err);
    return new DriverError(`${head}: ${problem}${dash(hint)}`, { reason: `redfish_http_${err.status}`, retryable: err.retryable, cause: err });
  }
  if (err instanceof RedfishInvalidValueError) {
    return new InvalidError(`${head} does not support it: ${err.message}`);
  }
  if (err instanceof RedfishTaskError) {
    return new DriverError(`${head}: ${err.message}`, { reason: err.timedOut ? 'redfish_task_timeout' : 'redfish_task_failed', retryable: err.retryable, cause: err });
  }
  if (err instanceof RedfishProtocolError) {
    const hint = /^No system|systems \(|lists no systems/.test(err.message) ? ' — check redfish_system_id' : '';
    return new DriverError(`${head}: ${err.message}${hint}`, { reason: 'redfish_protocol', retryable: err.retryable, cause: err });
  }
  return new DriverError(`${head}: ${messageOf(err)}`, { reason: 'redfish_unexpected', cause: err });
}

/**
 * Whether a cached client should no longer be handed out after this failure: a connection
 * failure (refused, reset, TLS), as Ironic's SessionCache does. Not a timeout (a hung machine
 * behind a shared BMC address must not cost the others their session), and not a 401/403:
 * the client already re-logged in once and discarded the refused session itself, so other
 * machines' requests on the same client keep going.
 */
export function poisonsClient(err: unknown): boolean {
  return err instanceof RedfishConnectionError && err.kind !== 'timeout' && err.kind !== 'closed';
}
