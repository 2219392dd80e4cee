/**
 * ironic-inspector introspection rules: validation at creation and evaluation after
 * processing (rules.py + plugins/rules.py of 11.1, reimplemented).
 *
 * Conditions: eq, lt, gt, le, ge, ne (with numeric coercion of the field to the value's
 * type), in-net, matches (anchored), contains, is-empty; `multiple` any|all|first,
 * `invert`, `field` with `data://` (default) or `node://` and a JSONPath.
 * Actions: fail, set-attribute, set-capability, extend-attribute, add-trait, remove-trait.
 * String values of set-attribute/set-capability/extend-attribute are formatted with the
 * introspection data (`{data[inventory][bmc_address]}`). A rule applies when its scope is
 * empty or equals the node's properties.inspection_scope and all its conditions hold;
 * matching rules' actions run in creation order after every condition was checked.
 */
import { findAll, parsePath } from './jsonpath.ts';
import { inNet, isValidCidr } from './net.ts';
import { ProcessingError, parseCapabilities, formatCapabilities } from './hooks.ts';

type Obj = Record<string, unknown>;

export interface Condition { op: string; field: string; multiple: 'any' | 'all' | 'first'; invert: boolean; params: Obj }
export interface Action { action: string; params: Obj }
export interface Rule { uuid: string; description: string | null; scope: string | null; conditions: Condition[]; actions: Action[] }

export class RuleError extends Error {
  constructor(message: string, readonly code = 400) { super(message); }
}

const CONDITION_PARAMS: Record<string, { required: string[]; optional: string[] }> = {
  eq: { required: ['value'], optional: [] }, ne: { required: ['value'], optional: [] },
  lt: { required: ['value'], optional: [] }, gt: { required: ['value'], optional: [] },
  le: { required: ['value'], optional: [] }, ge: { required: ['value'], optional: [] },
  'in-net': { required: ['value'], optional: [] }, matches: { required: ['value'], optional: [] },
  contains: { required: ['value'], optional: [] }, 'is-empty': { required: [], optional: [] },
};
const ACTION_PARAMS: Record<string, { required: string[]; optional: string[] }> = {
  fail: { required: ['message'], optional: [] },
  'set-attribute': { required: ['path', 'value'], optional: ['reset_interfaces'] },
  'set-capability': { required: ['name'], optional: ['value'] },
  'extend-attribute': { required: ['path', 'value'], optional: ['unique'] },
  'add-trait': { required: ['name'], optional: [] },
  'remove-trait': { required: ['name'], optional: [] },
};
export const CONDITION_OPS = Object.keys(CONDITION_PARAMS);
export const ACTION_NAMES = Object.keys(ACTION_PARAMS);

function checkParams(spec: { required: string[]; optional: string[] }, params: Obj): string | null {
  const passed = Object.keys(params).filter((k) => params[k] !== null && params[k] !== undefined);
  const missing = spec.required.filter((k) => !passed.includes(k));
  const unexpected = passed.filter((k) => !spec.required.includes(k) && !spec.optional.includes(k));
  const msg: string[] = [];
  if (missing.length) msg.push(`missing required parameter(s): ${missing.join(', ')}`);
  if (unexpected.length) msg.push(`unexpected parameter(s): ${unexpected.join(', ')}`);
  return msg.length ? msg.join('; ') : null;
}

export function splitField(field: string): [string, string] {
  const i = field.indexOf('://');
  return i < 0 ? ['data', field] : [field.slice(0, i), field.slice(i + 3)];
}

function isObj(v: unknown): v is Obj { return !!v && typeof v === 'object' && !Array.isArray(v); }

/** Validate a rule body as POST /v1/rules receives it; throws RuleError (400). */
export function validateRule(body: unknown): Omit<Rule, 'uuid'> & { uuid?: string } {
  if (!isObj(body)) throw new RuleError('Invalid request: expected a JSON object');
  const { conditions = [], actions, description, scope, uuid } = body;
  if (uuid && (typeof uuid !== 'string' || !/^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i.test(uuid))) {
    throw new RuleError('Invalid UUID value');
  }
  if (!Array.isArray(conditions)) throw new RuleError(`Validation failed for conditions: ${JSON.stringify(conditions)} is not of type 'array'`);
  if (!Array.isArray(actions)) throw new RuleError(`Validation failed for actions: ${JSON.stringify(actions ?? null)} is not of type 'array'`);
  if (actions.length === 0) throw new RuleError('Validation failed for actions: [] is too short');
  if (description !== undefined && description !== null && typeof description !== 'string') throw new RuleError('Invalid description: must be a string');
  if (scope !== undefined && scope !== null && typeof scope !== 'string') throw new RuleError('Invalid scope: must be a string');
  const conds: Condition[] = conditions.map((c: unknown) => {
    if (!isObj(c)) throw new RuleError(`Validation failed for conditions: ${JSON.stringify(c)} is not of type 'object'`);
    if (typeof c.op !== 'string' || !(c.op in CONDITION_PARAMS)) throw new RuleError(`Validation failed for conditions: ${JSON.stringify(c.op ?? null)} is not one of ${JSON.stringify(CONDITION_OPS)}`);
    if (typeof c.field !== 'string') throw new RuleError(`Validation failed for conditions: 'field' is a required property`);
    const multiple = c.multiple ?? 'any';
    if (!['any', 'all', 'first'].includes(multiple as string)) throw new RuleError(`Validation failed for conditions: ${JSON.stringify(multiple)} is not one of ["any", "all", "first"]`);
    if (c.invert !== undefined && typeof c.invert !== 'boolean') throw new RuleError(`Validation failed for conditions: ${JSON.stringify(c.invert)} is not of type 'boolean'`);
    const [scheme, path] = splitField(c.field);
    if (scheme !== 'node' && scheme !== 'data') throw new RuleError(`Unsupported scheme for field: ${scheme}, valid values are node:// or data://`);
    try { parsePath(path); } catch (err) { throw new RuleError(`Unable to parse field JSON path ${c.field}: ${(err as Error).message}`); }
    const params: Obj = {};
    for (const [k, v] of Object.entries(c)) if (!['op', 'field', 'multiple', 'invert'].includes(k)) params[k] = v;
    let err = checkParams(CONDITION_PARAMS[c.op]!, params);
    if (!err && c.op === 'in-net' && !isValidCidr(String(params.value))) err = `invalid value: invalid IPNetwork ${String(params.value)}`;
    if (!err && (c.op === 'matches' || c.op === 'contains')) {
      try { new RegExp(String(params.value)); } catch (e) { err = `invalid regular expression: ${(e as Error).message}`; }
    }
    if (err) throw new RuleError(`Invalid parameters for operator ${c.op}: ${err}`);
    return { op: c.op, field: c.field, multiple: multiple as Condition['multiple'], invert: c.invert === true, params };
  });
  const acts: Action[] = actions.map((a: unknown) => {
    if (!isObj(a)) throw new RuleError(`Validation failed for actions: ${JSON.stringify(a)} is not of type 'object'`);
    if (typeof a.action !== 'string' || !(a.action in ACTION_PARAMS)) throw new RuleError(`Validation failed for actions: ${JSON.stringify(a.action ?? null)} is not one of ${JSON.stringify(ACTION_NAMES)}`);
    const params: Obj = {};
    for (const [k, v] of Object.entries(a)) if (k !== 'action') params[k] = v;
    const err = checkParams(ACTION_PARAMS[a.action]!, params);
    if (err) throw new RuleError(`Invalid parameters for action ${a.action}: ${err}`);
    return { action: a.action, params };
  });
  return { uuid: uuid as string | undefined, description: (description as string | undefined) ?? null, scope: (scope as string | undefined) ?? null, conditions: conds, actions: acts };
}

/** Rule as the API shows it (`short`: uuid, description, links only). */
export function ruleView(r: Rule, short = false): Obj {
  const links = [{ href: `/v1/rules/${r.uuid}`, rel: 'self' }];
  if (short) return { uuid: r.uuid, description: r.description, scope: r.scope, links };
  return {
    uuid: r.uuid, description: r.description, scope: r.scope, links,
    conditions: r.conditions.map((c) => ({ op: c.op, field: c.field, multiple: c.multiple, invert: c.invert, ...c.params })),
    actions: r.actions.map((a) => ({ action: a.action, ...a.params })),
  };
}

// --- evaluation --------------------------------------------------------------------------

function coerce(field: unknown, value: unknown): unknown {
  if (typeof value === 'number') {
    const n = Number(field);
    if (field === null || field === '' || Number.isNaN(n)) throw new ProcessingError(`could not convert ${JSON.stringify(field)} to a number`);
    return Number.isInteger(value) && typeof field === 'string' && !/^-?\d+$/.test(field.trim()) ? Math.trunc(n) : n;
  }
  return field;
}

function cmp(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}

function deepEq(a: unknown, b: unknown): boolean { return JSON.stringify(a) === JSON.stringify(b); }

function check(op: string, field: unknown, params: Obj): boolean {
  const value = params.value;
  switch (op) {
    case 'eq': return deepEq(coerce(field, value), value);
    case 'ne': return !deepEq(coerce(field, value), value);
    case 'lt': return cmp(coerce(field, value), value) < 0;
    case 'gt': return cmp(coerce(field, value), value) > 0;
    case 'le': return cmp(coerce(field, value), value) <= 0;
    case 'ge': return cmp(coerce(field, value), value) >= 0;
    case 'in-net': return inNet(field, String(value));
    case 'matches': { let re = String(value); if (!re.endsWith('$')) re += '$'; return new RegExp(`^(?:${re})`).test(String(field)); }
    case 'contains': return new RegExp(String(value)).test(String(field));
    case 'is-empty': return field === '' || field === null || field === undefined || (Array.isArray(field) && field.length === 0) || (isObj(field) && Object.keys(field).length === 0);
    default: return false;
  }
}

function conditionsHold(rule: Rule, node: Obj, data: Obj): boolean {
  for (const c of rule.conditions) {
    const [scheme, path] = splitField(c.field);
    let values = findAll(scheme === 'node' ? node : data, path);
    if (values.length === 0) {
      if (c.op !== 'is-empty') return false;
      values = [null];
    }
    let result = false;
    for (const v of values) {
      result = check(c.op, v, c.params);
      if (c.invert) result = !result;
      if (c.multiple === 'first' || (c.multiple === 'all' && !result) || (c.multiple === 'any' && result)) break;
    }
    if (!result) return false;
  }
  return true;
}

/** Python str.format over `data`, as inspector formats action values: `{data[a][b]}`. */
export function formatValue(value: unknown, data: Obj): unknown {
  if (typeof value === 'string') {
    return value.replace(/\{\{|\}\}|\{([^{}]*)\}/g, (m, expr: string | undefined) => {
      if (m === '{{') return '{';
      if (m === '}}') return '}';
      const mm = /^data((?:\[[^\]]+\])*)$/.exec(expr ?? '');
      if (!mm) throw new ProcessingError(`Invalid formatting variable key provided in value ${value}`);
      let cur: unknown = data;
      for (const k of mm[1]!.match(/\[([^\]]+)\]/g) ?? []) {
        const key = k.slice(1, -1);
        if (Array.isArray(cur) && /^\d+$/.test(key)) cur = cur[Number(key)];
        else if (isObj(cur) && key in cur) cur = cur[key];
        else throw new ProcessingError(`Invalid formatting variable key provided in value ${value}`);
      }
      return typeof cur === 'string' ? cur : JSON.stringify(cur);
    });
  }
  if (Array.isArray(value)) return value.map((v) => formatValue(v, data));
  if (isObj(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [formatValue(k, data) as string, formatValue(v, data)]));
  return value;
}

function pathKeys(path: string): string[] { return path.split('/').filter(Boolean); }

function setPath(node: Obj, path: string, value: unknown): void {
  const keys = pathKeys(path);
  if (keys.length === 0) throw new ProcessingError(`Invalid path for set-attribute: ${path}`);
  let cur: Obj = node;
  for (const k of keys.slice(0, -1)) {
    if (!isObj(cur[k])) cur[k] = {};
    cur = cur[k] as Obj;
  }
  cur[keys[keys.length - 1]!] = value;
}
function getPath(node: Obj, path: string): unknown {
  let cur: unknown = node;
  for (const k of pathKeys(path)) cur = isObj(cur) ? cur[k] : undefined;
  return cur;
}

/**
 * Run the rules over `node` (a mutable copy of the node as the API shows it, with a
 * `traits` string list) and the processed data. Throws ProcessingError from a `fail`
 * action. Returns the UUIDs of the rules applied.
 */
export function applyRules(rules: readonly Rule[], node: Obj, data: Obj): string[] {
  const props = (): Obj => (isObj(node.properties) ? node.properties : (node.properties = {}));
  const scopeOf = props().inspection_scope;
  const matching = rules.filter((r) => (!r.scope || r.scope === scopeOf) && conditionsHold(r, node, data));
  for (const r of matching) {
    for (const a of r.actions) {
      const p = a.params;
      switch (a.action) {
        case 'fail': throw new ProcessingError(String(p.message));
        case 'set-attribute': setPath(node, String(p.path), formatValue(p.value, data)); break;
        case 'set-capability': {
          const caps = parseCapabilities(props().capabilities);
          caps[String(p.name)] = String(formatValue(p.value ?? null, data));
          props().capabilities = formatCapabilities(caps);
          break;
        }
        case 'extend-attribute': {
          const cur = getPath(node, String(p.path));
          const list = Array.isArray(cur) ? [...cur] : [];
          const v = formatValue(p.value, data);
          if (!p.unique || !list.some((x) => deepEq(x, v))) list.push(v);
          setPath(node, String(p.path), list);
          break;
        }
        case 'add-trait': {
          const t = (node.traits as string[] | undefined) ?? [];
          if (!t.includes(String(p.name))) node.traits = [...t, String(p.name)];
          break;
        }
        case 'remove-trait': node.traits = ((node.traits as string[] | undefined) ?? []).filter((x) => x !== String(p.name)); break;
      }
    }
  }
  return matching.map((r) => r.uuid);
}
