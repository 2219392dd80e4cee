/**
 * A small JSON-Schema subset validator whose messages match Python's `jsonschema`, which
 * Ironic uses: clients and operators see the same "Schema error for node: …" texts.
 *
 * Supports: type (one or a list), properties, required, additionalProperties (false),
 * enum, pattern, minLength, maxLength, minimum, maximum, items, minItems, anyOf.
 */
import { InvalidError } from '../core/errors.ts';

export interface Schema {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean;
  enum?: unknown[];
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  items?: Schema;
  minItems?: number;
  anyOf?: Schema[];
}

import { pyRepr } from './jsonschema.ts';

/** Python repr() of a JSON value (one implementation, in jsonschema.ts). */
export { pyRepr };

function typeOk(v: unknown, t: string): boolean {
  switch (t) {
    case 'string': return typeof v === 'string';
    case 'boolean': return typeof v === 'boolean';
    case 'null': return v === null;
    case 'object': return v !== null && typeof v === 'object' && !Array.isArray(v);
    case 'array': return Array.isArray(v);
    case 'integer': return typeof v === 'number' && Number.isInteger(v);
    case 'number': return typeof v === 'number';
    default: return true;
  }
}

/** Returns the first error message, or null when `v` is valid. */
export function check(v: unknown, s: Schema): string | null {
  if (s.anyOf) {
    if (!s.anyOf.some((sub) => check(v, sub) === null)) return `${pyRepr(v)} is not valid under any of the given schemas`;
  }
  if (s.type !== undefined) {
    const types = Array.isArray(s.type) ? s.type : [s.type];
    if (!types.some((t) => typeOk(v, t))) return `${pyRepr(v)} is not of type ${types.map((t) => `'${t}'`).join(', ')}`;
  }
  if (s.enum && !s.enum.some((e) => e === v)) return `${pyRepr(v)} is not one of ${pyRepr(s.enum)}`;
  if (typeof v === 'string') {
    if (s.minLength !== undefined && v.length < s.minLength) return `${pyRepr(v)} is too short`;
    if (s.maxLength !== undefined && v.length > s.maxLength) return `${pyRepr(v)} is too long`;
    if (s.pattern !== undefined && !new RegExp(s.pattern).test(v)) return `${pyRepr(v)} does not match ${pyRepr(s.pattern)}`;
  }
  if (typeof v === 'number') {
    if (s.minimum !== undefined && v < s.minimum) return `${v} is less than the minimum of ${s.minimum}`;
    if (s.maximum !== undefined && v > s.maximum) return `${v} is greater than the maximum of ${s.maximum}`;
  }
  if (Array.isArray(v)) {
    if (s.minItems !== undefined && v.length < s.minItems) return `${pyRepr(v)} is too short`;
    if (s.items) for (const it of v) { const e = check(it, s.items); if (e) return e; }
  }
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    for (const r of s.required ?? []) if (!(r in o)) return `${pyRepr(r)} is a required property`;
    if (s.additionalProperties === false && s.properties) {
      const extra = Object.keys(o).filter((k) => !(k in s.properties!));
      if (extra.length) return `Additional properties are not allowed (${extra.map(pyRepr).join(', ')} ${extra.length > 1 ? 'were' : 'was'} unexpected)`;
    }
    for (const [k, sub] of Object.entries(s.properties ?? {})) {
      if (k in o) { const e = check(o[k], sub); if (e) return e; }
    }
  }
  return null;
}

/** Throw Ironic's 400 "Schema error for <name>: <message>". */
export function validate(name: string, v: unknown, s: Schema): void {
  const e = check(v, s);
  if (e) throw new InvalidError(`Schema error for ${name}: ${e}`);
}
