/**
 * `RedfishClient`: the transport every resource helper uses (Ingot's counterpart of sushy's
 * Connector + auth). One instance per BMC; safe for concurrent use; close it when done
 * (`await using client = new RedfishClient(...)` or `await client.close()`), which logs the
 * Redfish session out so BMCs with few session slots do not run out.
 *
 * Contracts:
 * - `request` resolves for HTTP status < 400 and throws `RedfishError` otherwise; transport
 *   failures throw `RedfishConnectionError` (retryable).
 * - Retries (with exponential backoff, `Retry-After` honoured): a request that never reached the
 *   BMC, and 503/429, for every method; other connection failures and other 5xx only for
 *   idempotent methods (GET/HEAD/PUT/PATCH/DELETE) — a POSTed action that may have run is not
 *   repeated behind the caller's back.
 * - Credentials are only sent to the BMC's own origin (never to e.g. a registry PublicationUri).
 * - PATCH sends If-Match (the resource's ETag, fetched when not given) and retries once on 412.
 * - `wait` follows a 202 task monitor until the operation finished.
 */
import type { Dispatcher } from 'undici';
import { RedfishConnectionError, RedfishError, RedfishProtocolError, parseErrorBody } from './errors.ts';
import { createAgent, exchange, type HttpResponse } from './http.ts';
import { silentLogger, type RedfishLogger } from './log.ts';
import { isObject, str, type JsonObject } from './odata.ts';
import { AuthManager, CREDENTIALS_HINT, type AuthStamp, type AuthType } from './session.ts';
import { TaskMonitor, parseRetryAfter, type TaskPollResult, type TaskWaitOptions } from './tasks.ts';

export interface RedfishClientOptions {
  /**
   * BMC base URL, e.g. "https://10.0.0.5" or "http://127.0.0.1:8000"; no scheme means https
   * (as Ironic's redfish_address). Only scheme, host and port are used; see `rootPrefix`.
   */
  address: string;
  username?: string;
  password?: string;
  /** Default 'auto': try a Redfish session, fall back to HTTP Basic. */
  authType?: AuthType;
  /** true (default): verify against system CAs; false: no verification; string: CA bundle path. */
  verifyCa?: boolean | string;
  /** Deadline of one HTTP exchange (connect + headers + body). Default 60 000 ms. */
  timeoutMs?: number;
  /** Extra attempts after a retryable failure. Default 3. */
  retries?: number;
  /** First backoff delay; doubles per attempt. Default 500 ms. */
  retryDelayMs?: number;
  /** Upper bound of one backoff delay (also caps Retry-After). Default 10 000 ms. */
  maxRetryDelayMs?: number;
  /** Default '/redfish/v1/'. */
  rootPrefix?: string;
  /** Keep TCP connections open between requests. Default false (BMC-friendly). */
  keepAlive?: boolean;
  /** Defaults for waiting on 202 task monitors. */
  taskTimeoutMs?: number;
  taskPollMs?: number;
  logger?: RedfishLogger;
}

export interface RequestOptions {
  body?: unknown;
  headers?: Record<string, string>;
  /** Follow a 202 task monitor until done (true, or wait options). Default false. */
  wait?: boolean | TaskWaitOptions;
  timeoutMs?: number;
  retries?: number;
}

export interface PatchOptions extends RequestOptions {
  /** If-Match value. undefined: fetch the resource's current ETag first; false: send none. */
  etag?: string | false;
}

const IDEMPOTENT = new Set(['GET', 'HEAD', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

function normalizeAddress(address: string): URL {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(address) ? address : `https://${address}`;
  let u: URL;
  try { u = new URL(withScheme); } catch {
    throw new RedfishProtocolError(`Invalid Redfish address "${address}": expected e.g. https://host:port`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new RedfishProtocolError(`Invalid Redfish address "${address}": only http and https are supported`);
  }
  return u;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export class RedfishClient implements AsyncDisposable {
  readonly address: string;
  readonly origin: string;
  readonly rootPrefix: string;
  readonly log: RedfishLogger;
  private readonly opts: Required<Omit<RedfishClientOptions, 'username' | 'password' | 'logger' | 'authType' | 'verifyCa'>>;
  private readonly agent: Dispatcher & { destroy(): Promise<void> };
  private readonly auth: AuthManager;
  private rootCache: Promise<JsonObject> | undefined;
  private closed = false;

  constructor(options: RedfishClientOptions) {
    const url = normalizeAddress(options.address);
    this.origin = url.origin;
    this.address = url.href.replace(/\/+$/, '');
    let prefix = options.rootPrefix ?? '/redfish/v1/';
    if (!prefix.startsWith('/')) prefix = `/${prefix}`;
    if (!prefix.endsWith('/')) prefix = `${prefix}/`;
    this.rootPrefix = prefix;
    this.log = options.logger ?? silentLogger;
    this.opts = {
      address: this.address,
      timeoutMs: options.timeoutMs ?? 60_000,
      retries: Math.max(0, options.retries ?? 3),
      retryDelayMs: options.retryDelayMs ?? 500,
      maxRetryDelayMs: options.maxRetryDelayMs ?? 10_000,
      rootPrefix: prefix,
      keepAlive: options.keepAlive ?? false,
      taskTimeoutMs: options.taskTimeoutMs ?? 600_000,
      taskPollMs: options.taskPollMs ?? 1000,
    };
    this.agent = createAgent({ verifyCa: options.verifyCa ?? true, timeoutMs: this.opts.timeoutMs });
    this.auth = new AuthManager({
      authType: options.authType ?? 'auto',
      username: options.username,
      password: options.password,
      rootPrefix: prefix,
      address: this.address,
      log: this.log,
      send: (method, path, o) => this.send(method, this.resolveUrl(path), { body: o?.body, headers: o?.headers ?? {} }),
    });
  }

  /** 'none' | 'basic' | 'session', or 'pending' before the first authenticated request. */
  get authScheme(): 'none' | 'basic' | 'session' | 'pending' { return this.auth.effectiveScheme; }
  /** URI of the open Redfish session, if any. */
  get sessionUri(): string | undefined { return this.auth.currentSessionUri; }

  /** Absolute URL for a path: absolute URLs kept, "/x" joined to the origin, "x" to rootPrefix. */
  resolveUrl(path: string): string {
    if (/^https?:\/\//i.test(path)) return path;
    if (path.startsWith('/')) return `${this.origin}${path}`;
    return `${this.origin}${this.rootPrefix}${path}`;
  }

  private sameOrigin(url: string): boolean {
    try { return new URL(url).origin === this.origin; } catch { return false; }
  }

  private backoff(attempt: number, res?: HttpResponse): number {
    const retryAfter = res ? parseRetryAfter(res.headers['retry-after']) : undefined;
    const base = retryAfter ?? this.opts.retryDelayMs * 2 ** attempt;
    return Math.min(base, this.opts.maxRetryDelayMs);
  }

  /** One logical exchange with retries; no auth handling, never throws for HTTP statuses. */
  private async send(method: string, url: string,
    o: { body?: unknown; headers: Record<string, string>; timeoutMs?: number; retries?: number }): Promise<HttpResponse> {
    if (this.closed) {
      throw new RedfishConnectionError({ method, url, kind: 'closed', detail: 'the Redfish client was closed' });
    }
    const headers: Record<string, string> = {
      accept: 'application/json',
      'odata-version': '4.0',
      // Compression makes some BMCs hand out weak ETags and mangle bodies; ask for identity.
      'accept-encoding': 'identity',
      'user-agent': 'ingot-redfish-client',
      ...(o.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...o.headers,
    };
    const retries = o.retries ?? this.opts.retries;
    const timeoutMs = o.timeoutMs ?? this.opts.timeoutMs;
    const idempotent = IDEMPOTENT.has(method);
    for (let attempt = 0; ; attempt++) {
      const started = Date.now();
      let res: HttpResponse;
      try {
        res = await exchange(this.agent, { method, url, headers, body: o.body, timeoutMs }, this.opts.keepAlive);
      } catch (e) {
        const retry = e instanceof RedfishConnectionError && e.retryable && attempt < retries
          && (e.notSent || idempotent);
        this.log.debug({ method, url, err: (e as Error).message, attempt, retry }, 'Redfish request failed');
        if (!retry) throw e;
        await sleep(this.backoff(attempt));
        continue;
      }
      this.log.debug({ method, url, status: res.status, ms: Date.now() - started, attempt }, 'Redfish request');
      const retryStatus = res.status === 503 || res.status === 429 || (res.status >= 500 && idempotent);
      if (retryStatus && attempt < retries) {
        this.log.warn({ method, url, status: res.status, attempt }, 'Redfish BMC busy or failing; retrying');
        await sleep(this.backoff(attempt, res));
        continue;
      }
      return res;
    }
  }

  /** 401, or 403 carrying NoValidSession: the credentials/session were not accepted. */
  private static isAuthFailure(res: HttpResponse): boolean {
    if (res.status === 401) return true;
    if (res.status !== 403) return false;
    return parseErrorBody(res.body, res.text).extendedInfo.some((m) => /NoValidSession/i.test(m.messageId ?? ''));
  }

  /**
   * Sends an authenticated request. Resolves for status < 400 (after following a 202 task
   * monitor when `wait` is set); throws `RedfishError` for >= 400.
   */
  async request(method: string, path: string, opts: RequestOptions = {}): Promise<HttpResponse> {
    const url = this.resolveUrl(path);
    const authed = this.sameOrigin(url);
    let stamp: AuthStamp = authed ? await this.auth.stamp() : { headers: {} };
    const sendOnce = (s: AuthStamp): Promise<HttpResponse> => this.send(method, url, {
      body: opts.body, headers: { ...opts.headers, ...s.headers }, timeoutMs: opts.timeoutMs, retries: opts.retries,
    });
    let res = await sendOnce(stamp);
    let relogged = false;
    if (authed && RedfishClient.isAuthFailure(res) && await this.auth.onUnauthorized(stamp)) {
      stamp = await this.auth.stamp();
      res = await sendOnce(stamp);
      relogged = true;
    }
    if (res.status >= 400) {
      const base = { method, url, status: res.status, body: res.body, text: res.text };
      if (authed && RedfishClient.isAuthFailure(res)) {
        if (relogged && stamp.token !== undefined) {
          // The login just succeeded, so the credentials are fine: the BMC dropped the session.
          this.auth.forget(stamp);
          throw new RedfishError({
            ...base, auth: 'session-dropped', username: this.auth.username, retryable: true,
            hint: `The BMC refused the request right after a successful re-login as "${this.auth.username}": it dropped the new session (the credentials are valid).`,
          });
        }
        throw new RedfishError({
          ...base, auth: 'credentials-refused', username: this.auth.username,
          hint: res.status === 401 ? `Authentication failed (${this.auth.effectiveScheme} auth). ${CREDENTIALS_HINT}` : undefined,
        });
      }
      throw new RedfishError(base);
    }
    if (res.status === 202 && opts.wait) {
      const waitOpts = typeof opts.wait === 'object' ? opts.wait : {};
      const done = await this.waitForTask(res, waitOpts);
      return done.response;
    }
    return res;
  }

  /** GET returning the JSON object body; throws `RedfishProtocolError` when it is not one. */
  async get(path: string, opts: Omit<RequestOptions, 'body'> = {}): Promise<JsonObject> {
    const res = await this.request('GET', path, opts);
    if (!isObject(res.body)) {
      throw new RedfishProtocolError(`Redfish GET ${res.url} returned no JSON object (HTTP ${res.status})`, { url: res.url });
    }
    return res.body;
  }

  post(path: string, body?: unknown, opts: RequestOptions = {}): Promise<HttpResponse> {
    return this.request('POST', path, { ...opts, body });
  }

  delete(path: string, opts: RequestOptions = {}): Promise<HttpResponse> {
    return this.request('DELETE', path, opts);
  }

  /** Current ETag of a resource: the ETag header, else the body's `@odata.etag`. */
  async getEtag(path: string): Promise<string | undefined> {
    const res = await this.request('GET', path);
    return res.headers['etag'] ?? str(res.body, '@odata.etag');
  }

  /**
   * PATCH with optimistic concurrency. On 412 (tag stale, or in a form the BMC rejects) it
   * retries exactly once: with the fresh ETag, or — if the tag did not change — with the
   * strong form of a weak tag, or without If-Match.
   */
  async patch(path: string, body: unknown, opts: PatchOptions = {}): Promise<HttpResponse> {
    const { etag: given, ...rest } = opts;
    const etag = given === undefined ? await this.getEtag(path) : given || undefined;
    const withTag = (tag: string | undefined): RequestOptions => ({
      ...rest, body, headers: { ...rest.headers, ...(tag ? { 'if-match': tag } : {}) },
    });
    try {
      return await this.request('PATCH', path, withTag(etag));
    } catch (e) {
      if (!(e instanceof RedfishError) || e.status !== 412) throw e;
      const fresh = await this.getEtag(path);
      let retryTag = fresh;
      if (fresh === etag) retryTag = etag && etag.startsWith('W/') ? etag.slice(2) : undefined;
      this.log.warn({ url: e.url, sent: etag, retry: retryTag ?? null }, 'Redfish PATCH got 412; retrying once');
      return await this.request('PATCH', path, withTag(retryTag));
    }
  }

  /** Task monitor for a 202 response (Location header, else the Task body). */
  taskMonitor(accepted: HttpResponse): TaskMonitor {
    return TaskMonitor.fromAccepted(this, accepted);
  }

  /** Waits for a 202 response's (or a monitor URI's) operation to finish. */
  waitForTask(accepted: HttpResponse | string, opts: TaskWaitOptions = {}): Promise<TaskPollResult> {
    const mon = typeof accepted === 'string' ? new TaskMonitor(this, accepted) : this.taskMonitor(accepted);
    return mon.wait({ timeoutMs: opts.timeoutMs ?? this.opts.taskTimeoutMs, pollMs: opts.pollMs ?? this.opts.taskPollMs });
  }

  /** The service root (GET rootPrefix), cached for the client's life unless `refresh`. */
  serviceRoot(refresh = false): Promise<JsonObject> {
    if (refresh || !this.rootCache) {
      const p = this.get(this.rootPrefix);
      this.rootCache = p;
      p.catch(() => { if (this.rootCache === p) this.rootCache = undefined; });
    }
    return this.rootCache;
  }

  /** Logs out the session (best effort) and releases connections. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.auth.logout();
    this.closed = true;
    await this.agent.destroy().catch(() => undefined);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
