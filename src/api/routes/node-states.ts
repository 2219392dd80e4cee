/**
 * /v1/nodes/{ident}/states and its verbs: power, provision, raid, console, boot_mode,
 * secure_boot. Checks happen here in Ironic's order; the work is the conductor's.
 */
import type { FastifyInstance, FastifyRequest, FastifyReply } from 'fastify';
import type { ApiDeps } from '../server.ts';
import { InvalidError, InvalidStateError, NotAcceptableError, NodeLockedError, NotFoundError, ConflictError } from '../../core/errors.ts';
import { POWER_TARGETS, PowerState as P, ProvisionState as S } from '../../core/states.ts';
import { nextState, STATES, type FsmEvent } from '../../core/fsm.ts';
import { MAX_VERSION, MIN_VERB_VERSIONS } from '../../contracts/versions.ts';
import type { Json } from '../../core/node.ts';
import { supports, publicUrl } from '../context.ts';
import { queryOf, bodyObject } from '../params.ts';
import { getNode } from '../lookup.ts';
import { legacyState } from '../views/node.ts';
import { RoutingError } from '../errors.ts';
import { validate, type Schema } from '../schema.ts';

/** API verb → FSM event (Ironic's VERBS). */
const VERBS: Record<string, FsmEvent> = {
  active: 'deploy', deploy: 'deploy', deleted: 'delete', undeploy: 'delete', rebuild: 'rebuild',
  manage: 'manage', provide: 'provide', inspect: 'inspect', abort: 'abort', clean: 'clean', adopt: 'adopt',
  rescue: 'rescue', unrescue: 'unrescue',
};

const STEP_SCHEMA: Schema = {
  type: 'object',
  properties: {
    interface: { type: 'string', enum: ['power', 'management', 'deploy', 'bios', 'raid'] },
    step: { type: 'string' },
    args: { type: 'object' },
  },
  required: ['interface', 'step'],
  additionalProperties: false,
};
const DEPLOY_STEP_SCHEMA: Schema = {
  type: 'object',
  properties: { ...STEP_SCHEMA.properties, priority: { anyOf: [{ type: 'integer', minimum: 0 }, { type: 'string', pattern: '^[0-9]+$' }] } },
  required: ['interface', 'step', 'args', 'priority'],
  additionalProperties: false,
};

function location(req: FastifyRequest, deps: ApiDeps, reply: FastifyReply, ident: string, suffix = 'states'): void {
  reply.header('Location', `${publicUrl(req, deps.config.publicUrl)}/v1/nodes/${ident}/${suffix}`);
}

function checkConfigdrive(req: FastifyRequest, target: string, cd: unknown): void {
  if (cd === undefined || cd === null || cd === '') return;
  const allowed = supports(req, 'rebuild_configdrive') ? ['active', 'rebuild'] : ['active'];
  if (!allowed.includes(target)) throw new InvalidError(`Adding a config drive is only supported when setting provision state to ${allowed.join(', ')}`);
  if (typeof cd === 'object' && !Array.isArray(cd)) {
    if (!supports(req, 'configdrive_dict')) throw new InvalidError('Providing a JSON object for configdrive is only supported starting with API version 1.56');
    const o = cd as Record<string, unknown>;
    if ('vendor_data' in o && !supports(req, 'configdrive_vendor_data')) throw new InvalidError('Providing vendor_data in configdrive is only supported starting with API version 1.59');
    const extra = Object.keys(o).filter((k) => !['meta_data', 'network_data', 'user_data', 'vendor_data'].includes(k));
    if (extra.length) throw new InvalidError(`Invalid configdrive format: Additional properties are not allowed (${extra.map((k) => `'${k}'`).join(', ')} was unexpected)`);
    return;
  }
  if (typeof cd !== 'string') throw new InvalidError(`Invalid configdrive format: ${JSON.stringify(cd)} is not of type 'string', 'object'`);
  if (cd.includes('://')) return;
  if (!/^[A-Za-z0-9+/=\s]+$/.test(cd)) throw new InvalidError('Invalid configdrive format: the configdrive is neither a URL nor base64-encoded data.');
}

async function provision(req: FastifyRequest<{ Params: { ident: string } }>, reply: FastifyReply, deps: ApiDeps) {
  queryOf(req, []);
  const b = bodyObject(req);
  const allowedKeys = ['target', 'configdrive', 'clean_steps', 'deploy_steps', 'rescue_password', 'disable_ramdisk'];
  const extra = Object.keys(b).filter((k) => !allowedKeys.includes(k));
  if (extra.length) throw new InvalidError(`Unexpected arguments: ${extra.join(', ')}`);
  if (typeof b.target !== 'string') throw new InvalidError(b.target === undefined ? 'Missing argument: "target"' : `Expected string for target: ${String(b.target)}`);
  const target = b.target;
  if (b.clean_steps !== undefined && b.clean_steps !== null && !Array.isArray(b.clean_steps)) throw new InvalidError(`Expected types <class 'NoneType'>, <class 'list'> for clean_steps: ${JSON.stringify(b.clean_steps)}`);
  if (b.deploy_steps !== undefined && b.deploy_steps !== null && !Array.isArray(b.deploy_steps)) throw new InvalidError(`Expected types <class 'NoneType'>, <class 'list'> for deploy_steps: ${JSON.stringify(b.deploy_steps)}`);
  if (b.rescue_password !== undefined && b.rescue_password !== null && typeof b.rescue_password !== 'string') throw new InvalidError(`Expected string for rescue_password: ${String(b.rescue_password)}`);
  const node = await getNode(req, deps.nodes, req.params.ident);
  // Verb version gate (MIN_VERB_VERSIONS) comes before any state check.
  const minV = MIN_VERB_VERSIONS[target];
  if (minV !== undefined && req.apiVersion < minV) throw new NotAcceptableError('Request not acceptable.');
  if ((target === 'active' || target === 'rebuild') && node.maintenance) {
    throw new InvalidError(`The provisioning operation can't be performed on node ${node.uuid} because it's in maintenance mode.`);
  }
  const event = VERBS[target];
  if (!event || !nextState(node.provision_state, event, MAX_VERSION)) {
    if (node.reservation) throw new NodeLockedError(node.uuid, node.reservation);
    throw new InvalidStateError(`The requested action "${target}" can not be performed on node "${node.uuid}" while it is in state "${node.provision_state}".`);
  }
  checkConfigdrive(req, target, b.configdrive);
  if (b.disable_ramdisk !== undefined && b.disable_ramdisk !== null) {
    if (!supports(req, 'disable_ramdisk')) throw new NotAcceptableError('Request not acceptable.');
    if (target !== 'clean') throw new InvalidError('"disable_ramdisk" is only valid when setting target provision state to clean');
  }
  const cleanSteps = b.clean_steps as Json[] | null | undefined;
  if (cleanSteps && cleanSteps.length && target !== 'clean') throw new InvalidError('"clean_steps" is only valid when setting target provision state to clean');
  const deploySteps = b.deploy_steps as Json[] | null | undefined;
  if (deploySteps && deploySteps.length) {
    if (!supports(req, 'deploy_steps_on_deploy')) throw new NotAcceptableError('Request not acceptable.');
    if (target !== 'active' && target !== 'rebuild') throw new InvalidError('"deploy_steps" is only valid when setting target provision state to active or rebuild');
  }
  if (b.rescue_password !== undefined && b.rescue_password !== null && target !== 'rescue') throw new InvalidError('"rescue_password" is only valid when setting target provision state to rescue');
  if (node.provision_state === S.INSPECT_WAIT && target === 'abort' && !supports(req, 'abort_inspect')) throw new NotAcceptableError('Request not acceptable.');
  if (target === 'rescue' && !(typeof b.rescue_password === 'string' && b.rescue_password.trim())) {
    throw new InvalidError('A non-empty "rescue_password" is required when setting target provision state to rescue');
  }
  if (target === 'clean') {
    if (!cleanSteps || cleanSteps.length === 0) throw new InvalidError('"clean_steps" is required when setting target provision state to clean');
    for (const s of cleanSteps) validate('clean_steps', s, STEP_SCHEMA);
  }
  if (deploySteps) for (const s of deploySteps) validate('deploy_steps', s, DEPLOY_STEP_SCHEMA);
  await deps.conductor.doProvisioningAction(node.id, {
    event, target, configdrive: b.configdrive ?? undefined, cleanSteps: cleanSteps ?? undefined,
    deploySteps: deploySteps ?? undefined, rescuePassword: (b.rescue_password as string | undefined) ?? undefined,
    disableRamdisk: (b.disable_ramdisk as boolean | undefined) ?? undefined,
  });
  location(req, deps, reply, req.params.ident);
  return reply.code(202).send();
}

async function power(req: FastifyRequest<{ Params: { ident: string } }>, reply: FastifyReply, deps: ApiDeps) {
  queryOf(req, []);
  const b = bodyObject(req);
  const extra = Object.keys(b).filter((k) => !['target', 'timeout'].includes(k));
  if (extra.length) throw new InvalidError(`Unexpected arguments: ${extra.join(', ')}`);
  if (typeof b.target !== 'string') throw new InvalidError(b.target === undefined ? 'Missing argument: "target"' : `Expected string for target: ${String(b.target)}`);
  const target = b.target;
  let timeout: number | undefined;
  if (b.timeout !== undefined && b.timeout !== null) {
    if (typeof b.timeout !== 'number' || !Number.isInteger(b.timeout)) throw new InvalidError(`Invalid timeout value ${String(b.timeout)}. The timeout must be a positive integer.`);
    timeout = b.timeout;
  }
  const node = await getNode(req, deps.nodes, req.params.ident);
  const soft = target === P.SOFT_OFF || target === P.SOFT_REBOOT;
  if ((soft || timeout !== undefined) && !supports(req, 'soft_power')) throw new NotAcceptableError('Request not acceptable.');
  if (timeout !== undefined && timeout < 1) throw new InvalidError(`Invalid timeout value ${timeout}. The timeout must be a positive integer.`);
  if (!POWER_TARGETS.includes(target)) {
    throw new InvalidError(`Invalid state '${target}' requested for node ${node.uuid}. Allowed power states are: ${POWER_TARGETS.map((t) => `'${t}'`).join(', ')}`);
  }
  if (node.provision_state === S.CLEANING || node.provision_state === S.CLEAN_WAIT) {
    throw new InvalidError(`Cannot change power state of node ${node.uuid} while it is in state "${node.provision_state}".`);
  }
  await deps.conductor.changePowerState(node.id, target, timeout);
  location(req, deps, reply, req.params.ident);
  return reply.code(202).send();
}

export function nodeStateRoutes(app: FastifyInstance, deps: ApiDeps): void {
  type P = { Params: { ident: string } };
  app.get<P>('/v1/nodes/:ident/states', async (req) => {
    queryOf(req, []);
    const n = await getNode(req, deps.nodes, req.params.ident);
    const v = req.apiVersion;
    const out: Record<string, unknown> = {
      console_enabled: n.console_enabled, last_error: n.last_error, power_state: n.power_state,
      provision_state: legacyState(n.provision_state, v), provision_updated_at: n.provision_updated_at,
      target_power_state: n.target_power_state, target_provision_state: legacyState(n.target_provision_state, v),
    };
    if (supports(req, 'raid')) { out.raid_config = n.raid_config; out.target_raid_config = n.target_raid_config; }
    if (supports(req, 'boot_mode_fields')) { out.boot_mode = n.boot_mode; out.secure_boot = n.secure_boot; }
    return out;
  });
  app.put<P>('/v1/nodes/:ident/states/provision', (req, reply) => provision(req, reply, deps));
  app.put<P>('/v1/nodes/:ident/states/power', (req, reply) => power(req, reply, deps));
  app.put<P>('/v1/nodes/:ident/states/raid', async (req, reply) => {
    queryOf(req, []);
    if (!supports(req, 'raid')) throw new NotAcceptableError('Request not acceptable.');
    const b = bodyObject(req);
    const n = await getNode(req, deps.nodes, req.params.ident);
    await deps.conductor.setTargetRaidConfig(n.id, b);
    return reply.code(204).send();
  });
  app.get<P>('/v1/nodes/:ident/states/console', async (req) => {
    queryOf(req, []);
    const n = await getNode(req, deps.nodes, req.params.ident);
    const info = await deps.conductor.getConsoleInfo(n.id);
    return { console_enabled: n.console_enabled, console_info: info };
  });
  app.put<P>('/v1/nodes/:ident/states/console', async (req, reply) => {
    queryOf(req, []);
    const b = bodyObject(req);
    if (typeof b.enabled !== 'boolean' && typeof b.enabled !== 'string') throw new InvalidError('Missing argument: "enabled"');
    const enabled = typeof b.enabled === 'boolean' ? b.enabled : ['true', '1', 'yes', 'on', 't', 'y'].includes(b.enabled.toLowerCase());
    const n = await getNode(req, deps.nodes, req.params.ident);
    if (n.console_enabled === enabled) throw new ConflictError(`Node ${n.uuid} console is already ${enabled ? 'enabled' : 'disabled'}.`);
    await deps.conductor.setConsoleMode(n.id, enabled);
    location(req, deps, reply, req.params.ident, 'states/console');
    return reply.code(202).send();
  });
  const unstable = (st: string) => !STATES[st as keyof typeof STATES]?.stable && !STATES[st as keyof typeof STATES]?.failure;
  app.put<P>('/v1/nodes/:ident/states/boot_mode', async (req, reply) => {
    queryOf(req, []);
    const n = await getNode(req, deps.nodes, req.params.ident);
    if (!supports(req, 'change_boot_mode')) throw new NotFoundError('This endpoint is supported starting with the API version 1.76');
    const b = bodyObject(req);
    if (b.target !== 'uefi' && b.target !== 'bios') throw new InvalidError(`Invalid boot mode ${String(b.target)} requested for node. Allowed boot modes are: bios, uefi`);
    if (unstable(n.provision_state)) throw new ConflictError(`Node is in ${n.provision_state} state. Since node is transitioning, the boot mode will not be set as this may interfere with ongoing changes and result in erroneous modification. Try again later.`);
    await deps.conductor.setBootMode(n.id, b.target);
    location(req, deps, reply, req.params.ident);
    return reply.code(202).send();
  });
  app.put<P>('/v1/nodes/:ident/states/secure_boot', async (req, reply) => {
    queryOf(req, []);
    const n = await getNode(req, deps.nodes, req.params.ident);
    if (!supports(req, 'change_boot_mode')) throw new NotFoundError('This endpoint is supported starting with the API version 1.76');
    const b = bodyObject(req);
    if (typeof b.target !== 'boolean') throw new InvalidError(`Invalid secure_boot ${String(b.target)} requested for node. Allowed secure_boot states are: True, False) `);
    if (unstable(n.provision_state)) throw new ConflictError(`Node is in ${n.provision_state} state. Since node is transitioning, the boot mode will not be set as this may interfere with ongoing changes and result in erroneous modification. Try again later.`);
    await deps.conductor.setSecureBoot(n.id, b.target);
    location(req, deps, reply, req.params.ident);
    return reply.code(202).send();
  });
  void RoutingError;
}
