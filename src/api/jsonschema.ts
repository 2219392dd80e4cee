/**
 * JSON-Schema validation that reports the error Python's `jsonschema` would raise, including
 * its `best_match` choice among several errors and Ironic's "Possible root cause" suffix
 * (ironic.common.args._validate_schema). Needed where a schema has `anyOf` (a port's
 * `local_link_connection`), whose messages depend on that heuristic.
 *
 * Supported keywords: type, properties, required, additionalProperties (false), enum,
 * maxLength, anyOf. Keywords are evaluated in the key order of the schema object, so
 * schemas must be written in the same key order as Ironic's Python dicts.
 */
import { InvalidError } from '../core/errors.ts';

export interface JSchema {
  type?: string | string[];
  properties?: Record<string, JSchema>;
  required?: string[];
  additionalProperties?: boolean;
  enum?: unknown[];
  maxLength?: number;
  anyOf?: JSchema[];
}

interface VError {
  message: string;
  /** Depth of the failing value below the validated one (`len(error.path)`). */
  depth: number;
  validator: string;
  schema: JSchema;
  instance: unknown;
  context: VError[];
}

/** Python repr() of a JSON value (str quoting as CPython does). */
export function pyRepr(v: unknown): string {
  if (typeof v === 'string') {
    const quote = v.includes("'") && !v.includes('"') ? '"' : "'";
    let s = v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t');
    if (quote === "'") s = s.replace(/'/g, "\\'");
    return quote + s + quote;
  }
  if (v === null || v === undefined) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(', ')}]`;
  if (typeof v === 'object') return `{${Object.entries(v as object).map(([k, x]) => `${pyRepr(k)}: ${pyRepr(x)}`).join(', ')}}`;
  return String(v);
}

function isType(v: unknown, t: string): boolean {
  switch (t) {
    case 'string': return typeof v === 'string';
    case 'boolean': return typeof v === 'boolean';
    case 'null': return v === null;
    case 'object': return v !== null && typeof v === 'object' && !Array.isArray(v);
    case 'array': return Array.isArray(v);
    case 'integer': return typeof v === 'number' && Number.isInteger(v);
    case 'number': return typeof v === 'number';
    default: return false;
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => isType(v, 'object');

function err(message: string, validator: string, schema: JSchema, instance: unknown, context: VError[] = []): VError {
  return { message, depth: 0, validator, schema, instance, context };
}

/** All errors of `v` against `s`, in jsonschema's iteration order. */
function iterErrors(v: unknown, s: JSchema): VError[] {
  const out: VError[] = [];
  for (const key of Object.keys(s) as (keyof JSchema)[]) {
    switch (key) {
      case 'type': {
        const types = Array.isArray(s.type) ? s.type : [s.type!];
        if (!types.some((t) => isType(v, t))) out.push(err(`${pyRepr(v)} is not of type ${types.map((t) => pyRepr(t)).join(', ')}`, 'type', s, v));
        break;
      }
      case 'properties':
        if (!isObject(v)) break;
        for (const [p, sub] of Object.entries(s.properties!)) {
          if (!(p in v)) continue;
          for (const e of iterErrors(v[p], sub)) out.push({ ...e, depth: e.depth + 1 });
        }
        break;
      case 'required':
        if (!isObject(v)) break;
        for (const r of s.required!) if (!(r in v)) out.push(err(`${pyRepr(r)} is a required property`, 'required', s, v));
        break;
      case 'additionalProperties': {
        if (!isObject(v) || s.additionalProperties !== false) break;
        const extra = Object.keys(v).filter((k) => !(k in (s.properties ?? {})));
        if (extra.length) out.push(err(`Additional properties are not allowed (${extra.map(pyRepr).join(', ')} ${extra.length === 1 ? 'was' : 'were'} unexpected)`, 'additionalProperties', s, v));
        break;
      }
      case 'enum':
        if (!s.enum!.some((e) => e === v)) out.push(err(`${pyRepr(v)} is not one of ${pyRepr(s.enum)}`, 'enum', s, v));
        break;
      case 'maxLength':
        if (typeof v === 'string' && [...v].length > s.maxLength!) out.push(err(`${pyRepr(v)} is too long`, 'maxLength', s, v));
        break;
      case 'anyOf': {
        const all: VError[] = [];
        let ok = false;
        for (const sub of s.anyOf!) {
          const errs = iterErrors(v, sub);
          if (!errs.length) { ok = true; break; }
          all.push(...errs);
        }
        if (!ok) out.push(err(`${pyRepr(v)} is not valid under any of the given schemas`, 'anyOf', s, v, all));
        break;
      }
    }
  }
  return out;
}

/** jsonschema's `relevance` key: (-len(path), not weak, strong, not matches_type). */
function relevance(e: VError): number[] {
  const t = e.schema.type;
  const matches = t === undefined ? false : (Array.isArray(t) ? t : [t]).some((x) => isType(e.instance, x));
  return [-e.depth, e.validator === 'anyOf' ? 0 : 1, 0, matches ? 0 : 1];
}

function cmp(a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

/** jsonschema.exceptions.best_match. */
function bestMatch(errors: VError[]): VError | undefined {
  let best: VError | undefined;
  for (const e of errors) if (!best || cmp(relevance(e), relevance(best)) > 0) best = e;
  while (best && best.context.length) {
    const sorted = [...best.context].sort((a, b) => cmp(relevance(a), relevance(b)));
    if (sorted.length >= 2 && cmp(relevance(sorted[0]!), relevance(sorted[1]!)) === 0) return best;
    best = sorted[0]!;
  }
  return best;
}

/** The message Ironic reports for `v` against `s`, or null when valid. */
export function schemaError(v: unknown, s: JSchema): string | null {
  const e = bestMatch(iterErrors(v, s));
  if (!e) return null;
  let msg = e.message;
  let cause: string | undefined;
  let cur: VError | undefined = e;
  while (cur && cur.context.length) {
    cur = bestMatch(cur.context);
    cause = cur?.message;
  }
  if (cause !== undefined) msg += `. Possible root cause: ${cause}`;
  return msg;
}

/** `args.schema(schema)(name, value)`: None passes; otherwise 400 "Schema error for <name>: …". */
export function validateSchema(name: string, v: unknown, s: JSchema): void {
  if (v === null || v === undefined) return;
  const m = schemaError(v, s);
  if (m !== null) throw new InvalidError(`Schema error for ${name}: ${m}`);
}
