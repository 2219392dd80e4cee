/**
 * The agent's client of the Ironic API, as IPA 9.4.3's ironic_api_client:
 * `GET /` to learn the maximum microversion (no version header; 1.31 assumed when it
 * fails), `GET /v1/lookup?addresses=<macs>` with min(max, 1.62), and
 * `POST /v1/heartbeat/{uuid}` with min(max, 1.68) carrying callback_url, agent_token,
 * agent_version (and agent_verify_ca when serving TLS). Every request sends
 * `Content-Type` and `Accept: application/json`.
 *
 * `ipa-api-url` may be a comma list: the URLs are tried in order and the one that
 * answered is tried first next time.
 */
import { Agent, request, type Dispatcher } from 'undici';

export const MIN_IRONIC_VERSION: [number, number] = [1, 31];
const LOOKUP_VERSION: [number, number] = [1, 62];
const HEARTBEAT_VERSION: [number, number] = [1, 68];
const AGENT_VERIFY_CA_VERSION: [number, number] = [1, 68];

export class IronicApiError extends Error {
  constructor(message: string, readonly status: number | null, readonly retryable: boolean) { super(message); }
}

export interface LookupResult { node: Record<string, unknown> & { uuid: string }; config: Record<string, unknown> }

export interface HeartbeatArgs {
  uuid: string;
  callbackUrl: string;
  token: string | null;
  agentVersion: string;
  verifyCa?: string | null;
}

const cmp = (a: [number, number], b: [number, number]) => a[0] - b[0] || a[1] - b[1];
const minV = (a: [number, number], b: [number, number]) => (cmp(a, b) <= 0 ? a : b);
const fmt = (v: [number, number]) => `${v[0]}.${v[1]}`;

/** The faultstring of an Ironic error body (`error_message` may be a JSON string). */
export function ironicFault(text: string): string {
  try {
    const body = JSON.parse(text) as { error_message?: unknown };
    let em = body.error_message;
    if (typeof em === 'string') { try { em = JSON.parse(em); } catch { return em as string; } }
    const f = em as { faultstring?: string; title?: string } | undefined;
    return f?.faultstring ?? f?.title ?? text;
  } catch { return text; }
}

export class IronicClient {
  private urls: string[];
  private maxVersion: [number, number] | null = null;
  private readonly dispatcher: Dispatcher;

  constructor(apiUrls: string[], timeoutSeconds = 30) {
    if (apiUrls.length === 0) throw new Error('no Ironic API URL: pass --api-url or boot with ipa-api-url=');
    this.urls = apiUrls.map((u) => u.replace(/\/+$/, ''));
    this.dispatcher = new Agent({ headersTimeout: timeoutSeconds * 1000, bodyTimeout: timeoutSeconds * 1000, connectTimeout: timeoutSeconds * 1000 });
  }

  async close(): Promise<void> { await this.dispatcher.close(); }

  private async call(method: 'GET' | 'POST', path: string, version: [number, number] | null, body?: unknown): Promise<{ status: number; text: string }> {
    let lastErr: Error | null = null;
    for (const base of [...this.urls]) {
      try {
        const headers: Record<string, string> = { 'Content-Type': 'application/json', Accept: 'application/json' };
        if (version) headers['X-OpenStack-Ironic-API-Version'] = fmt(version);
        const res = await request(`${base}${path}`, {
          method, headers, dispatcher: this.dispatcher,
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
        const text = await res.body.text();
        // Remember the API URL that answered.
        this.urls = [base, ...this.urls.filter((u) => u !== base)];
        return { status: res.statusCode, text };
      } catch (err) {
        lastErr = err as Error;
      }
    }
    throw new IronicApiError(`Ironic API unreachable (${this.urls.join(', ')}): ${lastErr?.message ?? 'no URL'}`, null, true);
  }

  /** The API's maximum microversion from `GET /` (IPA: 1.31 when discovery fails). */
  async apiVersion(): Promise<[number, number]> {
    if (this.maxVersion) return this.maxVersion;
    try {
      const { status, text } = await this.call('GET', '/', null);
      const v = status === 200 ? (JSON.parse(text) as { default_version?: { version?: string } }).default_version?.version : undefined;
      const m = v ? /^(\d+)\.(\d+)$/.exec(v) : null;
      this.maxVersion = m ? [Number(m[1]), Number(m[2])] : MIN_IRONIC_VERSION;
    } catch {
      return MIN_IRONIC_VERSION;
    }
    return this.maxVersion;
  }

  /** One lookup; a failure says whether retrying may help. */
  async lookup(macs: string[], nodeUuid?: string | null): Promise<LookupResult> {
    const version = minV(await this.apiVersion(), LOOKUP_VERSION);
    const q = new URLSearchParams();
    if (macs.length) q.set('addresses', macs.join(','));
    if (nodeUuid) q.set('node_uuid', nodeUuid);
    const { status, text } = await this.call('GET', `/v1/lookup?${q.toString()}`, version);
    if (status !== 200) {
      throw new IronicApiError(`lookup failed with HTTP ${status}: ${ironicFault(text)}`, status, true);
    }
    let body: { node?: { uuid?: string }; config?: Record<string, unknown>; heartbeat_timeout?: number };
    try { body = JSON.parse(text); } catch { throw new IronicApiError(`lookup answer is not JSON: ${text.slice(0, 200)}`, status, true); }
    if (!body.node || typeof body.node.uuid !== 'string') throw new IronicApiError('lookup answer has no node.uuid', status, true);
    const config = { ...(body.config ?? {}) };
    // Old APIs put heartbeat_timeout at the top level.
    if (config.heartbeat_timeout === undefined && body.heartbeat_timeout !== undefined) config.heartbeat_timeout = body.heartbeat_timeout;
    return { node: body.node as LookupResult['node'], config };
  }

  async heartbeat(a: HeartbeatArgs): Promise<void> {
    const max = await this.apiVersion();
    const version = minV(max, HEARTBEAT_VERSION);
    const body: Record<string, unknown> = { callback_url: a.callbackUrl };
    if (cmp(version, [1, 62]) >= 0 && a.token) body.agent_token = a.token;
    if (cmp(version, [1, 36]) >= 0) body.agent_version = a.agentVersion;
    if (a.verifyCa && cmp(version, AGENT_VERIFY_CA_VERSION) >= 0) body.agent_verify_ca = a.verifyCa;
    const { status, text } = await this.call('POST', `/v1/heartbeat/${encodeURIComponent(a.uuid)}`, version, body);
    if (status === 202) return;
    throw new IronicApiError(
      status === 409 ? `heartbeat conflict (node locked): ${ironicFault(text)}` : `heartbeat failed with HTTP ${status}: ${ironicFault(text)}`,
      status, true);
  }
}
