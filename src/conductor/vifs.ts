/**
 * VIF attachment (network interface `noop`/`flat` semantics): a VIF id is recorded in
 * a free port's (or portgroup's) internal_info.tenant_vif_port_id.
 */
import { ConflictError, NotFoundError, InvalidError } from '../core/errors.ts';
import type { Json } from '../core/node.ts';
import { portsOfNode } from '../db/ports.ts';
import type { FlowDeps } from './deps.ts';
import type { Task } from './task.ts';

const KEY = 'tenant_vif_port_id';

export async function vifList(deps: FlowDeps, nodeId: number): Promise<{ id: string }[]> {
  const out: { id: string }[] = [];
  const pgs = await deps.db.selectFrom('portgroups').select('internal_info').where('node_id', '=', nodeId).orderBy('id').execute();
  for (const pg of pgs) { const v = pg.internal_info ? JSON.parse(pg.internal_info)[KEY] : undefined; if (v) out.push({ id: v }); }
  for (const p of await portsOfNode(deps.db, nodeId)) { const v = p.internal_info[KEY]; if (typeof v === 'string') out.push({ id: v }); }
  return out;
}

export async function vifAttach(deps: FlowDeps, task: Task, vif: Json): Promise<void> {
  const id = vif.id;
  if (typeof id !== 'string' || !id) throw new InvalidError('VIF id must be a non-empty string');
  const existing = await vifList(deps, task.node.id);
  if (existing.some((v) => v.id === id)) throw new ConflictError(`Unable to attach VIF ${id} because VIF is already attached to node ${task.node.uuid}`);
  const ports = await portsOfNode(deps.db, task.node.id);
  let target = ports.find((p) => (vif.port_uuid ? p.uuid === vif.port_uuid : !p.internal_info[KEY] && p.portgroup_id === null));
  if (vif.port_uuid && !target) throw new NotFoundError(`Port ${String(vif.port_uuid)} could not be found.`);
  if (!target) {
    throw new ConflictError(`Unable to attach VIF ${id}, not enough free physical ports.`);
  }
  await deps.db.updateTable('ports').set({ internal_info: JSON.stringify({ ...target.internal_info, [KEY]: id }) }).where('id', '=', target.id).execute();
}

export async function vifDetach(deps: FlowDeps, task: Task, vifId: string): Promise<void> {
  for (const p of await portsOfNode(deps.db, task.node.id)) {
    if (p.internal_info[KEY] === vifId) {
      const ii = { ...p.internal_info }; delete ii[KEY];
      await deps.db.updateTable('ports').set({ internal_info: JSON.stringify(ii) }).where('id', '=', p.id).execute();
      return;
    }
  }
  throw new NotFoundError(`Unable to detach VIF ${vifId} from node ${task.node.uuid} because it is not attached to it.`);
}
