/**
 * One HTTP(S) request to an agent, with the TLS verification Ironic's AgentClient uses
 * (_get_verify): the agent's own certificate when it sent one (auto-TLS: the conductor
 * stored it and driver_internal_info.agent_verify_ca holds its path), else
 * driver_info.agent_verify_ca (a boolean or a CA file path), else verify with the system CAs.
 */
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import type { Node } from '../../core/node.ts';

export interface HttpAnswer { status: number; text: string }

export class RequestTimeout extends Error {
  constructor() { super('the agent did not answer within the command timeout ([agent] command_timeout)'); this.name = 'TimeoutError'; }
}

function tlsOptions(node: Readonly<Node>): Pick<RequestOptions, 'ca' | 'rejectUnauthorized'> {
  const own = node.driver_internal_info.agent_verify_ca;
  const v = typeof own === 'string' && own ? own : node.driver_info.agent_verify_ca;
  if (v === undefined || v === null) return {};
  const s = String(v).toLowerCase();
  if (['false', '0', 'no', 'off', 'f', 'n'].includes(s)) return { rejectUnauthorized: false };
  if (['true', '1', 'yes', 'on', 't', 'y'].includes(s)) return {};
  return { ca: readFileSync(String(v)) };
}

export function agentRequest(node: Readonly<Node>, url: string, opts: { method: string; body?: string; timeoutMs: number; signal?: AbortSignal }): Promise<HttpAnswer> {
  const u = new URL(url);
  const https = u.protocol === 'https:';
  const headers: Record<string, string | number> = { 'Content-Type': 'application/json', Accept: 'application/json' };
  if (opts.body !== undefined) headers['Content-Length'] = Buffer.byteLength(opts.body);
  return new Promise((resolve, reject) => {
    const req = (https ? httpsRequest : httpRequest)(u, {
      method: opts.method, headers, ...(https ? tlsOptions(node) : {}), ...(opts.signal ? { signal: opts.signal } : {}),
    }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { text += c; });
      res.on('end', () => { clearTimeout(timer); resolve({ status: res.statusCode ?? 0, text }); });
      res.on('error', (err) => { clearTimeout(timer); reject(err); });
    });
    const timer = setTimeout(() => req.destroy(new RequestTimeout()), opts.timeoutMs);
    req.on('error', (err) => { clearTimeout(timer); reject(err); });
    req.end(opts.body);
  });
}
