/**
 * Replays scenarios against the peer and Ingot: every step goes to both servers at the
 * same time, values captured from each server's answer feed that server's later
 * requests (`${name}` in path, headers and body), and the answers are compared.
 */
import { Agent, request as httpRequest } from 'node:http';
import { Comparator, faultOf, parseBody, type Answer, type Diff } from './compare.ts';

export interface Step {
  /** Shown in reports and matched by the allow-list; defaults to "METHOD path @version". */
  label?: string;
  method?: string;
  /** Path with `${var}` placeholders. */
  path?: string;
  /** API version header; default '1.82'; null sends no header. */
  version?: string | null;
  /** JSON body (strings may hold `${var}`). */
  body?: unknown;
  /** Raw body text, sent as is (for malformed JSON). */
  raw?: string;
  headers?: Record<string, string>;
  /** var name → dotted path in the JSON answer (`nodes.0.uuid`) or `header:<name>`. */
  capture?: Record<string, string>;
  /** Poll this node (a `${var}` or ident) on both servers until it is stable, then compare it. */
  wait?: string;
  /** Poll `path` on both servers while the JSON field `field` is one of `while`, then compare. */
  poll?: { path: string; field: string; while: string[] };
  /** false: send and capture but do not compare (setup whose answers differ by design). */
  compare?: boolean;
}

export interface Scenario { name: string; steps: Step[] }

export interface StepResult {
  id: string;
  method: string;
  path: string;
  version: string | null;
  peer: Answer;
  ingot: Answer;
  diffs: Diff[];
}

type Vars = Record<string, string>;

/** States a node leaves by itself; polling continues while a node is in one of them. */
const TRANSIENT = new Set(['deploying', 'cleaning', 'inspecting', 'verifying', 'adopting', 'rescuing', 'unrescuing', 'deleting',
  'clean wait', 'wait call-back', 'inspect wait', 'rescue wait']);
/** Failure states keep their target state (e.g. manual clean failed → target manageable) yet are stable. */
const FAILED = new Set(['clean failed', 'deploy failed', 'inspect failed', 'rescue failed', 'unrescue failed', 'adopt failed', 'error']);

class Side {
  readonly vars: Vars = {};
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 4 });
  constructor(readonly base: string) {}

  subst(s: string): string {
    return s.replace(/\$\{(\w+)\}/g, (_, k: string) => this.vars[k] ?? `<unset:${k}>`);
  }
  substDeep(v: unknown): unknown {
    if (typeof v === 'string') return this.subst(v);
    if (Array.isArray(v)) return v.map((x) => this.substDeep(x));
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [this.subst(k), this.substDeep(x)]));
    return v;
  }

  send(method: string, path: string, headers: Record<string, string>, body: string | undefined): Promise<Answer> {
    const url = new URL(this.base + path);
    return new Promise((resolve, reject) => {
      const h: Record<string, string> = { accept: 'application/json', ...headers };
      if (body !== undefined) h['content-length'] = String(Buffer.byteLength(body));
      const req = httpRequest(url, { method, headers: h, agent: this.agent, timeout: 60_000 }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const hdrs: Record<string, string | undefined> = {};
          for (const [k, v] of Object.entries(res.headers)) hdrs[k] = Array.isArray(v) ? v.join(', ') : v;
          resolve({ status: res.statusCode ?? 0, headers: hdrs, text: Buffer.concat(chunks).toString('utf8') });
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      req.on('timeout', () => req.destroy(new Error(`timeout: ${method} ${path}`)));
      if (body !== undefined) req.write(body);
      req.end();
    });
  }

  async request(step: Step): Promise<Answer> {
    const method = step.method ?? 'GET';
    const headers: Record<string, string> = {};
    const version = step.version === undefined ? '1.82' : step.version;
    if (version !== null) headers['x-openstack-ironic-api-version'] = version;
    let body: string | undefined;
    if (step.raw !== undefined) body = this.subst(step.raw);
    else if (step.body !== undefined) body = JSON.stringify(this.substDeep(step.body));
    if (body !== undefined) headers['content-type'] = 'application/json';
    for (const [k, v] of Object.entries(step.headers ?? {})) headers[k.toLowerCase()] = this.subst(v);
    return this.send(method, this.subst(step.path ?? '/'), headers, body);
  }

  capture(spec: Record<string, string>, a: Answer): void {
    const json = parseBody(a.text).value;
    for (const [name, where] of Object.entries(spec)) {
      let v: unknown;
      if (where.startsWith('header:')) v = a.headers[where.slice(7).toLowerCase()];
      else v = where.split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), json);
      if (v !== undefined && v !== null) this.vars[name] = String(v);
    }
  }

  /** GET `path` while `field` holds one of `values` (or until the timeout). */
  async pollWhile(path: string, field: string, values: string[], timeoutMs: number): Promise<Answer> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const a = await this.send('GET', path, { 'x-openstack-ironic-api-version': '1.82' }, undefined);
      const v = (parseBody(a.text).value as Record<string, unknown> | undefined)?.[field];
      if (a.status !== 200 || !values.includes(String(v)) || Date.now() > end) return a;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /**
   * Send a step; a 409 "locked by host" (a periodic task of the server briefly holding the
   * node, which clients retry) is retried a few times before it counts as the answer.
   */
  async requestRetrying(step: Step): Promise<Answer> {
    for (let i = 0; ; i++) {
      const a = await this.request(step);
      if (a.status !== 409 || !/is locked by host/.test(a.text) || i >= 5) return a;
      await new Promise((r) => setTimeout(r, 300));
    }
  }

  /** GET the node until it is stable (no target states, no reservation, not transient). */
  async settle(ident: string, timeoutMs: number): Promise<Answer> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const a = await this.send('GET', `/v1/nodes/${ident}`, { 'x-openstack-ironic-api-version': '1.82' }, undefined);
      const n = parseBody(a.text).value as Record<string, unknown> | undefined;
      const state = String(n?.provision_state);
      const stable = a.status !== 200 || (n && (n.target_provision_state === null || FAILED.has(state))
        && n.target_power_state === null && n.reservation === null && !TRANSIENT.has(state));
      if (stable || Date.now() > end) return a;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  close(): void { this.agent.destroy(); }
}

export class Runner {
  private readonly peer: Side;
  private readonly ingot: Side;
  private readonly cmp: Comparator;
  readonly results: StepResult[] = [];
  /** Wall time per scenario (ms), for keeping the suite fast. */
  readonly timings: [string, number][] = [];
  requests = 0;

  constructor(peerBase: string, ingotBase: string) {
    this.peer = new Side(peerBase);
    this.ingot = new Side(ingotBase);
    this.cmp = new Comparator(peerBase, ingotBase);
  }

  async run(sc: Scenario): Promise<void> {
    const t0 = Date.now();
    for (const [i, step] of sc.steps.entries()) await this.step(`${sc.name} #${i + 1}`, step);
    this.timings.push([sc.name, Date.now() - t0]);
  }

  private async step(scenario: string, step: Step): Promise<void> {
    let peer: Answer;
    let ingot: Answer;
    let method = step.method ?? 'GET';
    let path = step.path ?? '/';
    if (step.wait !== undefined) {
      const w = step.wait;
      [peer, ingot] = await Promise.all([this.peer.settle(this.peer.subst(w), 30_000), this.ingot.settle(this.ingot.subst(w), 30_000)]);
      method = 'GET';
      path = `/v1/nodes/${w}`;
    } else if (step.poll !== undefined) {
      const p = step.poll;
      [peer, ingot] = await Promise.all([this.peer, this.ingot].map((s) => s.pollWhile(s.subst(p.path), p.field, p.while, 30_000))) as [Answer, Answer];
      path = p.path;
    } else {
      const bothLocked = async (): Promise<[Answer, Answer]> => {
        const r = await Promise.all([this.peer.request(step), this.ingot.request(step)]);
        const locked = (a: Answer) => a.status === 409 && /is locked by host/.test(a.text);
        // Only a lock that one side sees is a timing artefact; retry that side alone.
        if (locked(r[0]) && !locked(r[1])) r[0] = await this.peer.requestRetrying(step);
        else if (locked(r[1]) && !locked(r[0])) r[1] = await this.ingot.requestRetrying(step);
        return r;
      };
      [peer, ingot] = await bothLocked();
    }
    this.requests += 2;
    if (step.capture) {
      this.peer.capture(step.capture, peer);
      this.ingot.capture(step.capture, ingot);
    }
    if (step.compare === false) return;
    const version = step.wait !== undefined || step.poll !== undefined ? '1.82' : step.version === undefined ? '1.82' : step.version;
    const label = step.label ?? (step.wait !== undefined ? `settle ${step.wait}` : step.poll !== undefined ? `poll ${path}`
      : `${method} ${path} @${version ?? 'none'}${bodySummary(step)}`);
    this.results.push({ id: `${scenario} › ${label}`, method, path, version, peer, ingot, diffs: this.cmp.compare(peer, ingot) });
  }

  close(): void {
    this.peer.close();
    this.ingot.close();
  }
}

/** A short rendering of the request body for labels. */
function bodySummary(step: Step): string {
  const b = step.raw !== undefined ? step.raw : step.body === undefined ? undefined : JSON.stringify(step.body);
  if (b === undefined) return '';
  return ` ${b.length > 90 ? `${b.slice(0, 90)}…` : b}`;
}

/** One line per diverging step, with its differences, for the report. */
export function describe(r: StepResult): string {
  const lines = [`${r.id}  [peer ${r.peer.status} / ingot ${r.ingot.status}]`];
  const pf = faultOf(r.peer.text);
  const inf = faultOf(r.ingot.text);
  if (pf !== undefined || inf !== undefined) lines.push(`    fault peer : ${pf}`, `    fault ingot: ${inf}`);
  for (const d of r.diffs.slice(0, 25)) lines.push(`    ${d.path}: peer=${JSON.stringify(d.peer)} ingot=${JSON.stringify(d.ingot)}`);
  if (r.diffs.length > 25) lines.push(`    … ${r.diffs.length - 25} more`);
  return lines.join('\n');
}
