/**
 * Port writes (POST, PATCH, DELETE /v1/ports) with Ironic 21.4's rules: the body schema and
 * per-field validators, `local_link_connection` (switch_id MAC or datapath id, smart-NIC
 * and unmanaged variants, network_type 1.64), version gating (406), portgroup membership on
 * the same node; then `ConductorApi.createPort/updatePort/destroyPort`, which take the node
 * lock and apply the physical network, VIF and node-state rules there (conductor/node-resources.ts).
 *
 * Deviations from 21.4 (all 500s there): moving a port to another node works; a portgroup
 * on another node is refused with 400 on PATCH as on POST; `null` for pxe_enabled and a
 * removed node_uuid are 400; `is_smartnic: null` is stored as false.
 */
import type { FastifyRequest } from 'fastify';
import type { ApiDeps } from '../server.ts';
import type { Json } from '../../core/node.ts';
import { ConflictError, ForbiddenError, InvalidError, NotAcceptableError, NotFoundError } from '../../core/errors.ts';
import { newUuid } from '../../core/ids.ts';
import { ProvisionState as S } from '../../core/states.ts';
import { PortRepo, type Port, type PortChanges } from '../../db/ports.ts';
import { PortgroupRepo, type Portgroup } from '../../db/portgroups.ts';
import { supports } from '../context.ts';
import { validateSchema, type JSchema } from '../jsonschema.ts';
import { validatePatch, checkAllowedRoots, applyPatch, type PatchOp } from '../patch.ts';
import {
  boolArg, uuidArg, macArg, isMac, isDatapathId, pyStr, nodeForPatch, firstOpTouches, patchMentions,
} from '../resource-args.ts';

export const PORT_PATCH_ALLOWED = [
  'address', 'extra', 'is_smartnic', 'local_link_connection', 'node_uuid', 'physical_network', 'portgroup_uuid', 'pxe_enabled',
];

const LLC_PROPERTIES: Record<string, JSchema> = {
  port_id: { type: 'string' }, switch_id: { type: 'string' }, hostname: { type: 'string' }, switch_info: { type: 'string' },
  network_type: { type: 'string', enum: ['managed', 'unmanaged'] },
};
const llc = (required: string[], props = LLC_PROPERTIES): JSchema => ({ type: 'object', properties: props, additionalProperties: false, required });
/** Smart-NIC ports need port_id and hostname. */
const LLC_SMART_NIC = llc(['port_id', 'hostname']);
/** LOCAL_LINK_CONN_SCHEMA: switch link, smart NIC, unmanaged network, or empty. */
const LLC_SCHEMA: JSchema = {
  anyOf: [
    llc(['port_id', 'switch_id']),
    LLC_SMART_NIC,
    llc(['network_type'], { ...LLC_PROPERTIES, network_type: { type: 'string', enum: ['unmanaged'] } }),
    { type: 'object', additionalProperties: false },
  ],
};

const PORT_SCHEMA: JSchema = {
  type: 'object',
  properties: {
    address: { type: 'string' }, extra: { type: ['object', 'null'] }, is_smartnic: { type: ['string', 'boolean', 'null'] },
    local_link_connection: { type: ['null', 'object'] }, node_uuid: { type: 'string' },
    physical_network: { type: ['string', 'null'], maxLength: 64 }, portgroup_uuid: { type: ['string', 'null'] },
    pxe_enabled: { type: ['string', 'boolean', 'null'] }, uuid: { type: ['string', 'null'] },
  },
  required: ['address', 'node_uuid'],
  additionalProperties: false,
};

/** LOCAL_LINK_VALIDATOR: the schema, then switch_id normalised (MAC or datapath id, lower-case). */
function localLink(v: unknown): Json | null | undefined {
  if (v === undefined || v === null) return v;
  validateSchema('local_link_connection', v, LLC_SCHEMA);
  const out = { ...(v as Json) };
  if (Object.keys(out).length === 0 || !('switch_id' in out)) return out;
  const sw = out.switch_id;
  if (isMac(sw) || isDatapathId(sw)) out.switch_id = (sw as string).toLowerCase();
  else throw new InvalidError(`Expected a MAC address or OpenFlow datapath ID but received ${pyStr(sw)}.`);
  return out;
}

/** PORT_VALIDATOR: schema (errors named `name`), then the per-field validators in Ironic's order. */
function validatePort(name: string, body: unknown): Json {
  validateSchema(name, body, PORT_SCHEMA);
  const b = { ...(body as Json) };
  if ('address' in b) b.address = macArg('address', b.address) ?? null;
  if ('node_uuid' in b) b.node_uuid = uuidArg('node_uuid', b.node_uuid) ?? null;
  if ('is_smartnic' in b) b.is_smartnic = boolArg('is_smartnic', b.is_smartnic) ?? null;
  if ('local_link_connection' in b) b.local_link_connection = localLink(b.local_link_connection);
  if ('portgroup_uuid' in b) b.portgroup_uuid = uuidArg('portgroup_uuid', b.portgroup_uuid) ?? null;
  if ('pxe_enabled' in b) b.pxe_enabled = boolArg('pxe_enabled', b.pxe_enabled) ?? null;
  if ('uuid' in b) b.uuid = uuidArg('uuid', b.uuid) ?? null;
  return b;
}

/** `_check_allowed_port_fields`: 406 for a field newer than the request. `llc` = the body's value, if any. */
export function checkPortFields(req: FastifyRequest, fields: Iterable<string> | undefined, llcValue?: unknown): void {
  if (!fields) return;
  const f = new Set(fields);
  const no = () => new NotAcceptableError('Request not acceptable.');
  if (!supports(req, 'port_llc') && (f.has('pxe_enabled') || f.has('local_link_connection'))) throw no();
  if (f.has('portgroup_uuid') && !supports(req, 'portgroup_subresources')) throw no();
  if (f.has('physical_network') && !supports(req, 'physical_network')) throw no();
  if (f.has('is_smartnic') && !supports(req, 'smartnic')) throw no();
  if (f.has('local_link_connection/network_type') && !supports(req, 'network_type')) throw no();
  if (llcValue && typeof llcValue === 'object' && 'network_type' in llcValue && !supports(req, 'network_type')) throw no();
}

const DIFFERENT_NODE = 'Port can not be added to a portgroup belonging to a different node.';
const NO_NULL_PXE = "Field `pxe_enabled' cannot be None";

export async function createPort(req: FastifyRequest, deps: ApiDeps, nested: boolean): Promise<Port> {
  const v = validatePort('port', req.body ?? {});
  const node = await deps.nodes.getByUuid(v.node_uuid as string);
  if (!node) throw new InvalidError(`Node ${String(v.node_uuid)} could not be found.`);
  if (nested) throw new ForbiddenError();
  checkPortFields(req, Object.keys(v).filter((k) => k !== 'node_uuid').concat('node_id'), v.local_link_connection);
  let pg: Portgroup | undefined;
  if (v.portgroup_uuid) {
    pg = await new PortgroupRepo(deps.db).getByUuid(v.portgroup_uuid as string);
    if (!pg) throw new InvalidError(`Portgroup ${String(v.portgroup_uuid)} could not be found.`);
    if (pg.node_id !== node.id) throw new InvalidError(DIFFERENT_NODE);
  }
  if (v.is_smartnic && v.local_link_connection) {
    try { validateSchema('local_link_connection', v.local_link_connection, LLC_SMART_NIC); } catch {
      throw new InvalidError('Smart NIC port must have port_id and hostname in local_link_connection');
    }
  }
  if (v.physical_network === '') throw new InvalidError('A non-empty value is required when setting physical_network');
  if (pg && v.pxe_enabled && !pg.standalone_ports_supported) {
    throw new ConflictError(`Port group ${pg.uuid} doesn't support standalone ports. This port cannot be created as a member of that portgroup as the port's 'pxe_enabled' field was set to True.`);
  }
  if ('pxe_enabled' in v && v.pxe_enabled === null) throw new InvalidError(NO_NULL_PXE);
  return deps.conductor.createPort({
    uuid: (v.uuid as string | null) || newUuid(), address: v.address as string, node_id: node.id, portgroup_id: pg?.id ?? null,
    local_link_connection: (v.local_link_connection as Json | null) ?? {}, pxe_enabled: (v.pxe_enabled as boolean | undefined) ?? true,
    physical_network: (v.physical_network as string | null | undefined) ?? null, is_smartnic: Boolean(v.is_smartnic),
    extra: (v.extra as Json | null) ?? {},
  });
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export async function patchPort(req: FastifyRequest, deps: ApiDeps, id: string, nested: boolean): Promise<Port> {
  const ops: PatchOp[] = validatePatch(req.body);
  if (nested) throw new ForbiddenError();
  checkAllowedRoots(ops, PORT_PATCH_ALLOWED);
  const toCheck = ['pxe_enabled', 'local_link_connection', 'portgroup_uuid', 'physical_network', 'is_smartnic', 'local_link_connection/network_type']
    .filter((f) => patchMentions(ops, `/${f}`));
  checkPortFields(req, toCheck);
  const ports = new PortRepo(deps.db);
  const pgs = new PortgroupRepo(deps.db);
  const port = await ports.getByUuid(id);
  if (!port) throw new NotFoundError(`Port ${id} could not be found.`);
  let node = await deps.nodes.getById(port.node_id);
  if (!node) throw new NotFoundError(`Port ${id} could not be found.`);
  let pg = port.portgroup_id === null ? null : (await pgs.getById(port.portgroup_id)) ?? null;
  const before: Json = {
    uuid: port.uuid, address: port.address, extra: port.extra, local_link_connection: port.local_link_connection,
    pxe_enabled: port.pxe_enabled, internal_info: port.internal_info, physical_network: port.physical_network,
    is_smartnic: port.is_smartnic, created_at: port.created_at, updated_at: port.updated_at,
    node_uuid: node.uuid, portgroup_uuid: pg?.uuid ?? null,
  };
  const doc = applyPatch(before, ops);
  if (firstOpTouches(ops, '/portgroup_uuid')) {
    if (doc.portgroup_uuid) {
      pg = (await pgs.getByUuid(doc.portgroup_uuid as string)) ?? null;
      if (!pg) throw new InvalidError(`Portgroup ${pyStr(doc.portgroup_uuid)} could not be found.`);
    } else pg = null;
  }
  if ('node_uuid' in doc && doc.node_uuid !== node.uuid) node = await nodeForPatch(deps, doc.node_uuid);
  const v = validatePort('patch', Object.fromEntries(Object.entries(doc).filter(([k]) => k in PORT_SCHEMA.properties!)));
  const next: PortChanges = {
    address: v.address as string, extra: v.extra as Json, is_smartnic: v.is_smartnic as boolean,
    local_link_connection: v.local_link_connection as Json, physical_network: (v.physical_network as string | null) ?? null,
    pxe_enabled: v.pxe_enabled as boolean, node_id: node.id, portgroup_id: pg?.id ?? null,
  };
  const changes: PortChanges = {};
  for (const [k, val] of Object.entries(next) as [keyof PortChanges, unknown][]) {
    if (!same(val ?? null, (port as unknown as Json)[k] ?? null)) (changes as Json)[k] = val ?? null;
  }
  if ('pxe_enabled' in changes && changes.pxe_enabled === null) throw new InvalidError(NO_NULL_PXE);
  if (node.provision_state === S.INSPECTING && supports(req, 'inspect_wait')) {
    throw new ConflictError(`Cannot update port "${port.uuid}" on "${node.uuid}" while it is in state "${S.INSPECTING}".`);
  }
  if (firstOpTouches(ops, '/physical_network') && next.physical_network === '') {
    throw new InvalidError('A non-empty value is required when setting physical_network');
  }
  if (pg && pg.node_id !== node.id) throw new InvalidError(DIFFERENT_NODE);
  if (changes.extra === null) changes.extra = {};
  if (changes.local_link_connection === null) changes.local_link_connection = {};
  if (changes.is_smartnic === null) changes.is_smartnic = false;
  // The conductor locks the port's (new) node and makes the state checks Ironic's
  // update_port makes there; `changes` carries node_id only when the port moves.
  return deps.conductor.updatePort(port.id, changes);
}

export async function deletePort(deps: ApiDeps, id: string, nested: boolean): Promise<void> {
  if (nested) throw new ForbiddenError();
  const ports = new PortRepo(deps.db);
  const port = await ports.getByUuid(id);
  if (!port) throw new NotFoundError(`Port ${id} could not be found.`);
  await deps.conductor.destroyPort(port.id);
}
