/**
 * JSON PATCH with Ironic's rules: ops add/replace/remove only, path `^(/[\w-]+)+$`,
 * no new root attributes, only allowed roots, applied one op at a time so the error
 * names the op that failed. Atomic: the input document is never modified.
 */
import jsonpatch from 'fast-json-patch';
import { InvalidError } from '../core/errors.ts';
import { pyRepr } from './schema.ts';

export interface PatchOp { op: 'add' | 'replace' | 'remove'; path: string; value?: unknown }

const PATH_RE = /^(\/[\w-]+)+$/;

/** Validate the body against Ironic's patch schema (400 "Schema error for patch: …"). */
export function validatePatch(body: unknown): PatchOp[] {
  const err = (m: string) => new InvalidError(`Schema error for patch: ${m}`);
  if (!Array.isArray(body)) throw err(`${pyRepr(body)} is not of type 'array'`);
  for (const op of body) {
    if (op === null || typeof op !== 'object' || Array.isArray(op)) throw err(`${pyRepr(op)} is not of type 'object'`);
    const o = op as Record<string, unknown>;
    const extra = Object.keys(o).filter((k) => !['op', 'path', 'value'].includes(k));
    if (extra.length) throw err(`Additional properties are not allowed (${extra.map((k) => `'${k}'`).join(', ')} ${extra.length > 1 ? 'were' : 'was'} unexpected)`);
    if (!('op' in o)) throw err(`'op' is a required property`);
    if (!('path' in o)) throw err(`'path' is a required property`);
    if (typeof o.path !== 'string') throw err(`${pyRepr(o.path)} is not of type 'string'`);
    if (!PATH_RE.test(o.path)) throw err(`'${o.path}' does not match '^(/[\\\\w-]+)+$'`);
    if (typeof o.op !== 'string') throw err(`${pyRepr(o.op)} is not of type 'string'`);
    if (!['add', 'replace', 'remove'].includes(o.op)) throw err(`'${o.op}' is not one of ['add', 'replace', 'remove']`);
    if ((o.op === 'add' || o.op === 'replace') && !('value' in o)) {
      throw new InvalidError(`Couldn't apply patch '${pyRepr(o)}'. Reason: The value for the ${o.op} operation is missing`);
    }
  }
  return body as PatchOp[];
}

/** 400 unless every op's root is in `allowed`. */
export function checkAllowedRoots(ops: PatchOp[], allowed: readonly string[]): Set<string> {
  const roots = new Set<string>();
  for (const p of ops) {
    const root = p.path.split('/')[1]!;
    if (!allowed.includes(root)) throw new InvalidError(`Cannot patch ${p.path}. Only the following can be updated: ${allowed.join(', ')}`);
    roots.add(root);
  }
  return roots;
}

export function rootOf(p: PatchOp): string { return p.path.split('/')[1]!; }

/** Apply ops to a deep copy of `doc`. */
export function applyPatch<T extends Record<string, unknown>>(doc: T, ops: PatchOp[]): T {
  for (const p of ops) {
    if (p.op === 'add' && p.path.split('/').length === 2 && !(p.path.slice(1) in doc)) {
      throw new InvalidError(`Adding a new attribute (${p.path}) to the root of the resource is not allowed`);
    }
  }
  let cur = structuredClone(doc);
  for (const p of ops) {
    const missing = missingParent(cur, p.path);
    if (missing !== undefined) throw new InvalidError(`Couldn't apply patch '${pyRepr(p)}'. Reason: ${missing}`);
    try {
      // Ironic (python-jsonpatch) lets `add`/`replace` on a root that is null create it.
      cur = jsonpatch.applyOperation(cur, p as jsonpatch.Operation, true, true, false).newDocument as T;
    } catch (e) {
      const reason = (e as { name?: string; message?: string }).name === 'OPERATION_PATH_UNRESOLVABLE'
        ? (p.op === 'remove' ? `can't remove a non-existent object '${p.path.split('/').pop()}'` : `can't replace a non-existent object '${p.path.split('/').pop()}'`)
        : ((e as Error).message ?? String(e)).split('\n')[0];
      throw new InvalidError(`Couldn't apply patch '${pyRepr(p)}'. Reason: ${reason}`);
    }
  }
  return cur;
}

/**
 * python-jsonpointer's error while resolving the parent of `path` (JsonPointer.to_last):
 * a missing member of an object, a bad index of an array (or a string, a Python sequence
 * too) or a scalar on the way; undefined when the walk reaches the parent or stops at null
 * (the caller's rules handle a null root).
 */
function missingParent(doc: unknown, path: string): string | undefined {
  const parts = path.split('/').slice(1);
  let cur = doc;
  for (const [i, part] of parts.entries()) {
    const last = i === parts.length - 1;
    if (cur === null || cur === undefined) return undefined;
    if (Array.isArray(cur) || typeof cur === 'string') {
      if (part === '-') return undefined;
      if (!/^(0|[1-9][0-9]*)$/.test(part)) return `'${part}' is not a valid sequence index`;
      if (last || typeof cur === 'string') return undefined;
      if (Number(part) >= cur.length) return `index '${part}' is out of bounds`;
      cur = cur[Number(part)];
    } else if (typeof cur === 'object') {
      if (last) return undefined;
      // `member '%s' not found in %s` % (part, doc): the parent printed as a Python dict.
      if (!Object.prototype.hasOwnProperty.call(cur, part)) return `member '${part}' not found in ${pyRepr(cur)}`;
      cur = (cur as Record<string, unknown>)[part];
    } else {
      const type = typeof cur === 'boolean' ? 'bool' : Number.isInteger(cur) ? 'int' : 'float';
      return `Document '<class '${type}'>' does not support indexing, must be mapping/sequence or support __getitem__`;
    }
  }
  return undefined;
}
