/**
 * JSON-Schema validation that reports the error Python's `jsonschema` would raise, including
 * its `best_match` choice among several errors and Ironic's "Possible root cause" suffix
 * (ironic.common.args._validate_schema). Needed where a schema has `anyOf` (a port's
 * `local_link_connection`), whose messages depend on that heuristic.
 *
 * Supported keywords: type, properties, required, additionalProperties (false), enum,
 * minLength, maxLength, pattern (a leading `(?i)` as Python's inline flag), minimum, maximum, items,
 * minItems, anyOf, oneOf, `$ref` to `#/definitions/…` of the validated (root) schema, which as
 * in draft 7 replaces its siblings (`description`, `title`, `$schema` and `definitions` are
 * carried for printing and resolving only). Keywords are evaluated in the key order of the schema
 * object, so schemas must be written in the same key order as Ironic's Python dicts.
 * `verboseSchemaError` renders `str(ValidationError)` (message, failing keyword, subschema
 * and instance, pretty-printed as CPython's pprint does) for the places where 21.4 puts
 * the whole exception text into the faultstring.
 */
import { InvalidError } from '../core/errors.ts';
import { pformat } from './pformat.ts';

export interface JSchema {
  type?: string | string[];
  properties?: Record<string, JSchema>;
  required?: string[];
  additionalProperties?: boolean;
  enum?: unknown[];
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  items?: JSchema;
  minItems?: number;
  anyOf?: JSchema[];
  oneOf?: JSchema[];
  $ref?: string;
  definitions?: Record<string, JSchema>;
  description?: string;
  title?: string;
  $schema?: string;
}

type PathItem = string | number;

interface VError {
  message: string;
  /** Depth of the failing value below the validated one (`len(error.path)`). */
  depth: number;
  /** `relative_path` (instance) and `relative_schema_path`, as jsonschema builds them. */
  path: PathItem[];
  schemaPath: PathItem[];
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
  return { message, depth: 0, path: [], schemaPath: [validator], validator, schema, instance, context };
}

/** An error from a sub-instance/sub-schema, with jsonschema's path bookkeeping. */
function descend(e: VError, path: PathItem | undefined, schemaPath: PathItem[]): VError {
  const p = path === undefined ? e.path : [path, ...e.path];
  return { ...e, path: p, depth: p.length, schemaPath: [...schemaPath, ...e.schemaPath] };
}

/** `#/definitions/<name>` of the root schema. */
function resolveRef(ref: string, root: JSchema): JSchema {
  const m = /^#\/definitions\/([^/]+)$/.exec(ref);
  const target = m ? root.definitions?.[m[1]!] : undefined;
  if (!target) throw new Error(`BUG: unresolvable $ref ${ref}`);
  return target;
}

const patterns = new Map<string, RegExp>();
/** Python `re.search` semantics for a schema pattern; `(?i)` at the start is the i flag. */
function patternOf(p: string): RegExp {
  let re = patterns.get(p);
  if (!re) {
    re = p.startsWith('(?i)') ? new RegExp(p.slice(4), 'iu') : new RegExp(p, 'u');
    patterns.set(p, re);
  }
  return re;
}

/** All errors of `v` against `s`, in jsonschema's iteration order. */
function iterErrors(v: unknown, s: JSchema, root: JSchema = s): VError[] {
  // Draft 7 and older: `$ref` ignores its sibling keywords.
  if (s.$ref !== undefined) return iterErrors(v, resolveRef(s.$ref, root), root);
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
          for (const e of iterErrors(v[p], sub, root)) out.push(descend(e, p, ['properties', p]));
        }
        break;
      case 'items':
        if (!Array.isArray(v)) break;
        v.forEach((item, i) => { for (const e of iterErrors(item, s.items!, root)) out.push(descend(e, i, ['items'])); });
        break;
      case 'minLength':
        if (typeof v === 'string' && [...v].length < s.minLength!) out.push(err(`${pyRepr(v)} is too short`, 'minLength', s, v));
        break;
      case 'pattern':
        if (typeof v === 'string' && !patternOf(s.pattern!).test(v)) out.push(err(`${pyRepr(v)} does not match ${pyRepr(s.pattern)}`, 'pattern', s, v));
        break;
      case 'minimum':
        if (typeof v === 'number' && v < s.minimum!) out.push(err(`${v} is less than the minimum of ${s.minimum}`, 'minimum', s, v));
        break;
      case 'maximum':
        if (typeof v === 'number' && v > s.maximum!) out.push(err(`${v} is greater than the maximum of ${s.maximum}`, 'maximum', s, v));
        break;
      case 'minItems':
        if (Array.isArray(v) && v.length < s.minItems!) out.push(err(`${pyRepr(v)} is too short`, 'minItems', s, v));
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
        for (const [i, sub] of s.anyOf!.entries()) {
          const errs = iterErrors(v, sub, root);
          if (!errs.length) { ok = true; break; }
          all.push(...errs.map((e) => descend(e, undefined, [i])));
        }
        if (!ok) out.push(err(`${pyRepr(v)} is not valid under any of the given schemas`, 'anyOf', s, v, all));
        break;
      }
      case 'oneOf': {
        const all: VError[] = [];
        let first = -1;
        for (const [i, sub] of s.oneOf!.entries()) {
          const errs = iterErrors(v, sub, root);
          if (!errs.length) { first = i; break; }
          all.push(...errs.map((e) => descend(e, undefined, [i])));
        }
        if (first === -1) {
          out.push(err(`${pyRepr(v)} is not valid under any of the given schemas`, 'oneOf', s, v, all));
          break;
        }
        const more = s.oneOf!.slice(first + 1).filter((sub) => iterErrors(v, sub, root).length === 0);
        if (more.length) out.push(err(`${pyRepr(v)} is valid under each of ${[...more, s.oneOf![first]!].map(pyRepr).join(', ')}`, 'oneOf', s, v));
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
  return [-e.depth, e.validator === 'anyOf' || e.validator === 'oneOf' ? 0 : 1, 0, matches ? 0 : 1];
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

/** `jsonschema.validate`'s error message alone (best_match, no root cause), or null when valid. */
export function plainSchemaError(v: unknown, s: JSchema): string | null {
  return bestMatch(iterErrors(v, s))?.message ?? null;
}

/** `args.schema(schema)(name, value)`: None passes; otherwise 400 "Schema error for <name>: …". */
export function validateSchema(name: string, v: unknown, s: JSchema): void {
  if (v === null || v === undefined) return;
  const m = schemaError(v, s);
  if (m !== null) throw new InvalidError(`Schema error for ${name}: ${m}`);
}

/** Python's repr() of a jsonschema path element. */
function indexRepr(p: PathItem): string {
  return typeof p === 'number' ? String(p) : pyRepr(p);
}

/**
 * `str(jsonschema.ValidationError)` for `v` against `s` (jsonschema 4.10, as 21.4 runs it),
 * or null when valid: the message, then the failing keyword with its subschema and the
 * failing instance, each pretty-printed (width 72, sorted keys) and indented by 4.
 */
export function verboseSchemaError(v: unknown, s: JSchema): string | null {
  const e = bestMatch(iterErrors(v, s));
  if (!e) return null;
  const at = (word: string, idx: PathItem[]) => (idx.length ? `${word}[${idx.map(indexRepr).join('][')}]` : word);
  const indent = (text: string) => text.split('\n').join('\n    ');
  return `${e.message}\n\nFailed validating ${pyRepr(e.validator)} in ${at('schema', e.schemaPath.slice(0, -1))}:\n    ${indent(pformat(e.schema, 72))}`
    + `\n\nOn ${at('instance', e.path)}:\n    ${indent(pformat(e.instance, 72))}`;
}
