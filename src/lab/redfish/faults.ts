/**
 * Fault injection for the lab BMC: latency, error answers, timeouts (no answer), connection resets
 * (the socket is destroyed without an answer), dropped sessions.
 *
 * A rule selects requests by machine (ComputerSystem ids or 0-based lab positions), path prefix
 * (case-insensitive) and method. A rule naming machines only matches requests on those machines'
 * resources (their System, Manager, Chassis and tasks), never service-wide paths such as the
 * service root or SessionService, so one bad BMC leaves the others untouched. A rule without
 * machines matches every request.
 *
 * `powerTransition` is not about requests: it makes power changes of the selected machines take
 * `ms` milliseconds (reporting PoweringOn/PoweringOff meanwhile, refusing resets with 409), as
 * iDRACs and other BMCs do. For it, `rate` and `count` apply per power change, and `pathPrefix`
 * and `methods` are ignored; the longest matching rule wins.
 *
 * Each matching rule fires with probability `rate` (default 1, drawn from a seeded generator so
 * runs repeat) until it has fired `count` times (default unlimited). Effects combine: latencies add
 * up, the first firing error/timeout/reset wins, dropSessions invalidates the sessions before the request
 * is authenticated (so it answers 401 and the client logs in again).
 *
 * @module
 */

export type FaultKind = 'latency' | 'error' | 'timeout' | 'reset' | 'dropSessions' | 'powerTransition';

export interface FaultSpec {
  kind: FaultKind;
  /** ComputerSystem ids or 0-based positions; omitted or empty: all requests. */
  machines?: Array<string | number>;
  /** Only paths starting with this (case-insensitive), e.g. `/redfish/v1/Systems`. */
  pathPrefix?: string;
  /** Only these HTTP methods. */
  methods?: string[];
  /** latency: milliseconds added before the request is handled; powerTransition: duration of a power change. */
  ms?: number;
  /** error: HTTP status to answer (400–599, default 500). */
  status?: number;
  /** Probability per matching request, 0..1 (default 1). */
  rate?: number;
  /** Fire at most this many times, then the rule stays listed but inert. */
  count?: number;
}

export interface FaultRule extends FaultSpec {
  id: string;
  /** Machine ids after resolving positions. */
  machines?: string[];
  fired: number;
}

export interface FaultDecision {
  latencyMs: number;
  error: number | null;
  timeout: boolean;
  /** Destroy the connection without answering (the client sees a reset). */
  reset: boolean;
  dropSessions: { machines: string[] | null } | null;
  /** Ids of the rules that fired. */
  rules: string[];
}

export interface RequestInfo { method: string; path: string; machineId: string | null }

const KINDS: FaultKind[] = ['latency', 'error', 'timeout', 'reset', 'dropSessions', 'powerTransition'];

/** Thrown for an invalid rule; the admin endpoint answers 400 with its message. */
export class FaultSpecError extends Error {}

export class FaultInjector {
  private rules: FaultRule[] = [];
  private next = 1;
  private rand: () => number;
  private readonly machineId: (sel: string | number) => string | undefined;

  /** @param machineId maps a selector (id or position) to a machine id, undefined if unknown */
  constructor(machineId: (sel: string | number) => string | undefined, seed = 0x1ab) {
    this.machineId = machineId;
    this.rand = mulberry32(seed);
  }

  /** Adds rules (validated first: nothing is added if one is invalid). */
  add(specs: FaultSpec | FaultSpec[]): FaultRule[] {
    const list = (Array.isArray(specs) ? specs : [specs]).map((s) => this.validate(s));
    const added = list.map((s) => ({ ...s, id: String(this.next++), fired: 0 }));
    this.rules.push(...added);
    return added.map((r) => ({ ...r }));
  }

  /** Replaces every rule. */
  set(specs: FaultSpec[]): FaultRule[] {
    const list = specs.map((s) => this.validate(s));
    this.rules = [];
    return this.add(list);
  }

  remove(id: string): boolean {
    const before = this.rules.length;
    this.rules = this.rules.filter((r) => r.id !== id);
    return this.rules.length !== before;
  }

  clear(): void {
    this.rules = [];
  }

  list(): FaultRule[] {
    return this.rules.map((r) => ({ ...r }));
  }

  /** Reseeds the generator behind `rate`. */
  seed(seed: number): void {
    this.rand = mulberry32(seed);
  }

  /** Decides what happens to one request, counting the rules that fire. */
  decide(req: RequestInfo): FaultDecision {
    const d: FaultDecision = { latencyMs: 0, error: null, timeout: false, reset: false, dropSessions: null, rules: [] };
    for (const r of this.rules) {
      if (r.kind === 'powerTransition') continue;
      if (r.count !== undefined && r.fired >= r.count) continue;
      if (!matches(r, req)) continue;
      if ((r.rate ?? 1) < 1 && this.rand() >= (r.rate ?? 1)) continue;
      r.fired++;
      d.rules.push(r.id);
      switch (r.kind) {
        case 'latency': d.latencyMs += r.ms ?? 0; break;
        case 'error': if (d.error === null && !d.timeout && !d.reset) d.error = r.status ?? 500; break;
        case 'timeout': if (d.error === null && !d.reset) d.timeout = true; break;
        case 'reset': if (d.error === null && !d.timeout) d.reset = true; break;
        case 'dropSessions': d.dropSessions = { machines: r.machines?.length ? r.machines : null }; break;
      }
    }
    return d;
  }

  /** How long a power change of this machine takes now (0: at once); counts the rules that fire. */
  powerTransitionMs(machineId: string): number {
    let ms = 0;
    for (const r of this.rules) {
      if (r.kind !== 'powerTransition') continue;
      if (r.count !== undefined && r.fired >= r.count) continue;
      if (r.machines?.length && !r.machines.includes(machineId)) continue;
      if ((r.rate ?? 1) < 1 && this.rand() >= (r.rate ?? 1)) continue;
      r.fired++;
      ms = Math.max(ms, r.ms ?? 0);
    }
    return ms;
  }

  private validate(spec: FaultSpec): FaultSpec & { machines?: string[] } {
    if (!spec || typeof spec !== 'object') throw new FaultSpecError('a fault must be an object');
    const allowed = new Set(['kind', 'machines', 'pathPrefix', 'methods', 'ms', 'status', 'rate', 'count']);
    for (const k of Object.keys(spec)) if (!allowed.has(k)) throw new FaultSpecError(`unknown fault property "${k}"`);
    if (!KINDS.includes(spec.kind)) throw new FaultSpecError(`kind must be one of ${KINDS.join(', ')}`);
    if ((spec.kind === 'latency' || spec.kind === 'powerTransition') && !(typeof spec.ms === 'number' && spec.ms >= 0)) throw new FaultSpecError(`${spec.kind} needs ms >= 0`);
    if (spec.status !== undefined && !(Number.isInteger(spec.status) && spec.status >= 400 && spec.status <= 599)) throw new FaultSpecError('status must be 400..599');
    if (spec.rate !== undefined && !(typeof spec.rate === 'number' && spec.rate >= 0 && spec.rate <= 1)) throw new FaultSpecError('rate must be within 0..1');
    if (spec.count !== undefined && !(Number.isInteger(spec.count) && spec.count > 0)) throw new FaultSpecError('count must be a positive integer');
    if (spec.pathPrefix !== undefined && typeof spec.pathPrefix !== 'string') throw new FaultSpecError('pathPrefix must be a string');
    if (spec.methods !== undefined && !(Array.isArray(spec.methods) && spec.methods.every((m) => typeof m === 'string'))) throw new FaultSpecError('methods must be strings');
    let machines: string[] | undefined;
    if (spec.machines !== undefined) {
      if (!Array.isArray(spec.machines)) throw new FaultSpecError('machines must be an array');
      machines = spec.machines.map((sel) => {
        const id = this.machineId(sel);
        if (id === undefined) throw new FaultSpecError(`unknown machine ${JSON.stringify(sel)}`);
        return id;
      });
    }
    const { machines: _selectors, ...rest } = spec;
    return { ...rest, ...(machines ? { machines } : {}), ...(spec.methods ? { methods: spec.methods.map((m) => m.toUpperCase()) } : {}) };
  }
}

function matches(r: FaultRule, req: RequestInfo): boolean {
  if (r.machines?.length && (req.machineId === null || !r.machines.includes(req.machineId))) return false;
  if (r.pathPrefix && !req.path.toLowerCase().startsWith(r.pathPrefix.toLowerCase())) return false;
  if (r.methods?.length && !r.methods.includes(req.method.toUpperCase())) return false;
  return true;
}

/** Small deterministic PRNG (mulberry32). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
