/**
 * Ironic's node controller holds its attribute controllers as class attributes
 * (`states`, `maintenance`, `management`, `vendor_passthru`), so Pecan also routes
 * `/v1/nodes/<attribute>/…/<node>`: the node identifier is the last path segment, handed
 * to the controller method as `node_ident`. ironic-tempest-plugin's console test reads
 * `GET /v1/nodes/states/console/{node}`. 21.4 answers (checked against the peer):
 *
 * - `GET  nodes/states/{n}`, `GET|PUT nodes/states/console/{n}`,
 *   `PUT nodes/states/{power,provision,raid,boot_mode,secure_boot}/{n}`,
 *   `PUT|DELETE nodes/maintenance/{n}`, `GET|PUT nodes/management/boot_device/{n}`,
 *   `PUT nodes/management/inject_nmi/{n}`, any method on `nodes/vendor_passthru/{n}`: exactly what the `/v1/nodes/{n}/…` form answers;
 * - an identifier that is neither UUID nor name: 400 fault "Expected UUID or name for
 *   node_ident: X" (the method's argument check, not the routing 400);
 * - no identifier (`GET nodes/states`, `PUT nodes/maintenance`, …): 400 "Missing mandatory
 *   parameter: node_ident";
 * - a method the controller lacks: 405 with its `Allow` (see pecan-allow.ts).
 *
 * `rewriteUrl` calls `attributeRewrite`: served forms become their `/v1/nodes/{n}/…` path,
 * the others go to one internal route that answers from the mark left on the request.
 * Deviation: deeper paths (`nodes/states/power/{n}/x`) are a 500 TypeError in 21.4; here 404.
 */
import type { IncomingMessage } from 'node:http';
import { isUuidLike, isValidLogicalName } from '../core/ids.ts';

export const ATTRIBUTE_ROUTE = '/v1/__node_attribute';

const STATE_ACTIONS = new Set(['power', 'provision', 'raid', 'boot_mode', 'secure_boot']);

export type AttributeMark =
  | { kind: 'missing' }
  | { kind: 'bad-ident'; ident: string }
  | { kind: 'unrouted' };

const MARK = Symbol('ingot.attributePath');
/** The original `/v1/…` path of a rewritten attribute request, for `Allow`. */
const ORIGINAL = Symbol('ingot.attributeOriginal');

type Marked = IncomingMessage & { [MARK]?: AttributeMark; [ORIGINAL]?: string };

export function attributeMark(raw: IncomingMessage): AttributeMark | undefined {
  return (raw as Marked)[MARK];
}
export function attributeOriginalPath(raw: IncomingMessage): string | undefined {
  return (raw as Marked)[ORIGINAL];
}

/**
 * The served form for `method` on `segs` (the segments after `/v1/nodes/`): the canonical
 * sub-path under `/v1/nodes/{n}/` and the identifier segment (undefined: it is missing).
 */
function served(method: string, segs: string[]): { sub: string; ident: string | undefined } | undefined {
  const [attr, a, b] = segs;
  const m = method === 'HEAD' ? 'GET' : method;
  if (attr === 'states') {
    if (a === undefined) return m === 'GET' ? { sub: 'states', ident: undefined } : undefined;
    if (a === 'console') return m === 'GET' || m === 'PUT' ? { sub: 'states/console', ident: b } : undefined;
    if (STATE_ACTIONS.has(a)) return m === 'PUT' ? { sub: `states/${a}`, ident: b } : undefined;
    return m === 'GET' && b === undefined ? { sub: 'states', ident: a } : undefined;
  }
  if (attr === 'maintenance') return m === 'PUT' || m === 'DELETE' ? { sub: 'maintenance', ident: a } : undefined;
  if (attr === 'management') {
    if (a === 'boot_device') return m === 'GET' || m === 'PUT' ? { sub: 'management/boot_device', ident: b } : undefined;
    if (a === 'inject_nmi') return m === 'PUT' ? { sub: 'management/inject_nmi', ident: b } : undefined;
    return undefined;
  }
  // The vendor controller takes every method (the passthru method decides).
  if (attr === 'vendor_passthru') return { sub: 'vendor_passthru', ident: a };
  return undefined;
}

function decode(s: string): string {
  try { return decodeURIComponent(s); } catch { return s; }
}

/**
 * `path` is an already /v1-normalized path without query. Returns the path to route, or
 * undefined when the path is not an attribute-controller path.
 */
export function attributeRewrite(raw: IncomingMessage, path: string): string | undefined {
  const segs = path.split('/').filter((s) => s !== '');
  if (segs[0] !== 'v1' || segs[1] !== 'nodes' || segs.length < 3) return undefined;
  const rest = segs.slice(2);
  if (!['states', 'maintenance', 'management', 'vendor_passthru'].includes(rest[0]!)) return undefined;
  const r = raw as Marked;
  r[ORIGINAL] = '/' + segs.join('/');
  const hit = served(raw.method ?? 'GET', rest);
  const depth = hit ? hit.sub.split('/').length + (hit.ident === undefined ? 0 : 1) : 0;
  if (!hit || depth !== rest.length) {
    r[MARK] = { kind: 'unrouted' };
    return ATTRIBUTE_ROUTE;
  }
  if (hit.ident === undefined) {
    r[MARK] = { kind: 'missing' };
    return ATTRIBUTE_ROUTE;
  }
  const ident = decode(hit.ident);
  if (!isUuidLike(ident) && !isValidLogicalName(ident)) {
    r[MARK] = { kind: 'bad-ident', ident };
    return ATTRIBUTE_ROUTE;
  }
  return `/v1/nodes/${hit.ident}/${hit.sub}`;
}
