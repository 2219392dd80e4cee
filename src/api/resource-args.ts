/**
 * Argument rules and lookups shared by the ports, portgroups, chassis and volume routes,
 * as Ironic 21.4 applies them (`ironic.common.args` validators, `api_utils.get_rpc_node`,
 * `get_request_return_fields`). Their locked writes go through `ConductorApi`.
 *
 * Query values arrive as Pecan passes them: a repeated key is a list, and the messages
 * then show Python's str() of that list ("Expected string for sort_key: ['a', 'b']").
 */
import type { FastifyRequest } from 'fastify';
import type { ApiDeps } from './server.ts';
import type { Node } from '../core/node.ts';
import { InvalidError, NotAcceptableError, NotFoundError } from '../core/errors.ts';
import { isUuidLike, isHostnameSafe } from '../core/ids.ts';
import { supports } from './context.ts';
import { isLogicalName } from './listing.ts';
import { pyStr, stringArg, intArg, boolArg } from './routes/node-args.ts';

export { pyStr, stringArg, intArg, boolArg };

export type Args = Record<string, unknown>;

/** The query string (repeated keys → list); names outside `allowed` → 400 "Unexpected arguments". */
export function queryArgs(req: FastifyRequest, allowed: readonly string[]): Args {
  const q = { ...((req.query ?? {}) as Args) };
  const extra = Object.keys(q).filter((k) => !allowed.includes(k));
  if (extra.length) throw new InvalidError(`Unexpected arguments: ${extra.join(', ')}`);
  return q;
}

/** `args.uuid`: 400 "Expected UUID for <name>: <v>". Returned unchanged (lookups are exact). */
export function uuidArg(name: string, v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isUuidLike(v)) throw new InvalidError(`Expected UUID for ${name}: ${pyStr(v)}`);
  return v;
}

/** `args.uuid_or_name`: 400 "Expected UUID or name for <name>: <v>". */
export function uuidOrNameArg(name: string, v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isUuidLike(v) && !isLogicalName(v)) throw new InvalidError(`Expected UUID or name for ${name}: ${pyStr(v)}`);
  return v;
}

/** oslo `netutils.is_valid_mac`: six colon-separated octets only (no dashes, no InfiniBand). */
export function isMac(v: unknown): v is string {
  return typeof v === 'string' && /^[0-9a-f]{2}(:[0-9a-f]{2}){5}\n?$/i.test(v);
}

/** An OpenFlow datapath id: 16 hex digits. */
export function isDatapathId(v: unknown): v is string {
  return typeof v === 'string' && /^[0-9a-f]{16}$/i.test(v);
}

/** `args.mac_address`: 400 "Expected valid MAC address for <name>: <v>"; returns it lower-cased. */
export function macArg(name: string, v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isMac(v)) throw new InvalidError(`Expected valid MAC address for ${name}: ${pyStr(v)}`);
  return v.toLowerCase();
}

/** `args.string_list`: comma-separated, trimmed, lower-cased, de-duplicated, empties dropped. */
export function stringListArg(name: string, v: unknown): string[] | undefined {
  const s = stringArg(name, v);
  if (s === undefined) return undefined;
  const out: string[] = [];
  for (const part of s.split(',')) {
    const f = part.trim().toLowerCase();
    if (f && !out.includes(f)) out.push(f);
  }
  return out;
}

/** `api_utils.validate_limit`: absent → max; ≤ 0 → 400; capped at max. */
export function limitOf(v: unknown, maxLimit: number): number {
  const n = intArg('limit', v);
  if (n === undefined) return maxLimit;
  if (n <= 0) throw new InvalidError('Limit must be positive');
  return Math.min(maxLimit, n);
}

/** `api_utils.validate_sort_dir`. */
export function sortDirOf(v: string | undefined): 'asc' | 'desc' {
  const d = v ?? 'asc';
  if (d !== 'asc' && d !== 'desc') throw new InvalidError(`Invalid sort direction: ${d}. Acceptable values are 'asc' or 'desc'`);
  return d;
}

/**
 * `api_utils.get_request_return_fields`: `detail` needs 1.43 (400 below), cannot be combined
 * with `fields`; without either the resource's default fields. `undefined` = everything.
 */
export function returnFields(req: FastifyRequest, fields: string[] | undefined, detail: boolean | undefined, defaults: readonly string[]): string[] | undefined {
  if (detail !== undefined && !supports(req, 'detail_param')) {
    throw new InvalidError(`Invalid query parameter ?detail=${detail ? 'True' : 'False'} received.`);
  }
  if (fields !== undefined && detail) throw new InvalidError('Can not specify ?detail=True and fields in the same request.');
  if (fields === undefined && !detail) return [...defaults];
  return fields;
}

/** `check_allow_specify_fields`: `fields` needs 1.8 (406 below). */
export function checkFieldsAllowed(req: FastifyRequest, fields: unknown): void {
  if (fields !== undefined && !supports(req, 'fields')) throw new NotAcceptableError('Request not acceptable.');
}

/** `api_utils.sanitize_dict`: keep `fields` and `links`. */
export function sanitize(obj: Record<string, unknown>, fields: readonly string[] | undefined): Record<string, unknown> {
  if (!fields) return obj;
  for (const k of Object.keys(obj)) if (k !== 'links' && !fields.includes(k)) delete obj[k];
  return obj;
}

/** 400 'Field(s) "a, b" are not valid' for requested names the rendered object lacks. */
export function checkFieldNames(fields: readonly string[] | undefined, obj: Record<string, unknown>): void {
  if (!fields) return;
  const bad = fields.filter((f) => !(f in obj));
  if (bad.length) throw new InvalidError(`Field(s) "${bad.join(', ')}" are not valid`);
}

/**
 * `api_utils.get_rpc_node`: an exact UUID match; from 1.5 a name (400 "Expected a logical
 * name or UUID but received X." when it is not a valid one); below 1.5 a name is not found.
 */
export async function rpcNode(req: FastifyRequest, deps: ApiDeps, ident: string): Promise<Node> {
  let n: Node | undefined;
  if (isUuidLike(ident)) n = await deps.nodes.getByUuid(ident);
  else if (supports(req, 'node_name')) {
    const ok = supports(req, 'rfc3986_names') ? isLogicalName(ident) : isHostnameSafe(ident);
    if (!ok) throw new InvalidError(`Expected a logical name or UUID but received ${ident}.`);
    n = await deps.nodes.getByName(ident);
  }
  if (!n) throw new NotFoundError(`Node ${ident} could not be found.`);
  return n;
}

/**
 * `objects.Node.get` as PATCH uses it for a new `node_uuid`: an integer is a database id,
 * a UUID an exact match, anything else 400 "Expected a UUID or int but received X.".
 * A node that does not exist is 400 (Ironic turns the 404 into a 400 there).
 */
export async function nodeForPatch(deps: ApiDeps, ident: unknown): Promise<Node> {
  let n: Node | undefined;
  if ((typeof ident === 'string' && /^-?\d+$/.test(ident) && String(Number(ident)) === ident) || Number.isInteger(ident)) {
    n = await deps.nodes.getById(Number(ident));
  } else if (isUuidLike(ident)) {
    n = await deps.nodes.getByUuid(ident);
  } else {
    throw new InvalidError(`Expected a UUID or int but received ${pyStr(ident)}.`);
  }
  if (!n) throw new InvalidError(`Node ${pyStr(ident)} could not be found.`);
  return n;
}

/** Ironic's `is_path_updated`, bug included: only the FIRST operation of the patch is looked at. */
export function firstOpTouches(ops: readonly { path: string }[], path: string): boolean {
  const p = ops[0]?.path;
  return p !== undefined && (p === path || p.startsWith(path + '/'));
}

/** Values of non-remove ops on exactly `path` (`get_patch_values`). */
export function patchValues(ops: readonly { op: string; path: string; value?: unknown }[], path: string): unknown[] {
  return ops.filter((p) => p.path === path && p.op !== 'remove').map((p) => p.value);
}

/** Whether any op touches `path` or below it with a value or removes it. */
export function patchMentions(ops: readonly { op: string; path: string; value?: unknown }[], path: string): boolean {
  return ops.some((p) => (p.path === path && p.op !== 'remove' && p.value !== undefined)
    || (p.op === 'remove' && (p.path === path || p.path.startsWith(path + '/'))));
}
