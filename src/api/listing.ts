/**
 * Query-argument rules of Ironic's newer resources (allocations, deploy templates,
 * conductors, drivers), which validate with `ironic.common.args` and so word their
 * errors differently from the node list (collection.ts):
 * "Expected an integer for limit: x", 'Field(s) "x" are not valid',
 * 'The sort_key value "x" is an invalid field for sorting' (unknown column, quoted) vs
 * 'The sort_key value x is an invalid field for sorting' (JSON column, unquoted).
 */
import { InvalidError } from '../core/errors.ts';
import { isUuidLike } from '../core/ids.ts';

/** `limit`: an integer > 0, capped at `maxLimit`; absent → `maxLimit`. */
export function limitArg(v: string | undefined, maxLimit: number): number {
  if (v === undefined) return maxLimit;
  if (!/^\s*[+-]?\d+\s*$/.test(v)) throw new InvalidError(`Expected an integer for limit: ${v}`);
  const n = Number(v);
  if (n <= 0) throw new InvalidError('Limit must be positive');
  return Math.min(maxLimit, n);
}

/** args.string_list: comma-separated, trimmed, lower-cased, de-duplicated, empty items dropped. */
export function fieldsArg(v: string | undefined): string[] | undefined {
  if (v === undefined) return undefined;
  const out: string[] = [];
  for (const part of v.split(',')) {
    const f = part.trim().toLowerCase();
    if (f && !out.includes(f)) out.push(f);
  }
  return out;
}

/** 400 'Field(s) "a, b" are not valid' for requested fields the object does not have. */
export function checkInvalidFields(fields: readonly string[] | undefined, valid: Iterable<string>): void {
  if (!fields) return;
  const ok = new Set(valid);
  const bad = fields.filter((f) => !ok.has(f));
  if (bad.length) throw new InvalidError(`Field(s) "${bad.join(', ')}" are not valid`);
}

/** Sort key: JSON columns refused unquoted, unknown columns refused quoted; default `id`. */
export function sortKeyArg(key: string | undefined, columns: readonly string[], invalid: readonly string[]): string {
  const k = key ?? 'id';
  if (invalid.includes(k)) throw new InvalidError(`The sort_key value ${k} is an invalid field for sorting`);
  if (!columns.includes(k)) throw new InvalidError(`The sort_key value "${k}" is an invalid field for sorting`);
  return k;
}

/**
 * Ironic's `utils.is_valid_logical_name` (API ≥ 1.10): RFC 3986 unreserved characters,
 * at most 255; unlike node names, a UUID-shaped string is allowed. Python's `$` also
 * matches before one trailing newline.
 */
export function isLogicalName(v: unknown): v is string {
  return typeof v === 'string' && v.length <= 255 && /^[A-Za-z0-9\-._~]+\n?$/.test(v);
}

/** args.uuid_or_name: 400 "Expected UUID or name for <what>: <v>". */
export function uuidOrNameArg(what: string, v: string): string {
  if (!isLogicalName(v) && !isUuidLike(v)) throw new InvalidError(`Expected UUID or name for ${what}: ${v}`);
  return v;
}

/** args.name: 400 "Expected name for <what>: <v>". */
export function nameArg(what: string, v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  if (!isLogicalName(v)) throw new InvalidError(`Expected name for ${what}: ${v}`);
  return v;
}

/** args.uuid: 400 "Expected UUID for <what>: <v>". */
export function uuidArg(what: string, v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  if (!isUuidLike(v)) throw new InvalidError(`Expected UUID for ${what}: ${v}`);
  return v;
}
