/**
 * What the conductor sends to an agent along with step commands: the node and its ports
 * as Ironic's objects render them (`Node.as_dict(secure=True)`, `Port.as_dict()`), e.g. in
 * recorded-direct-deploy's `deploy.get_deploy_steps` params.
 */
import type { Json, Node } from '../../core/node.ts';
import { maskDictPassword, SECRET } from '../../core/secrets.ts';
import type { DriverContext } from '../base.ts';

/**
 * Node.as_dict(secure=True): every field, driver_info and instance_info masked as oslo
 * does, the agent token masked, traits as a TraitList (`{"objects": [...]}`). The config
 * drive stays readable for deploy commands (`mask_configdrive=False`), as Ironic sends it.
 */
export function nodeAsDict(node: Readonly<Node>, opts: { maskConfigdrive?: boolean } = {}): Json {
  const out: Json = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === 'traits') continue;
    out[k] = v as Json[string];
  }
  out.driver_info = maskDictPassword(node.driver_info);
  const ii = { ...node.instance_info };
  const cd = ii.configdrive;
  const masked = maskDictPassword(ii);
  if (opts.maskConfigdrive === false && cd !== undefined) masked.configdrive = cd;
  else if (cd) masked.configdrive = SECRET;
  out.instance_info = masked;
  const dii = { ...node.driver_internal_info };
  if (dii.agent_secret_token) dii.agent_secret_token = SECRET;
  out.driver_internal_info = dii;
  out.traits = { objects: node.traits.map((t) => ({ trait: t, node_id: node.id })) };
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** The node's ports as Port.as_dict() (falls back to the fields every DriverPort has). */
export async function portsAsDicts(ctx: DriverContext): Promise<Json[]> {
  return (await ctx.loadPorts()).map((p) => p.asDict ?? {
    uuid: p.uuid, address: p.address, pxe_enabled: p.pxe_enabled, physical_network: p.physical_network, extra: p.extra,
    node_uuid: ctx.node.uuid,
  });
}
