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
import { queryOf } from '../params.ts';
import { getNode } from '../lookup.ts';
import { legacyState } from '../views/node.ts';
import { RoutingError } from '../errors.ts';
import { verboseSchemaError, type JSchema } from '../jsonschema.ts';
import { bodyAndArgs, boolArg, checkIdentArg, intArg, mergedArgs, pyStr, required, stringArg } from './node-args.ts';

/** API verb → FSM event (Ironic's VERBS). */
const VERBS: Record<string, FsmEvent> = {
  active: 'deploy', deploy: 'deploy', deleted: 'delete', undeploy: 'delete', rebuild: 'rebuild',
  manage: 'manage', provide: 'provide', inspect: 'inspect', abort: 'abort', clean: 'clean', adopt: 'adopt',
  rescue: 'rescue', unrescue: 'unrescue',
};

/** _CLEAN_STEPS_SCHEMA (key order and descriptions as 21.4 has them: they appear in errors). */
const CLEAN_STEPS_SCHEMA: JSchema = {
  $schema: 'http://json-schema.org/schema#',
  title: 'Clean steps schema',
  type: 'array',
  items: {
    type: 'object',
    required: ['interface', 'step'],
    properties: {
      interface: { description: 'driver interface', enum: ['power', 'management', 'deploy', 'bios', 'raid'] },
      step: { description: 'name of clean step', type: 'string', minLength: 1 },
      args: { description: 'additional args', type: 'object', properties: {} },
    },
    additionalProperties: false,
  },
};
/** _DEPLOY_STEPS_SCHEMA (utils.DEPLOY_STEP_SCHEMA items). */
const DEPLOY_STEPS_SCHEMA: JSchema = {
  $schema: 'http://json-schema.org/schema#',
  title: 'Deploy steps schema',
  type: 'array',
  items: {
    type: 'object',
    properties: {
      args: { type: 'object' },
      interface: { type: 'string', enum: ['power', 'management', 'deploy', 'bios', 'raid'] },
      priority: { anyOf: [{ type: 'integer', minimum: 0 }, { type: 'string', minLength: 1, pattern: '^[0-9]+$' }] },
      step: { type: 'string', minLength: 1 },
    },
    required: ['interface', 'step', 'args', 'priority'],
    additionalProperties: false,
  },
};
/** utils._CONFIG_DRIVE_SCHEMA. */
const CONFIG_DRIVE_SCHEMA: JSchema = {
  anyOf: [
    {
      type: 'object',
      properties: {
        meta_data: { type: 'object' }, network_data: { type: 'object' },
        user_data: { type: ['object', 'array', 'string', 'null'] }, vendor_data: { type: 'object' },
      },
      additionalProperties: false,
    },
    { type: ['string', 'null'] },
  ],
};
const B64_ALPHABET = /^[A-Za-z0-9+/=\n\r\t ]*$/;

function location(req: FastifyRequest, deps: ApiDeps, reply: FastifyReply, ident: string, suffix = 'states'): void {
  reply.header('Location', `${publicUrl(req, deps.config.publicUrl)}/v1/nodes/${ident}/${suffix}`);
}

/** args.types(...): "Expected types <class 'NoneType'>, … for name: value". */
function typesArg(name: string, v: unknown, types: ('dict' | 'str' | 'list')[], noneOk = true): void {
  if (noneOk && (v === undefined || v === null)) return;
  const ok = types.some((t) => (t === 'dict' ? v !== null && typeof v === 'object' && !Array.isArray(v) : t === 'list' ? Array.isArray(v) : typeof v === 'string'));
  if (!ok) throw new InvalidError(`Expected types ${[...(noneOk ? ['NoneType'] : []), ...types].map((t) => `<class '${t}'>`).join(', ')} for ${name}: ${pyStr(v)}`);
}

/** utils.check_allow_configdrive. */
function checkConfigdrive(req: FastifyRequest, target: unknown, cd: unknown): void {
  if (cd === undefined || cd === null || cd === '' || (typeof cd === 'object' && Object.keys(cd).length === 0)) return;
  const allowed = supports(req, 'rebuild_configdrive') ? ['active', 'rebuild'] : ['active'];
  if (!allowed.includes(target as string)) throw new InvalidError(`Adding a config drive is only supported when setting provision state to ${allowed.join(', ')}`);
  const e = verboseSchemaError(cd, CONFIG_DRIVE_SCHEMA);
  if (e !== null) throw new InvalidError(`Invalid configdrive format: ${e}`);
  if (typeof cd === 'object') {
    if (!supports(req, 'configdrive_dict')) throw new InvalidError('Providing a JSON object for configdrive is only supported starting with API version 1.56');
    if ('vendor_data' in cd && !supports(req, 'configdrive_vendor_data')) throw new InvalidError('Providing vendor_data in configdrive is only supported starting with API version 1.59');
    return;
  }
  if ((cd as string).includes('://')) return;
  if (!B64_ALPHABET.test(cd as string)) throw new InvalidError('Invalid configdrive format: it is neither a JSON, nor a URL, nor a base64 string');
}

/** 400 "Invalid clean_steps: <str(ValidationError)>" (the whole jsonschema text, as 21.4 sends it). */
function checkSteps(kind: 'clean' | 'deploy', steps: unknown, schema: JSchema): void {
  const e = verboseSchemaError(steps, schema);
  if (e !== null) throw new InvalidError(`Invalid ${kind}_steps: ${e}`);
}

const PROVISION_ARGS = ['target', 'configdrive', 'clean_steps', 'deploy_steps', 'rescue_password', 'disable_ramdisk'];

/**
 * NodeStatesController.provision, check for check. Arguments are the query and body keys
 * merged (kwargs style); `target: null` is a target named "None".
 */
async function provision(req: FastifyRequest<{ Params: { ident: string } }>, reply: FastifyReply, deps: ApiDeps) {
  const ident = req.params.ident;
  checkIdentArg(ident);
  const b = mergedArgs(req, PROVISION_ARGS);
  const target = stringArg('target', required('target', b.target));
  typesArg('configdrive', b.configdrive, ['dict', 'str']);
  typesArg('clean_steps', b.clean_steps, ['list']);
  typesArg('deploy_steps', b.deploy_steps, ['list']);
  const rescuePassword = stringArg('rescue_password', b.rescue_password);
  const disableRamdisk = boolArg('disable_ramdisk', b.disable_ramdisk);
  const node = await getNode(req, deps.nodes, ident);
  const minV = target === undefined ? undefined : MIN_VERB_VERSIONS[target];
  if (minV !== undefined && req.apiVersion < minV) throw new NotAcceptableError('Request not acceptable.');
  if ((target === 'active' || target === 'rebuild') && node.maintenance) {
    throw new InvalidError(`The provisioning operation can't be performed on node ${node.uuid} because it's in maintenance mode.`);
  }
  // Like Ironic, a raw FSM event name passes the state check too (VERBS.get(target, target)),
  // and is refused afterwards as "could not be understood".
  const event = target === undefined ? undefined : (Object.hasOwn(VERBS, target) ? VERBS[target] : target) as FsmEvent;
  if (!event || !nextState(node.provision_state, event, MAX_VERSION)) {
    // `abort` of a node a job holds goes to the conductor: it aborts its running
    // provisioning job (202), or answers this same 409.
    if (node.reservation && event === 'abort') {
      await deps.conductor.doProvisioningAction(node.id, { event, target: target! });
      location(req, deps, reply, ident);
      return reply.code(202).send();
    }
    if (node.reservation) throw new NodeLockedError(node.uuid, node.reservation);
    throw new InvalidStateError(`The requested action "${target ?? 'None'}" can not be performed on node "${node.uuid}" while it is in state "${node.provision_state}".`);
  }
  checkConfigdrive(req, target, b.configdrive);
  if (disableRamdisk !== undefined) {
    if (!supports(req, 'disable_ramdisk')) throw new NotAcceptableError('disable_ramdisk is not acceptable in this API version');
    // NOTE: 21.4 answers this with a 500 (BadRequest has no HTTP code there); 400 here.
    if (target !== 'clean') throw new InvalidError('disable_ramdisk is supported only with manual cleaning');
  }
  const cleanSteps = b.clean_steps as Json[] | null | undefined;
  if (cleanSteps && cleanSteps.length && target !== 'clean') throw new InvalidError('"clean_steps" is only valid when setting target provision state to clean');
  const deploySteps = b.deploy_steps as Json[] | null | undefined;
  if (deploySteps && deploySteps.length) {
    if (!supports(req, 'deploy_steps_on_deploy')) throw new NotAcceptableError('Request not acceptable. The minimal required API version should be 1.69');
    if (target !== 'active' && target !== 'rebuild') throw new InvalidError('"deploy_steps" is only valid when setting target provision state to active or rebuild');
  }
  if (rescuePassword !== undefined && target !== 'rescue') throw new InvalidError('"rescue_password" is only valid when setting target provision state to rescue');
  if (node.provision_state === S.INSPECT_WAIT && target === 'abort' && !supports(req, 'abort_inspect')) throw new NotAcceptableError('Request not acceptable.');
  if (deploySteps && deploySteps.length && (target === 'active' || target === 'rebuild' || target === 'deploy')) checkSteps('deploy', deploySteps, DEPLOY_STEPS_SCHEMA);
  if (target === 'rescue' && !(rescuePassword && rescuePassword.trim())) {
    throw new InvalidError('A non-empty "rescue_password" is required when setting target provision state to rescue');
  }
  if (target === 'clean') {
    if (!cleanSteps || cleanSteps.length === 0) throw new InvalidError('"clean_steps" is required when setting target provision state to clean');
    checkSteps('clean', cleanSteps, CLEAN_STEPS_SCHEMA);
  }
  if (!Object.hasOwn(VERBS, target!)) {
    throw new InvalidStateError(`The requested action "${target}" could not be understood.`);
  }
  await deps.conductor.doProvisioningAction(node.id, {
    event, target: target!, configdrive: b.configdrive ?? undefined, cleanSteps: cleanSteps ?? undefined,
    deploySteps: deploySteps ?? undefined, rescuePassword, disableRamdisk,
  });
  location(req, deps, reply, ident);
  return reply.code(202).send();
}

/** NodeStatesController.power, check for check (messages name the node as the client did). */
async function power(req: FastifyRequest<{ Params: { ident: string } }>, reply: FastifyReply, deps: ApiDeps) {
  const ident = req.params.ident;
  checkIdentArg(ident);
  const b = mergedArgs(req, ['target', 'timeout']);
  const target = stringArg('target', required('target', b.target));
  const timeout = intArg('timeout', b.timeout);
  const node = await getNode(req, deps.nodes, ident);
  const soft = target === P.SOFT_OFF || target === P.SOFT_REBOOT;
  if ((soft || timeout) && !supports(req, 'soft_power')) throw new NotAcceptableError('Request not acceptable.');
  if (timeout !== undefined && timeout < 1) throw new InvalidError('timeout has to be positive integer');
  if (target === undefined || !POWER_TARGETS.includes(target)) {
    throw new InvalidStateError(`The requested action "${target ?? 'None'}" can not be performed on node "${ident}" while it is in state "${node.power_state ?? 'None'}".`);
  }
  if (node.provision_state === S.CLEANING || node.provision_state === S.CLEAN_WAIT) {
    throw new InvalidStateError(`The requested action "${target}" can not be performed on node "${ident}" while it is in state "${node.provision_state}".`);
  }
  await deps.conductor.changePowerState(node.id, target, timeout);
  location(req, deps, reply, ident);
  return reply.code(202).send();
}

/** kwargs-style controllers: 21.4 ignores a body that is not JSON (the arguments are then missing). */
const KWARGS = { config: { ignoreMalformedBody: true } };

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
  app.put<P>('/v1/nodes/:ident/states/provision', KWARGS, (req, reply) => provision(req, reply, deps));
  app.put<P>('/v1/nodes/:ident/states/power', KWARGS, (req, reply) => power(req, reply, deps));
  // @method.body controller: the whole body (none = {}) must be a dict; the version is
  // checked only after the node is found.
  app.put<P>('/v1/nodes/:ident/states/raid', async (req, reply) => {
    checkIdentArg(req.params.ident);
    const { body } = bodyAndArgs(req, []);
    typesArg('target_raid_config', body, ['dict'], false);
    const n = await getNode(req, deps.nodes, req.params.ident);
    if (!supports(req, 'raid')) throw new NotAcceptableError('Request not acceptable.');
    await deps.conductor.setTargetRaidConfig(n.id, body as Json);
    return reply.code(204).send();
  });
  app.get<P>('/v1/nodes/:ident/states/console', async (req) => {
    queryOf(req, []);
    const n = await getNode(req, deps.nodes, req.params.ident);
    // A disabled console answers without asking the driver (NodeConsoleNotEnabled).
    if (!n.console_enabled) return { console_enabled: false, console_info: null };
    const info = await deps.conductor.getConsoleInfo(n.id);
    return { console_enabled: n.console_enabled, console_info: info };
  });
  app.put<P>('/v1/nodes/:ident/states/console', KWARGS, async (req, reply) => {
    checkIdentArg(req.params.ident);
    const b = mergedArgs(req, ['enabled']);
    const enabled = boolArg('enabled', required('enabled', b.enabled));
    const n = await getNode(req, deps.nodes, req.params.ident);
    if (enabled === undefined) throw new InvalidError('Missing mandatory parameter: enabled');
    await deps.conductor.setConsoleMode(n.id, enabled);
    location(req, deps, reply, req.params.ident, 'states/console');
    return reply.code(202).send();
  });
  const unstable = (st: string) => !STATES[st as keyof typeof STATES]?.stable && !STATES[st as keyof typeof STATES]?.failure;
  const UNSTABLE = (st: string) => `Node is in ${st} state. Since node is transitioning, the boot mode will not be set as this may interfere with ongoing changes and result in erroneous modification. Try again later.`;
  app.put<P>('/v1/nodes/:ident/states/boot_mode', KWARGS, async (req, reply) => {
    checkIdentArg(req.params.ident);
    const b = mergedArgs(req, ['target']);
    const target = stringArg('target', required('target', b.target));
    const n = await getNode(req, deps.nodes, req.params.ident);
    if (!supports(req, 'change_boot_mode')) throw new NotFoundError('This endpoint is supported starting with the API version 1.76');
    if (target !== 'uefi' && target !== 'bios') throw new InvalidError(`Invalid boot mode ${target ?? 'None'} requested for node. Allowed boot modes are: bios, uefi`);
    if (unstable(n.provision_state)) throw new ConflictError(UNSTABLE(n.provision_state));
    await deps.conductor.setBootMode(n.id, target);
    location(req, deps, reply, req.params.ident);
    return reply.code(202).send();
  });
  app.put<P>('/v1/nodes/:ident/states/secure_boot', KWARGS, async (req, reply) => {
    checkIdentArg(req.params.ident);
    const b = mergedArgs(req, ['target']);
    const target = boolArg('target', required('target', b.target));
    const n = await getNode(req, deps.nodes, req.params.ident);
    if (!supports(req, 'change_boot_mode')) throw new NotFoundError('This endpoint is supported starting with the API version 1.76');
    if (target === undefined) throw new InvalidError('Invalid secure_boot None requested for node. Allowed secure_boot states are: True, False) ');
    if (unstable(n.provision_state)) throw new ConflictError(UNSTABLE(n.provision_state));
    await deps.conductor.setSecureBoot(n.id, target);
    location(req, deps, reply, req.params.ident);
    return reply.code(202).send();
  });
  // Pecan custom actions: another method on a known action, or PUT on an unknown one, is 405.
  const ACTIONS = ['power', 'provision', 'raid', 'boot_mode', 'secure_boot'];
  for (const m of ['POST', 'PATCH', 'DELETE'] as const) {
    for (const a of ACTIONS) app.route<P>({ method: m, url: `/v1/nodes/:ident/states/${a}`, handler: async () => { throw new RoutingError(405); } });
  }
  app.put<P & { Params: { action: string } }>('/v1/nodes/:ident/states/:action', async () => { throw new RoutingError(405); });
}
