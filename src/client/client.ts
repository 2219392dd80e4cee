/**
 * Typed REST client for Ingot (and any Ironic-compatible endpoint), used by the CLI,
 * the demo and integration tests. Errors come back as `ApiError` with the server's
 * faultstring, so callers can show the operator exactly what the service said.
 */
import { request } from 'undici';

export class ApiError extends Error {
  constructor(readonly status: number, message: string, readonly body: unknown) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface ClientOptions {
  /** e.g. http://127.0.0.1:6385 */
  endpoint: string;
  /** Microversion to request (default 1.82). */
  version?: string;
  timeoutMs?: number;
}

function faultOf(status: number, text: string): string {
  try {
    const outer = JSON.parse(text) as { error_message?: string };
    if (outer.error_message) {
      try {
        const inner = JSON.parse(outer.error_message) as { faultstring?: string; description?: string };
        return inner.faultstring ?? inner.description ?? outer.error_message;
      } catch { return outer.error_message; }
    }
  } catch { /* not JSON */ }
  return text || `HTTP ${status}`;
}

export class IngotClient {
  private readonly base: string;
  constructor(private readonly opts: ClientOptions) {
    this.base = opts.endpoint.replace(/\/+$/, '');
  }

  /** One request; returns parsed JSON (or null for empty bodies). Throws ApiError on 4xx/5xx. */
  async call<T = any>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { 'x-openstack-ironic-api-version': this.opts.version ?? '1.82', accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await request(`${this.base}${path}`, {
      method: method as 'GET', headers, body: body === undefined ? undefined : JSON.stringify(body),
      headersTimeout: this.opts.timeoutMs ?? 60_000, bodyTimeout: this.opts.timeoutMs ?? 60_000,
    });
    const text = await res.body.text();
    if (res.statusCode >= 400) throw new ApiError(res.statusCode, faultOf(res.statusCode, text), text);
    return (text ? JSON.parse(text) : null) as T;
  }

  listNodes(query = ''): Promise<{ nodes: any[] }> { return this.call('GET', `/v1/nodes${query}`); }
  getNode(ident: string): Promise<any> { return this.call('GET', `/v1/nodes/${encodeURIComponent(ident)}`); }
  createNode(body: Record<string, unknown>): Promise<any> { return this.call('POST', '/v1/nodes', body); }
  patchNode(ident: string, ops: unknown[]): Promise<any> { return this.call('PATCH', `/v1/nodes/${encodeURIComponent(ident)}`, ops); }
  deleteNode(ident: string): Promise<void> { return this.call('DELETE', `/v1/nodes/${encodeURIComponent(ident)}`); }
  setProvisionState(ident: string, target: string, extra: Record<string, unknown> = {}): Promise<void> {
    return this.call('PUT', `/v1/nodes/${encodeURIComponent(ident)}/states/provision`, { target, ...extra });
  }
  setPowerState(ident: string, target: string): Promise<void> {
    return this.call('PUT', `/v1/nodes/${encodeURIComponent(ident)}/states/power`, { target });
  }
  setRaidConfig(ident: string, config: unknown): Promise<void> {
    return this.call('PUT', `/v1/nodes/${encodeURIComponent(ident)}/states/raid`, config);
  }
  listPorts(query = ''): Promise<{ ports: any[] }> { return this.call('GET', `/v1/ports${query}`); }

  /**
   * Poll until the node's provision_state is `state`. Fails fast on a `* failed`/`error`
   * state with the node's last_error; `onProgress` sees every change.
   */
  async waitForState(ident: string, state: string, opts: { timeoutMs?: number; intervalMs?: number; onProgress?: (n: any) => void } = {}): Promise<any> {
    const end = Date.now() + (opts.timeoutMs ?? 120_000);
    let last = '';
    for (;;) {
      const n = await this.getNode(ident);
      const key = `${n.provision_state}/${n.target_provision_state}`;
      if (key !== last) { last = key; opts.onProgress?.(n); }
      if (n.provision_state === state && !n.target_provision_state) return n;
      if (n.provision_state !== state && (/failed$/.test(n.provision_state) || n.provision_state === 'error')) {
        throw new ApiError(409, `node ${ident} went to "${n.provision_state}" instead of "${state}": ${n.last_error ?? 'no last_error'}`, n);
      }
      if (Date.now() > end) throw new ApiError(408, `timed out waiting for node ${ident} to reach "${state}" (it is "${n.provision_state}")`, n);
      await new Promise((r) => setTimeout(r, opts.intervalMs ?? 250));
    }
  }
}
