/**
 * /v1/nodes/{ident}/traits (1.37): GET list, PUT {traits: [...]} replaces, PUT /{trait}
 * adds one (no body, sets Location), DELETE removes all, DELETE /{trait} removes one.
 *
 * Validation follows Ironic's JSON schema for traits (messages as python-jsonschema
 * prints them, "Possible root cause" included) and runs before the node is looked up;
 * the 50-traits limit is the conductor's (it holds the node lock).
 *
 * Below 1.37 Ironic 21.4 falls back to the node controller: GET = `?fields=traits`
 * (406), PUT → 405, DELETE → 404 "Resource could not be found.".
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ApiDeps } from '../server.ts';
import { InvalidError, NotFoundError } from '../../core/errors.ts';
import { isValidTrait, CUSTOM_TRAIT_PATTERN, MAX_TRAIT_LENGTH } from '../../core/traits.ts';
import { publicUrl, supports } from '../context.ts';
import { RoutingError } from '../errors.ts';
import { pyRepr } from '../schema.ts';
import { mergedArgs, bodyAndArgs, checkRoutingIdent, loadNode, stringArg } from './node-args.ts';
import { nodeWordAsFields } from './node-fields.ts';

type P = { Params: { ident: string } };
type PT = { Params: { ident: string; trait: string } };

const EXCLUSIVE = 'A single node trait may be added via PUT /v1/nodes/<node identifier>/traits/<trait> with no body, '
  + 'or all node traits may be replaced via PUT /v1/nodes/<node identifier>/traits with the list of traits specified in the request body.';

/**
 * The jsonschema error for one trait value, or null when valid. `strong` errors (type,
 * length) win over the `anyOf` one when several items fail, as jsonschema's best_match.
 */
export function traitError(v: unknown): { message: string; strong: boolean } | null {
  if (typeof v !== 'string') return { message: `${pyRepr(v)} is not of type 'string'`, strong: true };
  if (v.length < 1) return { message: `${pyRepr(v)} is too short`, strong: true };
  if (v.length > MAX_TRAIT_LENGTH) return { message: `${pyRepr(v)} is too long`, strong: true };
  if (isValidTrait(v)) return null;
  return {
    message: `${pyRepr(v)} is not valid under any of the given schemas. Possible root cause: ${pyRepr(v)} does not match ${pyRepr(CUSTOM_TRAIT_PATTERN)}`,
    strong: false,
  };
}

/** Ironic's TRAITS_SCHEMA for the PUT body: {traits: [trait, ...]}, nothing else. */
export function validateTraitsBody(body: unknown): void {
  const fail = (m: string) => new InvalidError(`Schema error for body: ${m}`);
  if (body === null) return;
  if (typeof body !== 'object' || Array.isArray(body)) throw fail(`${pyRepr(body)} is not of type 'object'`);
  const o = body as Record<string, unknown>;
  const extra = Object.keys(o).filter((k) => k !== 'traits');
  if (extra.length) throw fail(`Additional properties are not allowed (${extra.map((k) => pyRepr(k)).join(', ')} ${extra.length > 1 ? 'were' : 'was'} unexpected)`);
  if (!('traits' in o)) return;
  if (!Array.isArray(o.traits)) throw fail(`${pyRepr(o.traits)} is not of type 'array'`);
  const errors = o.traits.map(traitError).filter((e): e is { message: string; strong: boolean } => e !== null);
  const best = errors.find((e) => e.strong) ?? errors[0];
  if (best) throw fail(best.message);
}

async function putTraits(req: FastifyRequest<P>, deps: ApiDeps, pathTrait: string | undefined, reply: { header(k: string, v: string): unknown }): Promise<void> {
  const { body, args } = bodyAndArgs(req, pathTrait === undefined ? ['trait'] : []);
  const trait = pathTrait ?? stringArg('trait', args.trait);
  if (trait !== undefined) {
    const e = traitError(trait);
    if (e) throw new InvalidError(`Schema error for trait: ${e.message}`);
  }
  validateTraitsBody(body);
  const traits = body !== null && typeof body === 'object' && 'traits' in body ? (body as { traits: string[] }).traits : undefined;
  // 21.4 retrieves the node before it checks that exactly one of trait / traits is given.
  const n = await loadNode(req, deps, req.params.ident);
  if ((trait && traits !== undefined) || !(trait || traits !== undefined)) throw new InvalidError(EXCLUSIVE);
  if (trait) {
    if (body !== null && typeof body === 'object' && Object.keys(body).length > 0) throw new InvalidError('No body should be provided when adding a trait');
    await deps.conductor.addTraits(n.id, [trait], false);
    reply.header('Location', `${publicUrl(req, deps.config.publicUrl)}/v1/nodes/${req.params.ident}/traits/${trait}`);
  } else {
    await deps.conductor.addTraits(n.id, traits!, true);
  }
}

async function deleteTraits(req: FastifyRequest<P>, deps: ApiDeps, pathTrait: string | undefined): Promise<void> {
  const a = mergedArgs(req, pathTrait === undefined ? ['trait'] : []);
  const trait = pathTrait ?? stringArg('trait', a.trait);
  const n = await loadNode(req, deps, req.params.ident);
  await deps.conductor.removeTraits(n.id, trait ? [trait] : null);
}

export function nodeTraitRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const T = '/v1/nodes/:ident/traits';
  app.get<P>(T, async (req) => {
    checkRoutingIdent(req.params.ident);
    if (!supports(req, 'traits')) return nodeWordAsFields(req, deps, req.params.ident, 'traits');
    mergedArgs(req, []);
    const n = await loadNode(req, deps, req.params.ident);
    return { traits: n.traits };
  });
  app.put<P>(T, async (req, reply) => {
    checkRoutingIdent(req.params.ident);
    if (!supports(req, 'traits')) throw new RoutingError(405);
    await putTraits(req, deps, undefined, reply);
    return reply.code(204).send();
  });
  app.put<PT>(`${T}/:trait`, async (req, reply) => {
    checkRoutingIdent(req.params.ident);
    if (!supports(req, 'traits')) throw new RoutingError(405);
    await putTraits(req, deps, req.params.trait, reply);
    return reply.code(204).send();
  });
  const del = async (req: FastifyRequest<PT | P>, trait: string | undefined) => {
    checkRoutingIdent(req.params.ident);
    if (!supports(req, 'traits')) {
      mergedArgs(req, []);
      throw new NotFoundError('Resource could not be found.');
    }
    await deleteTraits(req as FastifyRequest<P>, deps, trait);
  };
  app.delete<P>(T, async (req, reply) => { await del(req, undefined); return reply.code(204).send(); });
  app.delete<PT>(`${T}/:trait`, async (req, reply) => { await del(req, req.params.trait); return reply.code(204).send(); });
  const notAllowed = async (req: FastifyRequest<P>) => { checkRoutingIdent(req.params.ident); throw new RoutingError(405); };
  app.post<P>(T, notAllowed);
  app.patch<P>(T, notAllowed);
  app.get<PT>(`${T}/:trait`, notAllowed);
}
