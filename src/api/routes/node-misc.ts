/**
 * Node sub-resources that are one call each: maintenance (PUT/DELETE, 202), validate
 * (GET /v1/nodes/{ident}/validate and the legacy /v1/nodes/validate?node=|node_uuid=),
 * vendor_passthru (any method; sync 200 with the method's return value, async 202) and
 * vendor_passthru/methods, and vifs (1.28; GET, POST, DELETE /{vif}).
 *
 * Deviations from 21.4, all 500s there: unexpected query arguments on GET vifs and on
 * the path form of validate answer 400 "Unexpected arguments"; a vendor passthru body that
 * is not a JSON object reaches the driver, whose own argument checks answer 400.
 * Also: 21.4 caches vendor_passthru/methods per hardware type (the first node asked
 * decides for all nodes of that type, whatever their vendor interface); we answer for
 * the node's own vendor interface.
 */
import type { FastifyInstance, FastifyRequest, FastifyReply } from 'fastify';
import type { ApiDeps } from '../server.ts';
import { InvalidError, NotAcceptableError, NotFoundError } from '../../core/errors.ts';
import { isUuidLike } from '../../core/ids.ts';
import type { Json } from '../../core/node.ts';
import { supports } from '../context.ts';
import { RoutingError } from '../errors.ts';
import { validate, type Schema } from '../schema.ts';
import {
  mergedArgs, bodyAndArgs, stringArg, required, uuidOrNameArg, checkIdentArg, checkRoutingIdent, loadNode, pyStr,
} from './node-args.ts';

type P = { Params: { ident: string } };

const VIF_SCHEMA: Schema = { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] };

/**
 * validate(node=None, node_uuid=None): `node_uuid` wins over `node`; a name needs 1.5
 * (406 below); neither given → Ironic's messages for a `None` ident.
 */
async function validateNode(req: FastifyRequest, deps: ApiDeps, node: unknown, nodeUuid: unknown): Promise<unknown> {
  const byName = uuidOrNameArg('node', node);
  if (nodeUuid !== undefined && nodeUuid !== null && !isUuidLike(nodeUuid)) throw new InvalidError(`Expected UUID for node_uuid: ${pyStr(nodeUuid)}`);
  if (byName !== undefined && !supports(req, 'node_name') && !isUuidLike(byName)) throw new NotAcceptableError('Request not acceptable.');
  const ident = (nodeUuid as string | undefined | null) || byName;
  if (ident === undefined || ident === null) {
    if (!supports(req, 'node_name')) throw new NotFoundError('Node None could not be found.');
    throw new InvalidError('Expected a logical name or UUID but received None.');
  }
  const n = await loadNode(req, deps, ident);
  return deps.conductor.validateDriverInterfaces(n.id);
}

async function passthru(req: FastifyRequest<P>, reply: FastifyReply, deps: ApiDeps, pathMethod?: string): Promise<FastifyReply> {
  const { body, args } = bodyAndArgs(req, pathMethod === undefined ? ['method'] : []);
  checkIdentArg(req.params.ident);
  const method = required('method', stringArg('method', pathMethod ?? args.method));
  const n = await loadNode(req, deps, req.params.ident);
  if (!method) throw new InvalidError('Method not specified');
  const res = await deps.conductor.vendorPassthru(n.id, method, req.method.toUpperCase(), body ?? {});
  if (res.async) return reply.code(202).send();
  const payload = typeof res.result === 'string' && res.attach ? res.result : JSON.stringify(res.result ?? null);
  return reply.code(200).type('application/json').send(payload);
}

export function nodeMiscRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const N = '/v1/nodes/:ident';
  const routingNotAllowed = async (req: FastifyRequest<P>) => { checkRoutingIdent(req.params.ident); throw new RoutingError(405); };

  // --- maintenance ------------------------------------------------------------------
  app.put<P>(`${N}/maintenance`, async (req, reply) => {
    const a = mergedArgs(req, ['reason']);
    checkIdentArg(req.params.ident);
    const reason = stringArg('reason', a.reason);
    const n = await loadNode(req, deps, req.params.ident);
    await deps.conductor.setMaintenance(n.id, true, reason ?? null);
    return reply.code(202).send();
  });
  app.delete<P>(`${N}/maintenance`, async (req, reply) => {
    mergedArgs(req, []);
    checkIdentArg(req.params.ident);
    const n = await loadNode(req, deps, req.params.ident);
    await deps.conductor.setMaintenance(n.id, false);
    return reply.code(202).send();
  });
  for (const m of ['GET', 'POST', 'PATCH'] as const) app.route<P>({ method: m, url: `${N}/maintenance`, handler: routingNotAllowed });

  // --- validate -----------------------------------------------------------------------
  app.get('/v1/nodes/validate', async (req) => {
    const a = mergedArgs(req, ['node', 'node_uuid']);
    return validateNode(req, deps, a.node, a.node_uuid);
  });
  app.get<P>(`${N}/validate`, async (req) => {
    checkRoutingIdent(req.params.ident);
    const a = mergedArgs(req, ['node_uuid']);
    return validateNode(req, deps, req.params.ident, a.node_uuid);
  });
  app.put<P>(`${N}/validate`, routingNotAllowed);

  // --- vendor passthru ----------------------------------------------------------------
  app.get<P>(`${N}/vendor_passthru/methods`, async (req) => {
    mergedArgs(req, []);
    checkIdentArg(req.params.ident);
    const n = await loadNode(req, deps, req.params.ident);
    return deps.conductor.vendorPassthruMethods(n.id);
  });
  const ANY = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
  app.route<P>({ method: [...ANY], url: `${N}/vendor_passthru`, handler: (req, reply) => passthru(req, reply, deps) });
  app.route<{ Params: { ident: string; method: string } }>({
    method: [...ANY], url: `${N}/vendor_passthru/:method`,
    handler: (req, reply) => passthru(req as unknown as FastifyRequest<P>, reply, deps, req.params.method),
  });

  // --- VIFs (1.28) ----------------------------------------------------------------------
  const vifGate = (req: FastifyRequest<P>) => {
    checkRoutingIdent(req.params.ident);
    if (!supports(req, 'vifs')) throw new RoutingError(404);
  };
  app.get<P>(`${N}/vifs`, async (req) => {
    vifGate(req);
    mergedArgs(req, []);
    const n = await loadNode(req, deps, req.params.ident);
    return { vifs: await deps.conductor.vifList(n.id) };
  });
  app.post<P>(`${N}/vifs`, async (req, reply) => {
    vifGate(req);
    const { body } = bodyAndArgs(req, []);
    validate('vif', body, VIF_SCHEMA);
    const vif = body as Json;
    uuidOrNameArg('id', vif.id);
    const n = await loadNode(req, deps, req.params.ident);
    if (supports(req, 'vif_port_uuid') && 'port_uuid' in vif && 'portgroup_uuid' in vif) {
      throw new InvalidError('Cannot specify both port_uuid and portgroup_uuid');
    }
    await deps.conductor.vifAttach(n.id, vif);
    return reply.code(204).send();
  });
  app.delete<P>(`${N}/vifs`, async (req) => {
    vifGate(req);
    mergedArgs(req, ['vif_id']);
    throw new InvalidError('Missing mandatory parameter: vif_id');
  });
  app.delete<{ Params: { ident: string; vif: string } }>(`${N}/vifs/:vif`, async (req, reply) => {
    vifGate(req);
    mergedArgs(req, []);
    const vifId = uuidOrNameArg('vif_id', req.params.vif)!;
    const n = await loadNode(req, deps, req.params.ident);
    await deps.conductor.vifDetach(n.id, vifId);
    return reply.code(204).send();
  });
  const vifNotAllowed = async (req: FastifyRequest<P>) => { vifGate(req); throw new RoutingError(405); };
  for (const m of ['PUT', 'PATCH'] as const) app.route<P>({ method: m, url: `${N}/vifs`, handler: vifNotAllowed });
  for (const m of ['GET', 'PUT', 'POST', 'PATCH'] as const) app.route<P>({ method: m, url: `${N}/vifs/:vif`, handler: vifNotAllowed });
}
