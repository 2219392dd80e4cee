/**
 * Which conductor answers each ConductorApi method (Ironic's get_topic_for,
 * get_topic_for_driver and get_random_topic):
 *
 * - `node`: the owner of the node the call is about, per the hash ring. The node comes
 *   from the arguments: a node id, or the node of a port / portgroup / volume record
 *   (after an update that moves the record: its new node). `updateNode` is routed by the
 *   node's new driver and group, as Ironic routes update_node, and answers 400 when no
 *   conductor serves them; other calls answer 404 (Ironic's NoValidHost).
 * - `driver`: any live conductor that has the hardware type named by the first argument.
 * - `any`: any live conductor.
 *
 * The table is complete by type: a method added to ConductorApi does not compile until
 * it is routed here, and only the methods listed here can be called over the wire.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { ConductorApi, RingKey } from '../contracts/rpc.ts';
import { NotFoundError } from '../core/errors.ts';

export type RemoteMethod = Exclude<keyof ConductorApi, 'hostname' | 'conductorFor' | 'checkTopic'>;

type Table = 'ports' | 'portgroups' | 'volume_connectors' | 'volume_targets';

export type Route =
  | { kind: 'any' }
  | { kind: 'driver' }
  | { kind: 'node'; node: (db: Kysely<Database>, args: unknown[]) => Promise<RingKey>; noHostStatus?: 400 | 404 };

async function nodeKey(db: Kysely<Database>, id: unknown): Promise<RingKey> {
  const n = await db.selectFrom('nodes').select(['uuid', 'driver', 'conductor_group']).where('id', '=', Number(id)).executeTakeFirst();
  if (!n) throw new NotFoundError(`Node ${String(id)} could not be found.`);
  return n;
}

const byNode: Route = { kind: 'node', node: (db, a) => nodeKey(db, a[0]) };

/** A record's node; after an update, the node named by the changes if they move it. */
function byRecord(table: Table, what: string): Route {
  return {
    kind: 'node',
    node: async (db, a) => {
      const moved = (a[1] as { node_id?: number } | undefined)?.node_id;
      if (moved !== undefined) return nodeKey(db, moved);
      const r = await db.selectFrom(table).select('node_id').where('id', '=', Number(a[0])).executeTakeFirst();
      if (!r) throw new NotFoundError(`${what} ${String(a[0])} could not be found.`);
      return nodeKey(db, r.node_id);
    },
  };
}

export const ROUTES: Readonly<Record<RemoteMethod, Route>> = {
  listDrivers: { kind: 'any' },
  getDriver: { kind: 'driver' },
  driverProperties: { kind: 'driver' },
  raidLogicalDiskProperties: { kind: 'driver' },
  resolveInterfaces: { kind: 'driver' },
  checkInterface: { kind: 'driver' },
  driverVendorPassthruMethods: { kind: 'driver' },
  updateNode: {
    kind: 'node', noHostStatus: 400,
    node: async (db, a) => {
      const n = await nodeKey(db, a[0]);
      const c = (a[1] ?? {}) as { driver?: string; conductor_group?: string | null };
      return { uuid: n.uuid, driver: c.driver ?? n.driver, conductor_group: c.conductor_group ?? n.conductor_group };
    },
  },
  destroyNode: byNode,
  doProvisioningAction: byNode,
  changePowerState: byNode,
  setMaintenance: { ...byNode, noHostStatus: 400 },
  validateDriverInterfaces: byNode,
  setBootDevice: byNode,
  getBootDevice: byNode,
  getSupportedBootDevices: byNode,
  injectNmi: byNode,
  setBootMode: byNode,
  setSecureBoot: byNode,
  setConsoleMode: byNode,
  getConsoleInfo: byNode,
  setTargetRaidConfig: byNode,
  getIndicators: byNode,
  getIndicatorState: byNode,
  setIndicatorState: byNode,
  vendorPassthruMethods: byNode,
  vendorPassthru: byNode,
  vifList: byNode,
  vifAttach: byNode,
  vifDetach: byNode,
  addTraits: byNode,
  removeTraits: byNode,
  processAllocation: { kind: 'any' },
  destroyAllocation: { kind: 'any' },
  createPort: { kind: 'node', node: (db, a) => nodeKey(db, (a[0] as { node_id: number }).node_id) },
  updatePort: byRecord('ports', 'Port'),
  destroyPort: byRecord('ports', 'Port'),
  updatePortgroup: byRecord('portgroups', 'Portgroup'),
  destroyPortgroup: byRecord('portgroups', 'Portgroup'),
  updateVolumeConnector: byRecord('volume_connectors', 'Volume connector'),
  destroyVolumeConnector: byRecord('volume_connectors', 'Volume connector'),
  updateVolumeTarget: byRecord('volume_targets', 'Volume target'),
  destroyVolumeTarget: byRecord('volume_targets', 'Volume target'),
  heartbeat: byNode,
  getNodeWithToken: byNode,
  // Any conductor: the report names no node; the inspector finds it (or enrolls one) and
  // takes its lock through the database, as ironic-inspector works beside Ironic's conductors.
  inspectorContinue: { kind: 'any' },
  inspectorReapply: byNode,
};

export function isRemoteMethod(name: string): name is RemoteMethod {
  return Object.hasOwn(ROUTES, name);
}
