/**
 * /v1/deploy_templates (API 1.55): CRUD by UUID or name. The name is a trait; steps are
 * deploy steps of the power/management/deploy/bios/raid interfaces; `description` passes
 * validation but is neither stored nor returned (as in Ironic). Step args are
 * password-masked in every response.
 *
 * Below 1.55: GET → 404, other methods → 405 (routing errors, Ironic's description).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ApiDeps } from '../server.ts';
import { InvalidError, NotFoundError } from '../../core/errors.ts';
import { canonicalUuid, isUuidLike, newUuid } from '../../core/ids.ts';
import type { Json } from '../../core/node.ts';
import { DeployTemplateRepo, DEPLOY_TEMPLATE_COLUMNS, type DeployStep, type DeployTemplate } from '../../db/deploy-templates.ts';
import { supports, publicUrl } from '../context.ts';
import { queryOf, parseBool } from '../params.ts';
import { validateSortDir, nextLink } from '../collection.ts';
import { pyRepr } from '../schema.ts';
import { validatePatch, checkAllowedRoots, applyPatch } from '../patch.ts';
import { RoutingError } from '../errors.ts';
import { fieldsArg, checkInvalidFields, limitArg, sortKeyArg, uuidOrNameArg, nameArg, isLogicalName } from '../listing.ts';
import { validateTemplate, validateStep } from '../deploy-template-schema.ts';
import { renderDeployTemplate, DEPLOY_TEMPLATE_FIELDS, DEPLOY_TEMPLATE_DEFAULT_FIELDS } from '../views/deploy-template.ts';

const TOO_OLD = 'The API version does not allow deploy templates';
const PATCH_ALLOWED = ['extra', 'name', 'steps', 'description'];
const INVALID_SORT_KEYS = ['extra', 'steps'];

function gate(req: FastifyRequest): void {
  if (!supports(req, 'deploy_templates')) throw new RoutingError(req.method === 'GET' ? 404 : 405, TOO_OLD);
}

const repoOf = (deps: ApiDeps) => new DeployTemplateRepo(deps.db);
const baseOf = (req: FastifyRequest, deps: ApiDeps) => publicUrl(req, deps.config.publicUrl);

/** get_rpc_deploy_template: UUID, else logical name; 404 when missing. */
async function lookup(deps: ApiDeps, ident: string): Promise<DeployTemplate> {
  let t: DeployTemplate | undefined;
  if (isUuidLike(ident)) t = await repoOf(deps).getByUuid(canonicalUuid(ident));
  else if (isLogicalName(ident)) t = await repoOf(deps).getByName(ident);
  else throw new InvalidError(`Expected a logical name or UUID but received ${ident}.`);
  if (!t) throw new NotFoundError(`Deploy template ${ident} could not be found.`);
  return t;
}

function render(req: FastifyRequest, deps: ApiDeps, t: DeployTemplate, fields?: string[]): Record<string, unknown> {
  checkInvalidFields(fields, DEPLOY_TEMPLATE_FIELDS);
  return renderDeployTemplate(t, baseOf(req, deps), fields);
}

async function list(req: FastifyRequest, deps: ApiDeps): Promise<Record<string, unknown>> {
  const q = queryOf(req, ['marker', 'limit', 'sort_key', 'sort_dir', 'fields', 'detail']);
  const marker = nameArg('marker', q.marker);
  const limit = limitArg(q.limit, deps.config.maxLimit);
  let fields = fieldsArg(q.fields);
  const detail = parseBool('detail', q.detail);
  if (fields !== undefined && detail) throw new InvalidError('Can not specify ?detail=True and fields in the same request.');
  if (fields === undefined && !detail) fields = [...DEPLOY_TEMPLATE_DEFAULT_FIELDS];
  const sortDir = validateSortDir(q.sort_dir);
  const sortKey = sortKeyArg(q.sort_key, DEPLOY_TEMPLATE_COLUMNS, INVALID_SORT_KEYS);
  let m: { id: number; sortValue: unknown } | undefined;
  if (marker !== undefined) {
    const t = isUuidLike(marker) ? await repoOf(deps).getByUuid(canonicalUuid(marker)) : undefined;
    if (!t) throw new NotFoundError(`Deploy template ${marker} could not be found.`);
    const raw = await deps.db.selectFrom('deploy_templates').selectAll().where('id', '=', t.id).executeTakeFirstOrThrow();
    m = { id: t.id, sortValue: (raw as Record<string, unknown>)[sortKey] };
  }
  const templates = await repoOf(deps).list({ limit, sortKey, sortDir, marker: m });
  if (templates.length) checkInvalidFields(fields, DEPLOY_TEMPLATE_FIELDS);
  const base = baseOf(req, deps);
  const items = templates.map((t) => renderDeployTemplate(t, base, fields));
  const params: [string, unknown][] = [['sort_key', sortKey], ['sort_dir', sortDir]];
  if (detail !== undefined) params.push(['detail', detail]);
  if (fields) params.push(['fields', fields.join(',')]);
  const next = nextLink(base, 'deploy_templates', items, limit, templates.at(-1)?.uuid, params);
  return next ? { deploy_templates: items, next } : { deploy_templates: items };
}

async function create(req: FastifyRequest, deps: ApiDeps): Promise<Record<string, unknown>> {
  const body = req.body === undefined || req.body === null ? {} : req.body;
  const steps = validateTemplate('template', body);
  const b = body as Record<string, unknown>;
  const uuid = b.uuid ? canonicalUuid(b.uuid as string) : newUuid();
  const t = await repoOf(deps).create({ uuid, name: b.name as string, extra: (b.extra as Json | null | undefined) ?? {}, steps });
  const out = render(req, deps, t);
  // Ironic answers the create with the priorities exactly as sent ("10" stays a string).
  const given = b.steps as { priority: unknown }[];
  (out.steps as { priority: unknown }[]).forEach((s, i) => { s.priority = given[i]!.priority; });
  return out;
}

async function patch(req: FastifyRequest, deps: ApiDeps, ident: string): Promise<DeployTemplate> {
  uuidOrNameArg('template_ident', ident);
  const ops = validatePatch(req.body);
  checkAllowedRoots(ops, PATCH_ALLOWED);
  const t = await lookup(deps, ident);
  const doc: Record<string, unknown> = {
    id: t.id, uuid: t.uuid, name: t.name, extra: t.extra, created_at: t.created_at, updated_at: t.updated_at,
    steps: t.steps.map((s) => ({ ...s })),
  };
  const after = applyPatch(doc, ops);
  const rawSteps = Array.isArray(after.steps) ? after.steps : [];
  const pruned = rawSteps.map((s: unknown) => {
    if (s === null || typeof s !== 'object' || Array.isArray(s)) return s;
    const o = s as Record<string, unknown>;
    return Object.fromEntries(['args', 'interface', 'priority', 'step'].filter((k) => k in o).map((k) => [k, o[k]]));
  });
  for (const s of pruned) validateStep('patch', s);
  const checked: Record<string, unknown> = {};
  for (const k of ['description', 'extra', 'name', 'steps', 'uuid']) if (k in after) checked[k] = k === 'steps' ? pruned : after[k];
  const steps: DeployStep[] = validateTemplate('patch', checked);
  const changes: { name?: string; extra?: Json; steps?: DeployStep[] } = {};
  if (checked.name !== t.name) changes.name = checked.name as string;
  const extra = (checked.extra ?? {}) as Json;
  if (JSON.stringify(extra) !== JSON.stringify(t.extra)) changes.extra = extra;
  if (JSON.stringify(steps) !== JSON.stringify(t.steps)) changes.steps = steps;
  if (Object.keys(changes).length === 0) return t;
  return repoOf(deps).update(t.id, changes);
}

export function deployTemplateRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.get('/v1/deploy_templates', async (req) => { gate(req); return list(req, deps); });
  app.post('/v1/deploy_templates', async (req, reply) => {
    gate(req);
    queryOf(req, []);
    const out = await create(req, deps);
    reply.code(201).header('Location', `${baseOf(req, deps)}/v1/deploy_templates/${String(out.uuid)}`);
    return out;
  });
  app.get<{ Params: { ident: string } }>('/v1/deploy_templates/:ident', async (req) => {
    gate(req);
    const q = queryOf(req, ['fields']);
    uuidOrNameArg('template_ident', req.params.ident);
    const fields = fieldsArg(q.fields);
    return render(req, deps, await lookup(deps, req.params.ident), fields);
  });
  app.patch<{ Params: { ident: string } }>('/v1/deploy_templates/:ident', async (req) => {
    gate(req);
    queryOf(req, []);
    return render(req, deps, await patch(req, deps, req.params.ident));
  });
  app.delete<{ Params: { ident: string } }>('/v1/deploy_templates/:ident', async (req, reply) => {
    gate(req);
    queryOf(req, []);
    uuidOrNameArg('template_ident', req.params.ident);
    const t = await lookup(deps, req.params.ident);
    await repoOf(deps).destroy(t.id);
    return reply.code(204).send();
  });
  // Ironic binds a trailing word on POST to the body argument, and misses the ident on PATCH/DELETE.
  app.post<{ Params: { ident: string } }>('/v1/deploy_templates/:ident', async (req) => {
    gate(req);
    throw new InvalidError(`Schema error for template: ${pyRepr(req.params.ident)} is not of type 'object'`);
  });
  app.route({
    method: ['PATCH', 'DELETE'], url: '/v1/deploy_templates',
    handler: async (req) => { gate(req); throw new InvalidError('Missing mandatory parameter: template_ident'); },
  });
  app.route({ method: 'PUT', url: '/v1/deploy_templates', handler: async (req) => { gate(req); throw new RoutingError(405); } });
  app.route({ method: 'PUT', url: '/v1/deploy_templates/:ident', handler: async (req) => { gate(req); throw new RoutingError(405); } });
}
