/**
 * Validation of deploy template bodies with the messages Ironic 21.4 gives
 * (TEMPLATE_SCHEMA + DEPLOY_STEP_SCHEMA through python-jsonschema's best_match, then the
 * duplicate-step check and the UUID check).
 *
 * best_match picks the error with the shortest path; among equals, a "weak" anyOf error
 * loses to any other; otherwise schema order decides. For an anyOf that fails, the
 * message descends into the sub-error only when one sub-error is clearly better (the
 * value had the type that sub-schema expects); else it is "<v> is not valid under any of
 * the given schemas. Possible root cause: <first sub-error>".
 */
import { InvalidError } from '../core/errors.ts';
import { isUuidLike } from '../core/ids.ts';
import type { Json } from '../core/node.ts';
import type { DeployStep } from '../db/deploy-templates.ts';
import { pyRepr } from './schema.ts';
import { traitSchemaError } from './trait-schema.ts';

/** Interfaces a deploy step may name in 21.4 (DEPLOYING_INTERFACE_PRIORITY order). */
export const DEPLOY_STEP_INTERFACES = ['power', 'management', 'deploy', 'bios', 'raid'];

interface Found { msg: string; weak: boolean }

const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const notType = (v: unknown, t: string) => `${pyRepr(v)} is not of type ${t}`;

/** DEPLOY_STEP_SCHEMA priority: integer ≥ 0, or a string of digits. */
function priorityError(v: unknown): Found | null {
  if (typeof v === 'number' && Number.isInteger(v)) return v < 0 ? { msg: `${v} is less than the minimum of 0`, weak: false } : null;
  if (typeof v === 'string') {
    if (/^[0-9]+\n?$/.test(v)) return null;
    if (v.length === 0) return { msg: `'' is not valid under any of the given schemas. Possible root cause: '' is not of type 'integer'`, weak: true };
    return { msg: `${pyRepr(v)} does not match '^[0-9]+$'`, weak: true };
  }
  return { msg: `${pyRepr(v)} is not valid under any of the given schemas. Possible root cause: ${notType(v, "'integer'")}`, weak: true };
}

/** Errors at the step level (path [steps, i]) in schema order: type, required, additionalProperties. */
function stepShapeError(s: unknown): string | null {
  if (!isObj(s)) return notType(s, "'object'");
  for (const r of ['interface', 'step', 'args', 'priority']) if (!(r in s)) return `${pyRepr(r)} is a required property`;
  const extra = Object.keys(s).filter((k) => !['args', 'interface', 'priority', 'step'].includes(k));
  if (extra.length) return `Additional properties are not allowed (${extra.map((k) => pyRepr(k)).join(', ')} ${extra.length > 1 ? 'were' : 'was'} unexpected)`;
  return null;
}

/** Errors inside one step's properties (path [steps, i, key]), in schema order args, interface, priority, step. */
function stepFieldErrors(s: Record<string, unknown>): Found[] {
  const out: Found[] = [];
  if ('args' in s && !isObj(s.args)) out.push({ msg: notType(s.args, "'object'"), weak: false });
  if ('interface' in s) {
    if (typeof s.interface !== 'string') out.push({ msg: notType(s.interface, "'string'"), weak: false });
    else if (!DEPLOY_STEP_INTERFACES.includes(s.interface)) out.push({ msg: `${pyRepr(s.interface)} is not one of ${pyRepr(DEPLOY_STEP_INTERFACES)}`, weak: false });
  }
  if ('priority' in s) { const e = priorityError(s.priority); if (e) out.push(e); }
  if ('step' in s) {
    if (typeof s.step !== 'string') out.push({ msg: notType(s.step, "'string'"), weak: false });
    else if (s.step.length < 1) out.push({ msg: `'' is too short`, weak: false });
  }
  return out;
}

/** The best error among steps: step-level shape errors first, then field errors (strong before weak). */
function stepsError(steps: unknown[]): string | null {
  for (const s of steps) { const e = stepShapeError(s); if (e) return e; }
  const all = steps.flatMap((s) => stepFieldErrors(s as Record<string, unknown>));
  return (all.find((e) => !e.weak) ?? all[0])?.msg ?? null;
}

/** Validate one step alone (PATCH validates each patched step first). 400 "Schema error for <name>: …". */
export function validateStep(name: string, s: unknown): void {
  const e = stepShapeError(s) ?? stepsError([s]);
  if (e) throw new InvalidError(`Schema error for ${name}: ${e}`);
}

/**
 * Validate a whole template body (POST, or the patched document) and return its steps
 * normalised (priority as an integer). 400 with Ironic's message on the first error.
 */
export function validateTemplate(name: string, body: unknown): DeployStep[] {
  const fail = (m: string): never => { throw new InvalidError(`Schema error for ${name}: ${m}`); };
  if (!isObj(body)) return fail(notType(body, "'object'"));
  for (const r of ['steps', 'name']) if (!(r in body)) fail(`${pyRepr(r)} is a required property`);
  const extra = Object.keys(body).filter((k) => !['description', 'extra', 'name', 'steps', 'uuid'].includes(k));
  if (extra.length) fail(`Additional properties are not allowed (${extra.map((k) => pyRepr(k)).join(', ')} ${extra.length > 1 ? 'were' : 'was'} unexpected)`);
  const top: Found[] = [];
  const d = body.description;
  if (d !== undefined && d !== null) {
    if (typeof d !== 'string') top.push({ msg: notType(d, "'string', 'null'"), weak: false });
    else if (d.length > 255) top.push({ msg: `${pyRepr(d)} is too long`, weak: false });
  }
  if (body.extra !== undefined && body.extra !== null && !isObj(body.extra)) top.push({ msg: notType(body.extra, "'object', 'null'"), weak: false });
  const ne = traitSchemaError(body.name);
  if (ne) top.push({ msg: ne, weak: ne.includes('is not valid under any of the given schemas') });
  const steps = body.steps;
  if (!Array.isArray(steps)) top.push({ msg: notType(steps, "'array'"), weak: false });
  else if (steps.length < 1) top.push({ msg: `${pyRepr(steps)} is too short`, weak: false });
  if (body.uuid !== undefined && body.uuid !== null && typeof body.uuid !== 'string') top.push({ msg: notType(body.uuid, "'string', 'null'"), weak: false });
  const best = top.find((e) => !e.weak) ?? top[0];
  if (best) fail(best.msg);
  const se = stepsError(steps as unknown[]);
  if (se) fail(se);
  const list = (steps as Record<string, unknown>[]).map((s) => ({
    interface: s.interface as string, step: s.step as string, args: s.args as Json, priority: Number.parseInt(String(s.priority), 10),
  }));
  const seen = new Map<string, number>();
  for (const s of list) { const k = `interface: ${s.interface}, step: ${s.step}`; seen.set(k, (seen.get(k) ?? 0) + 1); }
  const dups = [...seen].filter(([, n]) => n > 1).map(([k]) => k);
  if (dups.length) {
    throw new InvalidError(`Deploy template invalid: Duplicate deploy steps. A deploy template cannot have multiple deploy steps with the same interface and step. Duplicates: ${dups.join('; ')}.`);
  }
  if (body.uuid !== undefined && body.uuid !== null && !isUuidLike(body.uuid)) throw new InvalidError(`Expected UUID for uuid: ${String(body.uuid)}`);
  return list;
}
