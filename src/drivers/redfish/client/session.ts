/**
 * Authentication: HTTP Basic, Redfish sessions (SessionService), or "auto" (session first,
 * Basic when the BMC cannot create a session — what Ironic's redfish_auth_type=auto does).
 *
 * Contracts:
 * - Login is lazy (first authenticated request) and single-flight: concurrent requests share it.
 * - A 401 on a session-authenticated request triggers ONE transparent re-login (sessions expire
 *   or are dropped by BMC reboots); `onUnauthorized` tells the caller whether to resend. A
 *   refused login is a credentials problem (`login-refused`); a request refused again right
 *   after a good re-login means the BMC dropped the new session (`forget` discards it, so the
 *   next request logs in again) — never a reason to drop the HTTP client others share.
 * - Basic auth cannot recover from 401: that is an operator problem (credentials), reported
 *   as such.
 * - "auto" falls back to Basic only if no session was ever established; once sessions worked,
 *   a failing re-login is an error, not a silent downgrade.
 */
import { RedfishError, RedfishProtocolError, RedfishConnectionError } from './errors.ts';
import type { HttpResponse } from './http.ts';
import type { RedfishLogger } from './log.ts';
import { link, obj, pathOf } from './odata.ts';

export type AuthType = 'basic' | 'session' | 'auto';

/** Sends a request WITHOUT auth (with the client's retries); returns any HTTP status. */
export type UnauthenticatedSend = (method: string, path: string,
  opts?: { body?: unknown; headers?: Record<string, string> }) => Promise<HttpResponse>;

export interface AuthOptions {
  authType: AuthType;
  username?: string;
  password?: string;
  rootPrefix: string;
  address: string;
  log: RedfishLogger;
  send: UnauthenticatedSend;
}

/** Which credentials a request carried; passed back to `onUnauthorized`. */
export interface AuthStamp {
  headers: Record<string, string>;
  token?: string;
}

export const CREDENTIALS_HINT = 'Check the BMC username and password (redfish_username / redfish_password).';

export class AuthManager {
  private readonly opts: AuthOptions;
  /** Effective scheme; "auto" resolves to "session" or "basic" after the first login attempt. */
  private scheme: 'none' | 'basic' | 'session' | 'pending';
  private token: string | undefined;
  private sessionUri: string | undefined;
  private everLoggedIn = false;
  private loginInFlight: Promise<void> | undefined;

  constructor(opts: AuthOptions) {
    this.opts = opts;
    const hasCreds = opts.username !== undefined || opts.password !== undefined;
    this.scheme = !hasCreds ? 'none' : opts.authType === 'basic' ? 'basic' : 'pending';
  }

  /** Current scheme: 'pending' until the first session attempt has been made. */
  get effectiveScheme(): 'none' | 'basic' | 'session' | 'pending' { return this.scheme; }
  /** URI of the current Redfish session (to DELETE on logout), if any. */
  get currentSessionUri(): string | undefined { return this.sessionUri; }
  get hasSession(): boolean { return this.token !== undefined; }

  private basicHeader(): string {
    const raw = `${this.opts.username ?? ''}:${this.opts.password ?? ''}`;
    return `Basic ${Buffer.from(raw, 'utf8').toString('base64')}`;
  }

  /** Headers for the next authenticated request; logs in first when needed. */
  async stamp(): Promise<AuthStamp> {
    if (this.scheme === 'pending' || (this.scheme === 'session' && this.token === undefined)) {
      await this.login();
    }
    if (this.scheme === 'basic') return { headers: { authorization: this.basicHeader() } };
    if (this.scheme === 'session' && this.token !== undefined) {
      return { headers: { 'x-auth-token': this.token }, token: this.token };
    }
    return { headers: {} };
  }

  /**
   * Called after a 401 (or 403 NoValidSession). Returns true when the request should be resent
   * with a fresh `stamp()`; false when nothing can be done (Basic/no auth).
   */
  async onUnauthorized(used: AuthStamp): Promise<boolean> {
    if (this.scheme !== 'session') return false;
    if (this.token !== undefined && this.token !== used.token) return true; // someone re-logged already
    this.opts.log.warn({ address: this.opts.address }, 'Redfish session rejected (expired or dropped); logging in again');
    this.token = undefined;
    this.sessionUri = undefined;
    await this.login();
    return true;
  }

  /**
   * Forgets the session a request was refused with, right after a re-login: the BMC dropped
   * it, so the next request logs in afresh. Only the session is discarded (not the HTTP
   * client), and only if no other request has replaced it meanwhile. It is not DELETEd: the
   * BMC no longer honours it, and a DELETE could only disturb other requests still using it.
   */
  forget(used: AuthStamp): void {
    if (this.scheme !== 'session' || used.token === undefined || this.token !== used.token) return;
    this.opts.log.warn({ address: this.opts.address }, 'Redfish session refused right after a re-login; it will be re-created on next use');
    this.token = undefined;
    this.sessionUri = undefined;
  }

  get username(): string { return this.opts.username ?? ''; }

  private login(): Promise<void> {
    if (!this.loginInFlight) {
      this.loginInFlight = this.doLogin().finally(() => { this.loginInFlight = undefined; });
    }
    return this.loginInFlight;
  }

  private async doLogin(): Promise<void> {
    try {
      await this.createSession();
      this.scheme = 'session';
      this.everLoggedIn = true;
    } catch (e) {
      const fallback = this.opts.authType === 'auto' && !this.everLoggedIn
        && !(e instanceof RedfishConnectionError);
      if (!fallback) throw e;
      this.opts.log.warn({ address: this.opts.address, err: (e as Error).message },
        'Redfish session login failed; falling back to HTTP Basic authentication');
      this.scheme = 'basic';
    }
  }

  /** Sessions collection: ServiceRoot Links.Sessions, else SessionService.Sessions, else the DMTF default. */
  private async sessionsPath(): Promise<string> {
    const fallback = `${this.opts.rootPrefix}SessionService/Sessions`;
    const root = await this.opts.send('GET', this.opts.rootPrefix);
    if (root.status >= 400) return fallback;
    const fromLinks = link(obj(root.body, 'Links'), 'Sessions');
    if (fromLinks) return fromLinks;
    const svc = link(root.body, 'SessionService');
    if (svc) {
      const r = await this.opts.send('GET', svc);
      const s = r.status < 400 ? link(r.body, 'Sessions') : undefined;
      if (s) return s;
    }
    return fallback;
  }

  private async createSession(): Promise<void> {
    const path = await this.sessionsPath();
    const res = await this.opts.send('POST', path, {
      body: { UserName: this.opts.username ?? '', Password: this.opts.password ?? '' },
    });
    if (res.status >= 400) {
      const auth = res.status === 401 || res.status === 403;
      throw new RedfishError({
        method: 'POST', url: res.url, status: res.status, body: res.body, text: res.text,
        hint: auth ? `Session login as "${this.opts.username ?? ''}" was rejected. ${CREDENTIALS_HINT}` : undefined,
        ...(auth ? { auth: 'login-refused' as const, username: this.opts.username ?? '' } : {}),
      });
    }
    const token = res.headers['x-auth-token'];
    if (!token) {
      throw new RedfishProtocolError(
        `BMC at ${this.opts.address} answered the session login (POST ${path}) with HTTP ${res.status} but no X-Auth-Token header`,
        { url: res.url });
    }
    this.token = token;
    // Location is the session to DELETE on logout; some BMCs only give it in the body. Only its
    // path is kept: an absolute Location naming another host must not receive our token.
    const loc = res.headers['location'] ?? (res.body as { '@odata.id'?: string } | undefined)?.['@odata.id'];
    this.sessionUri = loc === undefined ? undefined : pathOf(loc);
    if (!this.sessionUri) this.opts.log.warn({ address: this.opts.address }, 'Redfish session has no URI; it cannot be closed');
    this.opts.log.debug({ address: this.opts.address, session: this.sessionUri }, 'Redfish session created');
  }

  /** Deletes the session on the BMC (best effort: failures are logged, never thrown). */
  async logout(): Promise<void> {
    if (this.loginInFlight) await this.loginInFlight.catch(() => undefined);
    const { token, sessionUri } = this;
    this.token = undefined;
    this.sessionUri = undefined;
    if (this.scheme === 'session') this.scheme = 'pending';
    if (!token || !sessionUri) return;
    try {
      const res = await this.opts.send('DELETE', sessionUri, { headers: { 'x-auth-token': token } });
      if (res.status >= 400 && res.status !== 404 && res.status !== 401) {
        this.opts.log.warn({ address: this.opts.address, status: res.status }, 'Redfish session logout failed');
      }
    } catch (e) {
      this.opts.log.warn({ address: this.opts.address, err: (e as Error).message }, 'Redfish session logout failed');
    }
  }
}
