/**
 * Read-only node records: bios (1.40; `detail`/`fields` 1.74), history (1.78) and
 * inventory (1.81). Below their version all three are Ironic's routing 404.
 *
 * - bios: rows of `bios_settings` ordered by name. The list shows created_at,
 *   updated_at, name, value (or `fields`, or with `detail=true` the registry attributes);
 *   links use the ident as given. GET one is `{<name>: {...}}` with registry attributes
 *   from 1.74 and links under the node UUID.
 * - history: oldest first, paged by event UUID (`marker`, `limit`); the list truncates
 *   events over 255 characters; `detail=true` and GET one add event_type, conductor, user.
 *   As in 21.4, GET one and `marker` find an event by UUID regardless of its node, and the
 *   `next` link repeats Ironic's rendering of the marker object.
 * - inventory: `{inventory, plugin_data}`; 404 naming the internal node id when none.
 *
 * Deviation (a 500 in 21.4): an unknown bios `fields` name → 400 'Field(s) "x" are not valid'.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Selectable } from 'kysely';
import type { ApiDeps } from '../server.ts';
import { InvalidError, NotFoundError } from '../../core/errors.ts';
import { isUuidLike, isValidLogicalName } from '../../core/ids.ts';
import type { BiosSettingsTable, NodeHistoryTable } from '../../db/schema.ts';
import { fromJson, boolOrNull } from '../../db/connect.ts';
import { makeLinks, publicUrl, supports } from '../context.ts';
import { RoutingError } from '../errors.ts';
import { pyRepr } from '../schema.ts';
import { mergedArgs, boolArg, intArg, stringArg, uuidOrNameArg, checkRoutingIdent, loadNode, pyStr } from './node-args.ts';

type P = { Params: { ident: string } };

const BIOS_DEFAULT = ['name', 'value'];
const BIOS_REGISTRY = ['name', 'value', 'attribute_type', 'allowable_values', 'lower_bound', 'max_length', 'min_length',
  'read_only', 'reset_required', 'unique', 'upper_bound'];
const BIOS_FIELDS = new Set([...BIOS_REGISTRY, 'created_at', 'updated_at']);

/** One setting as Ironic's object_to_dict renders it (created_at, updated_at, fields, links). */
export function renderBios(r: Selectable<BiosSettingsTable>, fields: readonly string[], base: string, linkIdent: string): Record<string, unknown> {
  const all: Record<string, unknown> = {
    name: r.name, value: r.value, attribute_type: r.attribute_type, allowable_values: fromJson<string[]>(r.allowable_values, []),
    lower_bound: r.lower_bound, max_length: r.max_length, min_length: r.min_length, read_only: boolOrNull(r.read_only),
    reset_required: boolOrNull(r.reset_required), unique: boolOrNull(r.unique), upper_bound: r.upper_bound,
    created_at: r.created_at, updated_at: r.updated_at,
  };
  const out: Record<string, unknown> = { created_at: r.created_at, updated_at: r.updated_at };
  for (const f of fields) out[f] = all[f];
  out.links = makeLinks(base, 'nodes', `${linkIdent}/bios/${r.name}`);
  return out;
}

/** Ironic's string_list for `fields` (comma split, trim, lower-case, de-duplicated). */
function fieldList(v: string): string[] {
  const out: string[] = [];
  for (const s of v.split(',')) { const t = s.trim().toLowerCase(); if (t && !out.includes(t)) out.push(t); }
  return out;
}

const HISTORY_FIELDS = ['uuid', 'created_at', 'severity', 'event'];
const HISTORY_DETAIL = ['uuid', 'created_at', 'severity', 'event_type', 'event', 'conductor', 'user'];

export function renderEvent(e: Selectable<NodeHistoryTable>, detail: boolean, base: string, nodeUuid: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of detail ? HISTORY_DETAIL : HISTORY_FIELDS) out[f] = (e as Record<string, unknown>)[f] ?? null;
  if (!detail && typeof e.event === 'string' && e.event.length > 255) out.event = `${e.event.slice(0, 251)}...`;
  out.links = [{ href: `${base}/v1/nodes/${nodeUuid}/history/${e.uuid}`, rel: 'self' }];
  return out;
}

/** oslo.versionedobjects' repr of a NodeHistory (what 21.4 writes as the first `marker`). */
export function historyRepr(e: Selectable<NodeHistoryTable> | undefined): string {
  if (!e) return 'None';
  const s = (v: string | null) => (v === null ? 'None' : `'${v}'`);
  const t = (v: string | null) => (v === null ? 'None' : `${v.slice(0, 19)}Z`);
  return `NodeHistory(conductor=${s(e.conductor)},created_at=${t(e.created_at)},event=${s(e.event)},event_type=${s(e.event_type)},`
    + `id=${e.id},node_id=${e.node_id},severity=${s(e.severity)},updated_at=${t(e.updated_at)},user=${s(e.user)},uuid=${e.uuid})`;
}

async function historyByUuid(deps: ApiDeps, uuid: string): Promise<Selectable<NodeHistoryTable>> {
  const e = await deps.db.selectFrom('node_history').selectAll().where('uuid', '=', uuid).executeTakeFirst();
  if (!e) throw new NotFoundError(`Node history record ${uuid} could not be found.`);
  return e;
}

export function nodeDataRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const N = '/v1/nodes/:ident';
  const gate = (req: FastifyRequest<P>, ok: boolean) => {
    checkRoutingIdent(req.params.ident);
    if (!ok) throw new RoutingError(404);
  };

  // --- bios -------------------------------------------------------------------------
  app.get<P>(`${N}/bios`, async (req) => {
    gate(req, supports(req, 'bios'));
    const a = mergedArgs(req, ['detail', 'fields']);
    const detail = boolArg('detail', a.detail);
    const rawFields = stringArg('fields', a.fields);
    const fields = rawFields === undefined ? undefined : fieldList(rawFields);
    const n = await loadNode(req, deps, req.params.ident);
    const allowQuery = supports(req, 'bios_registry');
    if (detail !== undefined && !allowQuery) throw new InvalidError(`Invalid query parameter ?detail=${detail ? 'True' : 'False'} received.`);
    if (fields !== undefined && !allowQuery) throw new InvalidError(`Invalid query parameter ?fields=${pyRepr(fields)} received.`);
    if (fields !== undefined && detail) throw new InvalidError('Can not specify ?detail=True and fields in the same request.');
    const bad = (fields ?? []).filter((f) => !BIOS_FIELDS.has(f));
    if (bad.length) throw new InvalidError(`Field(s) "${bad.join(', ')}" are not valid`);
    const show = detail ? BIOS_REGISTRY : (fields ?? BIOS_DEFAULT);
    const rows = await deps.db.selectFrom('bios_settings').selectAll().where('node_id', '=', n.id).orderBy('name').execute();
    const base = publicUrl(req, deps.config.publicUrl);
    return { bios: rows.map((r) => renderBios(r, show, base, req.params.ident)) };
  });
  app.get<{ Params: { ident: string; name: string } }>(`${N}/bios/:name`, async (req) => {
    gate(req as unknown as FastifyRequest<P>, supports(req, 'bios'));
    mergedArgs(req, []);
    const name = req.params.name;
    if (!isValidLogicalName(name) && !isUuidLike(name)) throw new InvalidError(`Expected name for setting_name: ${name}`);
    const n = await loadNode(req, deps, req.params.ident);
    const r = await deps.db.selectFrom('bios_settings').selectAll().where('node_id', '=', n.id).where('name', '=', name).executeTakeFirst();
    if (!r) throw new NotFoundError(`Node ${n.uuid} doesn't have a BIOS setting '${name}'`);
    const show = supports(req, 'bios_registry') ? BIOS_REGISTRY : BIOS_DEFAULT;
    return { [name]: renderBios(r, show, publicUrl(req, deps.config.publicUrl), n.uuid) };
  });

  // --- history ----------------------------------------------------------------------
  app.get<P>(`${N}/history`, async (req) => {
    gate(req, supports(req, 'history'));
    const a = mergedArgs(req, ['detail', 'marker', 'limit']);
    const detail = boolArg('detail', a.detail) ?? false;
    const markerUuid = a.marker === undefined || a.marker === null ? undefined : pyStr(a.marker);
    if (markerUuid !== undefined && !isUuidLike(markerUuid)) throw new InvalidError(`Expected UUID for marker: ${markerUuid}`);
    let limit = intArg('limit', a.limit);
    const n = await loadNode(req, deps, req.params.ident);
    const marker = markerUuid === undefined ? undefined : await historyByUuid(deps, markerUuid);
    if (limit === undefined) limit = deps.config.maxLimit;
    else if (limit <= 0) throw new InvalidError('Limit must be positive');
    else limit = Math.min(deps.config.maxLimit, limit);
    let q = deps.db.selectFrom('node_history').selectAll().where('node_id', '=', n.id);
    if (marker) q = q.where('id', '>', marker.id);
    const rows = await q.orderBy('id', 'asc').limit(limit).execute();
    const base = publicUrl(req, deps.config.publicUrl);
    const out: Record<string, unknown> = { history: rows.map((e) => renderEvent(e, detail, base, n.uuid)) };
    if (rows.length && rows.length === limit) {
      const fields = (detail ? HISTORY_DETAIL : HISTORY_FIELDS).join(',');
      out.next = `${base}/v1/nodes/${req.params.ident}/history?marker=${historyRepr(marker)}&fields=${fields}&limit=${limit}&marker=${rows.at(-1)!.uuid}`;
    }
    return out;
  });
  app.get<{ Params: { ident: string; event: string } }>(`${N}/history/:event`, async (req) => {
    gate(req as unknown as FastifyRequest<P>, supports(req, 'history'));
    mergedArgs(req, []);
    const ev = uuidOrNameArg('event', req.params.event)!;
    const n = await loadNode(req, deps, req.params.ident);
    const e = isUuidLike(ev) ? await historyByUuid(deps, ev) : undefined;
    if (!e) throw new NotFoundError(`Node history record ${ev} could not be found.`);
    return renderEvent(e, true, publicUrl(req, deps.config.publicUrl), n.uuid);
  });

  // --- inventory --------------------------------------------------------------------
  app.get<P>(`${N}/inventory`, async (req) => {
    gate(req, supports(req, 'inventory'));
    mergedArgs(req, []);
    const n = await loadNode(req, deps, req.params.ident);
    const r = await deps.db.selectFrom('node_inventory').selectAll().where('node_id', '=', n.id).executeTakeFirst();
    if (!r) throw new NotFoundError(`Node inventory record for node ${n.id} could not be found.`);
    return { inventory: fromJson(r.inventory_data, {}), plugin_data: fromJson(r.plugin_data, {}) };
  });

  const notAllowed = async (req: FastifyRequest<P>) => { checkRoutingIdent(req.params.ident); throw new RoutingError(405); };
  for (const path of ['bios', 'history', 'inventory']) {
    for (const m of ['PUT', 'POST', 'PATCH', 'DELETE'] as const) app.route<P>({ method: m, url: `${N}/${path}`, handler: notAllowed });
  }
  app.delete<P>(`${N}/bios/:name`, notAllowed);
}
