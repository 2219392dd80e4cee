/**
 * The ramdisk endpoints an agent calls (Ironic 21.4's api/controllers/v1/ramdisk.py):
 *
 * - `GET /v1/lookup?addresses=<macs>&node_uuid=<uuid>` (1.22+): the node whose ports own
 *   the MACs (or the given UUID), only in the states Ironic allows (else the same 404 as
 *   "no such node"); its uuid, properties, instance_info and driver_internal_info
 *   (secrets masked) and the agent's `config`. From 1.62 the conductor issues the agent
 *   token here, once: `config.agent_token` is the secret at the first lookup, "******"
 *   afterwards.
 * - `POST /v1/heartbeat/{node_ident}` (1.22+) with callback_url, agent_token,
 *   agent_version (1.36+), agent_verify_ca (1.68+), agent_status and
 *   agent_status_message (1.72+): 202; the token is checked by the conductor (400).
 *
 * Deviation, on purpose: below 1.62 Ironic echoes a stored token in `config.agent_token`
 * to anyone who looks the node up; Ingot shows "******" there.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ApiDeps } from '../server.ts';
import { IngotError, InvalidError, NotFoundError } from '../../core/errors.ts';
import { isValidMac, normalizeMac } from '../../core/ids.ts';
import type { Node } from '../../core/node.ts';
import { ProvisionState as S } from '../../core/states.ts';
import { SECRET } from '../../core/secrets.ts';
import { supports } from '../context.ts';
import { ironicArgs } from '../params.ts';
import { getNode } from '../lookup.ts';
import { renderNode } from '../views/node.ts';
import { viewContext } from './nodes.ts';
import { mergedArgs, stringArg, required, uuidOrNameArg } from './node-args.ts';

const LOOKUP_FIELDS = ['uuid', 'properties', 'instance_info', 'driver_internal_info'];
/** states.LOOKUP_ALLOWED_STATES, and with fast track also enroll/manageable/available. */
const LOOKUP_ALLOWED = new Set<string>([S.DEPLOYING, S.DEPLOYWAIT, S.CLEANING, S.CLEAN_WAIT, S.INSPECTING, S.INSPECT_WAIT, S.RESCUING, S.RESCUEWAIT]);
const FASTTRACK_EXTRA = new Set<string>([S.ENROLL, S.MANAGEABLE, S.AVAILABLE]);
const AGENT_VALID_STATES = ['start', 'end', 'error'];

const truthy = (v: unknown) => ['true', '1', 'yes', 'on', 't', 'y'].includes(String(v ?? false).toLowerCase());

function lookupAllowed(n: Node): boolean {
  return LOOKUP_ALLOWED.has(n.provision_state) || (truthy(n.driver_info.fast_track) && FASTTRACK_EXTRA.has(n.provision_state));
}

/** [api] enable_ramdisk_endpoints, then the 1.22 gate (Ironic's order). */
function checkEnabled(req: FastifyRequest, deps: ApiDeps): void {
  if (!deps.config.agent.enableRamdiskEndpoints) {
    throw new IngotError('Forbidden', `Access was denied to the following resource: ${req.url.split('?')[0]}`);
  }
  if (!supports(req, 'ramdisk_endpoints')) throw new NotFoundError('Resource could not be found.');
}

/** The node owning ports with these addresses (exactly one), as Ironic's get_node_by_port_addresses. */
async function nodeByAddresses(deps: ApiDeps, addresses: string[]): Promise<Node> {
  const rows = await deps.db.selectFrom('ports').select('node_id').distinct().where('address', 'in', addresses).execute();
  if (rows.length !== 1) throw new NotFoundError('Resource could not be found.');
  const n = await deps.nodes.getById(rows[0]!.node_id);
  if (!n) throw new NotFoundError('Resource could not be found.');
  return n;
}

export function ramdiskRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const cfg = deps.config.agent;

  app.get('/v1/lookup', async (req) => {
    const args = ironicArgs(req, [['addresses', 'string_list'], ['node_uuid', 'uuid']]);
    checkEnabled(req, deps);
    const valid = ((args.addresses as string[] | undefined) ?? []).filter((a) => isValidMac(a)).map(normalizeMac);
    const nodeUuid = args.node_uuid as string | undefined;
    if (!valid.length && !nodeUuid) throw new InvalidError("At least one of 'addresses' and 'node_uuid' parameters is required");
    let node: Node;
    if (nodeUuid) {
      const n = await deps.nodes.getByUuid(nodeUuid.toLowerCase());
      if (!n) throw new NotFoundError('Resource could not be found.');
      node = n;
    } else {
      node = await nodeByAddresses(deps, valid);
    }
    if (cfg.restrictLookup && !lookupAllowed(node)) throw new NotFoundError('Resource could not be found.');
    let found: Node;
    let token: unknown;
    if (supports(req, 'agent_token')) {
      found = await deps.conductor.getNodeWithToken(node.id);
      token = found.driver_internal_info.agent_secret_token ?? null;
    } else {
      found = node;
      token = node.driver_internal_info.agent_secret_token === undefined || node.driver_internal_info.agent_secret_token === null ? null : SECRET;
    }
    const view = renderNode(found, viewContext(req, deps, new Map(), new Map()), LOOKUP_FIELDS);
    return {
      node: view,
      config: {
        metrics: { backend: 'noop', prepend_host: false, prepend_uuid: false, prepend_host_reverse: true, global_prefix: null },
        metrics_statsd: { statsd_host: 'localhost', statsd_port: 8125 },
        heartbeat_timeout: cfg.ramdiskHeartbeatTimeout,
        agent_token: token,
        agent_token_required: true,
        disable_deep_image_inspection: cfg.disableDeepImageInspection,
        permitted_image_formats: cfg.permittedImageFormats,
        enable_bios_bootloader_install: cfg.enableBiosBootloaderInstall,
      },
    };
  });

  type P = { Params: { ident: string } };
  app.post<P>('/v1/heartbeat/:ident', { config: { ignoreMalformedBody: true } }, async (req, reply) => {
    // @args.validate in the controller's parameter order.
    const a = mergedArgs(req, ['callback_url', 'agent_version', 'agent_token', 'agent_verify_ca', 'agent_status', 'agent_status_message']);
    const ident = required('node_ident', uuidOrNameArg('node_ident', req.params.ident));
    const callbackUrl = required('callback_url', stringArg('callback_url', a.callback_url));
    const agentVersion = stringArg('agent_version', a.agent_version);
    const agentToken = stringArg('agent_token', a.agent_token);
    const agentVerifyCa = stringArg('agent_verify_ca', a.agent_verify_ca);
    const agentStatus = stringArg('agent_status', a.agent_status);
    const agentStatusMessage = stringArg('agent_status_message', a.agent_status_message);
    checkEnabled(req, deps);
    if (agentVersion && !supports(req, 'agent_version')) throw new InvalidError('Field "agent_version" not recognised');
    if ((agentStatus || agentStatusMessage) && !supports(req, 'agent_status')) {
      throw new InvalidError('Fields "agent_status" and "agent_status_message" not recognised.');
    }
    if (agentVerifyCa !== undefined && !supports(req, 'agent_verify_ca')) throw new InvalidError('Field "agent_verify_ca" not recognised in this version');
    const node = await getNode(req, deps.nodes, ident);
    const known = node.driver_internal_info.agent_url;
    if (known !== undefined && known !== null && known !== callbackUrl) throw new InvalidError('Detected change in ramdisk provided "callback_url"');
    if (agentToken === undefined) throw new InvalidError('Agent token is required for heartbeat processing.');
    if (agentStatus !== undefined && !AGENT_VALID_STATES.includes(agentStatus)) {
      throw new InvalidError(`Agent status is invalid. Valid states are ${AGENT_VALID_STATES.join(',')}.`);
    }
    await deps.conductor.heartbeat(node.id, {
      callbackUrl, agentToken,
      ...(agentVersion !== undefined ? { agentVersion } : {}),
      ...(agentVerifyCa !== undefined ? { agentVerifyCa } : {}),
      ...(agentStatus !== undefined ? { agentStatus } : {}),
      ...(agentStatusMessage !== undefined ? { agentStatusMessage } : {}),
    });
    return reply.code(202).send();
  });
}
