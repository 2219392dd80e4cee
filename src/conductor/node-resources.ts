/**
 * Writes of a node's ports, portgroups and volume connectors/targets under the node's
 * lock: Ironic 21.4's ConductorManager create_port, update_port, destroy_port,
 * update_portgroup, destroy_portgroup, update/destroy_volume_connector and
 * update/destroy_volume_target. The API has already validated the arguments, checked the
 * microversion and resolved UUIDs to ids; what stays here is the lock (`TaskManager`,
 * 409 when held), the checks Ironic makes on the locked node, the write, and the stored
 * record as the answer.
 *
 * The lock is the one of the node the record belongs to after the write: for an update
 * that moves it, the new node (as Ironic locks `port_obj.node_id`).
 */
import type { Node } from '../core/node.ts';
import type {
  Port, NewPort, PortChanges, Portgroup, PortgroupChanges, VolumeConnector, VolumeTarget, ConnectorChanges, TargetChanges,
} from '../core/resources.ts';
import { ConflictError, InvalidError, NotFoundError } from '../core/errors.ts';
import { PowerState, ProvisionState as S } from '../core/states.ts';
import { PortRepo } from '../db/ports.ts';
import { PortgroupRepo } from '../db/portgroups.ts';
import { VolumeConnectorRepo, VolumeTargetRepo } from '../db/volume.ts';
import type { FlowDeps } from './deps.ts';

// --- ports -------------------------------------------------------------------------

/** Python's str() of a physical network in a message: the text itself, or None. */
const physnetStr = (v: string | null): string => v ?? 'None';

/** utils.validate_port_physnet: a port in a portgroup shares the physical network of its other ports. */
async function checkPhysnet(ports: PortRepo, pg: Portgroup, physnet: string | null, portId?: number): Promise<void> {
  const nets = await ports.physnetsOfPortgroup(pg.id, portId);
  if (nets.length > 1) {
    throw new ConflictError(`Port group ${pg.uuid} has member ports with inconsistent physical networks (${nets.map(physnetStr).join(', ')}). All ports in a port group must have the same physical network.`);
  }
  if (nets.length === 1 && nets[0] !== physnet) {
    throw new ConflictError(`Port with physical network ${physnetStr(physnet)} cannot become a member of port group ${pg.uuid} which has ports in physical network ${physnetStr(nets[0])}.`);
  }
}

/** The portgroup with internal id `id` (null for none). The API checked it exists. */
async function portgroupById(deps: FlowDeps, id: number | null): Promise<Portgroup | null> {
  if (id === null) return null;
  const pg = await new PortgroupRepo(deps.db).getById(id);
  if (!pg) throw new InvalidError(`Portgroup ${id} could not be found.`);
  return pg;
}

export async function createPort(deps: FlowDeps, port: NewPort): Promise<Port> {
  const ports = new PortRepo(deps.db);
  return deps.tasks.withLock(port.node_id, 'port create', async () => {
    const pg = await portgroupById(deps, port.portgroup_id);
    if (pg) await checkPhysnet(ports, pg, port.physical_network);
    return ports.create(port);
  });
}

/** States in which a port's connectivity may change (besides maintenance). */
const CONNECTIVITY_STATES: string[] = [S.ENROLL, S.INSPECTING, S.INSPECT_WAIT, S.MANAGEABLE];
const CONNECTIVITY = ['portgroup_id', 'physical_network', 'pxe_enabled', 'local_link_connection'];

/** The checks ConductorManager.update_port makes on the (new) node, under its lock. */
async function updatePortChecks(ports: PortRepo, node: Node, port: Port, changes: PortChanges, pg: Portgroup | null): Promise<void> {
  const changed = new Set(Object.keys(changes));
  if ((node.provision_state === S.ACTIVE || node.instance_uuid) && changed.has('address') && !node.maintenance) {
    throw new ConflictError(`Cannot update hardware address for port ${port.uuid} as node ${node.uuid} is active or has instance UUID assigned`);
  }
  if (CONNECTIVITY.some((c) => changed.has(c)) && !(CONNECTIVITY_STATES.includes(node.provision_state) || node.maintenance)) {
    throw new ConflictError(`Port ${port.uuid} can not have any connectivity attributes (${CONNECTIVITY.join(', ')}) updated unless node ${node.uuid} is in a ${CONNECTIVITY_STATES.join(', ')} state or in maintenance mode. The current state is ${node.provision_state}.`);
  }
  const physnet = changes.physical_network !== undefined ? changes.physical_network : port.physical_network;
  if (pg && (changed.has('portgroup_id') || changed.has('physical_network'))) await checkPhysnet(ports, pg, physnet, port.id);
  if (node.network_interface === 'flat' && pg) {
    const vif = port.internal_info.tenant_vif_port_id;
    const pxe = changes.pxe_enabled ?? port.pxe_enabled;
    if ((changed.has('pxe_enabled') || changed.has('portgroup_id') || vif) && !pg.standalone_ports_supported) {
      const reasons = [...(pxe ? ["'pxe_enabled' was set to True"] : []), ...(vif ? [`VIF ${String(vif)} is attached to the port`] : [])];
      if (reasons.length) throw new ConflictError(`Port group ${pg.uuid} doesn't support standalone ports. This port ${port.uuid} cannot be  a member of that port group because of: ${reasons.join(', ')}`);
    }
  }
}

async function portById(ports: PortRepo, id: number): Promise<Port> {
  const port = await ports.getById(id);
  if (!port) throw new NotFoundError(`Port ${id} could not be found.`);
  return port;
}

/** `changes` holds only fields that differ from the stored port; node_id only when it moves. */
export async function updatePort(deps: FlowDeps, portId: number, changes: PortChanges): Promise<Port> {
  const ports = new PortRepo(deps.db);
  const port = await portById(ports, portId);
  return deps.tasks.withLock(changes.node_id ?? port.node_id, 'port update', async (task) => {
    const pg = await portgroupById(deps, 'portgroup_id' in changes ? changes.portgroup_id ?? null : port.portgroup_id);
    await updatePortChecks(ports, task.node, port, changes, pg);
    return ports.update(port.id, changes);
  });
}

/** The VIF a port is bound to and its use (conductor utils.get_attached_vif). */
function attachedVif(p: Port): [string, string] | null {
  const uses: [string, string][] = [['tenant_vif_port_id', 'tenant'], ['cleaning_vif_port_id', 'cleaning'],
    ['provisioning_vif_port_id', 'provisioning'], ['rescuing_vif_port_id', 'rescuing'], ['inspection_vif_port_id', 'inspecting']];
  for (const [k, use] of uses) if (p.internal_info[k]) return [String(p.internal_info[k]), use];
  return null;
}

export async function destroyPort(deps: FlowDeps, portId: number): Promise<void> {
  const ports = new PortRepo(deps.db);
  const port = await portById(ports, portId);
  await deps.tasks.withLock(port.node_id, 'port deletion', async (task) => {
    const vif = attachedVif(port);
    if (vif && !task.node.maintenance) {
      throw new ConflictError(`Cannot delete the port ${port.uuid} as it is bound to VIF ${vif[0]} for ${vif[1]} use.`);
    }
    await ports.delete(port.id);
  });
}

// --- portgroups ----------------------------------------------------------------------

/** States in which a portgroup may move to another node (besides maintenance). */
const MOVE_STATES: string[] = [S.ENROLL, S.INSPECTING, S.INSPECT_WAIT, S.MANAGEABLE];

/** The checks ConductorManager.update_portgroup makes on the (new) node, under its lock. */
async function updatePortgroupChecks(ports: PortRepo, node: Node, pg: Portgroup, changes: PortgroupChanges): Promise<void> {
  if ('node_id' in changes) {
    if (!MOVE_STATES.includes(node.provision_state) && !node.maintenance) {
      throw new ConflictError(`Portgroup ${pg.uuid} can not be associated to node ${node.uuid} unless the node is in a ${MOVE_STATES.join(', ')} state or in maintenance mode.`);
    }
    if (await ports.countInPortgroup(pg.id)) {
      throw new InvalidError(`Portgroup ${pg.uuid} can not be associated with node ${node.uuid} because there are ports associated with this portgroup.`);
    }
  }
  if (node.network_interface === 'flat' && changes.standalone_ports_supported === false) {
    for (const p of await ports.list({ portgroup_id: pg.id }, { limit: 0, sortKey: 'id', sortDir: 'asc' })) {
      const vif = p.internal_info.tenant_vif_port_id;
      const reasons = [...(p.pxe_enabled ? ["'pxe_enabled' is set to True"] : []), ...(vif ? [`VIF ${String(vif)} is attached to this port`] : [])];
      if (reasons.length) throw new ConflictError(`standalone_ports_supported can not be set to False, because the port group ${pg.uuid} contains port with ${reasons.join(', ')}`);
    }
  }
}

async function portgroupOrNotFound(repo: PortgroupRepo, id: number): Promise<Portgroup> {
  const pg = await repo.getById(id);
  if (!pg) throw new NotFoundError(`Portgroup ${id} could not be found.`);
  return pg;
}

/** `changes` holds only fields that differ from the stored portgroup; node_id only when it moves. */
export async function updatePortgroup(deps: FlowDeps, portgroupId: number, changes: PortgroupChanges): Promise<Portgroup> {
  const repo = new PortgroupRepo(deps.db);
  const pg = await portgroupOrNotFound(repo, portgroupId);
  return deps.tasks.withLock(changes.node_id ?? pg.node_id, 'portgroup update', async (task) => {
    await updatePortgroupChecks(new PortRepo(deps.db), task.node, pg, changes);
    return repo.update(pg.id, changes);
  });
}

export async function destroyPortgroup(deps: FlowDeps, portgroupId: number): Promise<void> {
  const repo = new PortgroupRepo(deps.db);
  const pg = await portgroupOrNotFound(repo, portgroupId);
  await deps.tasks.withLock(pg.node_id, 'portgroup deletion', () => repo.delete(pg));
}

// --- volume connectors and targets ---------------------------------------------------

/** Ironic's rule for volume writes: the (new) node must be powered off (400 otherwise). */
function requirePoweredOff(node: Node, action: string): void {
  if (node.power_state !== PowerState.OFF) {
    throw new InvalidError(`The requested action "${action}" can not be performed on node "${node.uuid}" while it is in state "${node.power_state ?? 'None'}".`);
  }
}

/** What the connector and target writes need of their repository. */
interface VolumeRepo<R, C> {
  getById(id: number): Promise<R | undefined>;
  update(id: number, changes: C, after: C): Promise<R>;
  delete(id: number): Promise<void>;
}

/** One volume record kind: its repository and its names in messages. */
interface VolumeKind<R, C> { repo: (deps: FlowDeps) => VolumeRepo<R, C>; title: string; action: string }

const CONNECTOR: VolumeKind<VolumeConnector, ConnectorChanges> = {
  repo: (deps) => new VolumeConnectorRepo(deps.db), title: 'Volume connector', action: 'volume connector',
};
const TARGET: VolumeKind<VolumeTarget, TargetChanges> = {
  repo: (deps) => new VolumeTargetRepo(deps.db), title: 'Volume target', action: 'volume target',
};

async function volumeRecord<R, C>(deps: FlowDeps, k: VolumeKind<R, C>, id: number): Promise<R & { id: number; node_id: number }> {
  const r = await k.repo(deps).getById(id) as (R & { id: number; node_id: number }) | undefined;
  if (!r) throw new NotFoundError(`${k.title} ${id} could not be found.`);
  return r;
}

async function updateVolume<R, C extends { node_id?: number }>(deps: FlowDeps, k: VolumeKind<R, C>, id: number, changes: C): Promise<R> {
  const row = await volumeRecord(deps, k, id);
  return deps.tasks.withLock(changes.node_id ?? row.node_id, `${k.action} update`, async (task) => {
    requirePoweredOff(task.node, `${k.action} update`);
    // The full new value names the record in the repository's conflict texts.
    return k.repo(deps).update(row.id, changes, { ...row, ...changes } as C);
  });
}

async function destroyVolume<R, C>(deps: FlowDeps, k: VolumeKind<R, C>, id: number): Promise<void> {
  const row = await volumeRecord(deps, k, id);
  await deps.tasks.withLock(row.node_id, `${k.action} deletion`, async (task) => {
    requirePoweredOff(task.node, `${k.action} deletion`);
    await k.repo(deps).delete(row.id);
  });
}

export const updateVolumeConnector = (deps: FlowDeps, id: number, changes: ConnectorChanges): Promise<VolumeConnector> =>
  updateVolume(deps, CONNECTOR, id, changes);
export const destroyVolumeConnector = (deps: FlowDeps, id: number): Promise<void> => destroyVolume(deps, CONNECTOR, id);
export const updateVolumeTarget = (deps: FlowDeps, id: number, changes: TargetChanges): Promise<VolumeTarget> =>
  updateVolume(deps, TARGET, id, changes);
export const destroyVolumeTarget = (deps: FlowDeps, id: number): Promise<void> => destroyVolume(deps, TARGET, id);
