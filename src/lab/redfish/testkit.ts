/**
 * Test helpers for the lab BMC: a tiny Redfish HTTP client over undici (real sockets, TLS
 * without verification) and a lab fixture. Only imported by `*.test.ts` files.
 *
 * @module
 */
import { Agent, request } from 'undici';
import { startRedfishLab, type RedfishLab, type RedfishLabOptions } from './lab.ts';

export interface Answer {
  status: number;
  headers: Record<string, string>;
  /** Parsed JSON body, or undefined when there is none. */
  body: any;
}

export interface CallOptions {
  /** `basic` (default: admin/password), `none`, a session token, or explicit headers. */
  auth?: 'basic' | 'none' | { token: string } | { user: string; password: string };
  headers?: Record<string, string>;
  body?: unknown;
  /** Raw request body (sent as-is, e.g. malformed JSON). */
  raw?: string;
  signal?: AbortSignal;
}

const insecure = new Agent({ connect: { rejectUnauthorized: false } });

/** One HTTP call against a lab; never throws for HTTP errors. */
export async function call(lab: RedfishLab | string, method: string, path: string, o: CallOptions = {}): Promise<Answer> {
  const base = typeof lab === 'string' ? lab : lab.url;
  const headers: Record<string, string> = { ...(o.headers ?? {}) };
  const auth = o.auth ?? 'basic';
  if (auth === 'basic') headers.authorization = `Basic ${Buffer.from('admin:password').toString('base64')}`;
  else if (typeof auth === 'object' && 'token' in auth) headers['x-auth-token'] = auth.token;
  else if (typeof auth === 'object') headers.authorization = `Basic ${Buffer.from(`${auth.user}:${auth.password}`).toString('base64')}`;
  let payload: string | undefined = o.raw;
  if (o.body !== undefined) payload = JSON.stringify(o.body);
  if (payload !== undefined) headers['content-type'] = 'application/json';
  const res = await request(base + path, { method: method as 'GET', headers, body: payload, dispatcher: insecure, signal: o.signal });
  const text = await res.body.text();
  const flat: Record<string, string> = {};
  for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) flat[k] = Array.isArray(v) ? v.join(', ') : String(v);
  return { status: res.statusCode, headers: flat, body: text ? JSON.parse(text) : undefined };
}

/** Shorthands bound to one lab. */
export function client(lab: RedfishLab | string, defaults: CallOptions = {}) {
  const go = (method: string) => (path: string, o: CallOptions = {}) => call(lab, method, path, { ...defaults, ...o });
  return { get: go('GET'), post: go('POST'), patch: go('PATCH'), delete: go('DELETE'), put: go('PUT') };
}

/** Starts a lab for one test and registers its shutdown. */
export async function withLab(t: { after(fn: () => unknown): void }, opts: Partial<RedfishLabOptions> = {}): Promise<RedfishLab> {
  const lab = await startRedfishLab({ machines: 2, taskDelayMs: 50, ...opts });
  t.after(() => lab.close());
  return lab;
}

/** Message ids (without the registry version) of an error body's ExtendedInfo. */
export function messageIds(body: any): string[] {
  return (body?.error?.['@Message.ExtendedInfo'] ?? []).map((m: { MessageId: string }) => m.MessageId.split('.').pop());
}

/** Polls until `fn` returns a truthy value (default 2 s). */
export async function until<T>(fn: () => Promise<T | null | undefined | false> | T | null | undefined | false, timeoutMs = 2000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error('until: timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}
