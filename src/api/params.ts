/**
 * Query and body argument checks with Ironic's messages. Every handler declares the
 * query parameters it accepts; anything else is 400 "Unexpected arguments: …".
 */
import type { FastifyRequest } from 'fastify';
import { InvalidError } from '../core/errors.ts';
import { isUuidLike, isValidLogicalName, canonicalUuid } from '../core/ids.ts';

export type Query = Record<string, string | undefined>;

/** Flatten the query (last value wins for repeated keys) and reject unknown keys. */
export function queryOf(req: FastifyRequest, allowed: readonly string[]): Query {
  const raw = (req.query ?? {}) as Record<string, string | string[]>;
  const extra = Object.keys(raw).filter((k) => !allowed.includes(k));
  if (extra.length) throw new InvalidError(`Unexpected arguments: ${extra.join(', ')}`);
  const out: Query = {};
  for (const [k, v] of Object.entries(raw)) out[k] = Array.isArray(v) ? v[v.length - 1] : v;
  return out;
}

/** Ironic's strutils.bool_from_string(strict=True). */
export function parseBool(name: string, v: string | undefined): boolean | undefined {
  if (v === undefined) return undefined;
  const s = v.trim().toLowerCase();
  if (['1', 't', 'true', 'on', 'y', 'yes'].includes(s)) return true;
  if (['0', 'f', 'false', 'off', 'n', 'no'].includes(s)) return false;
  throw new InvalidError(`Invalid ${name}: Unrecognized value '${v}', acceptable values are: '0', '1', 'f', 'false', 'n', 'no', 'off', 'on', 't', 'true', 'y', 'yes'`);
}

export function parseUuid(name: string, v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  if (!isUuidLike(v)) throw new InvalidError(`Expected UUID for ${name}: ${v}`);
  return canonicalUuid(v);
}

export function parseUuidOrName(name: string, v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  if (!isUuidLike(v) && !isValidLogicalName(v)) throw new InvalidError(`Expected UUID or name for ${name}: ${v}`);
  return v;
}

export function parseStringList(v: string | undefined): string[] | undefined {
  if (v === undefined) return undefined;
  return v.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
}

/** Body must be a JSON object. */
export function bodyObject(req: FastifyRequest): Record<string, unknown> {
  const b = req.body;
  if (b === undefined || b === null || typeof b !== 'object' || Array.isArray(b)) {
    throw new InvalidError('Invalid request body: expected a JSON object.');
  }
  return b as Record<string, unknown>;
}

/** Validators of `ironic.common.args` that query arguments use. */
export type ArgKind = 'string' | 'string_list' | 'boolean' | 'integer' | 'uuid' | 'uuid_or_name';
export type ArgValue = string | string[] | boolean | number | undefined;

/** Python's str() of a query value: a repeated key is a list of strings. */
function pyStrOf(v: string | string[]): string {
  return Array.isArray(v) ? `[${v.map((x) => `'${x.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`).join(', ')}]` : v;
}

/**
 * Ironic's `@args.validate` over the query: unknown keys → "Unexpected arguments", then
 * each declared argument in declaration order through its validator, with 21.4's
 * messages. A repeated key reaches the validator as a list (Pecan), which only
 * `boolean` can coerce — and does not — so it fails with the list's repr.
 */
export function ironicArgs(req: FastifyRequest, spec: readonly (readonly [string, ArgKind])[]): Record<string, ArgValue> {
  const raw = (req.query ?? {}) as Record<string, string | string[]>;
  const names = spec.map(([n]) => n);
  const extra = Object.keys(raw).filter((k) => !names.includes(k));
  if (extra.length) throw new InvalidError(`Unexpected arguments: ${extra.join(', ')}`);
  const out: Record<string, ArgValue> = {};
  for (const [name, kind] of spec) {
    const v = raw[name];
    if (v === undefined) continue;
    const s = pyStrOf(v);
    const list = Array.isArray(v);
    switch (kind) {
      case 'string':
      case 'string_list':
        if (list) throw new InvalidError(`Expected string for ${name}: ${s}`);
        out[name] = kind === 'string' ? v : [...new Set((v as string).split(',').map((x) => x.trim().toLowerCase()).filter(Boolean))];
        break;
      case 'boolean':
        out[name] = list ? parseBool(name, s) : parseBool(name, v as string);
        break;
      case 'integer':
        if (list || !/^\s*[+-]?\d+(_\d+)*\s*$/.test(v as string)) throw new InvalidError(`Expected an integer for ${name}: ${s}`);
        out[name] = Number((v as string).replace(/_/g, '').trim());
        break;
      case 'uuid':
        if (list || !isUuidLike(v)) throw new InvalidError(`Expected UUID for ${name}: ${s}`);
        out[name] = v as string;
        break;
      case 'uuid_or_name':
        if (list || (!isUuidLike(v) && !isValidLogicalName(v))) throw new InvalidError(`Expected UUID or name for ${name}: ${s}`);
        out[name] = v as string;
        break;
    }
  }
  return out;
}
