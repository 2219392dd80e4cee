/**
 * What every agent-driven interface shares (Ironic's agent_base): the agent's cached
 * steps, refreshing them, reading where the current in-band step stands, running an
 * in-band step, collecting the agent's logs, and the helpers for the node's sibling
 * interfaces (power, boot) that these flows orchestrate.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DriverError } from '../../core/errors.ts';
import type { Json, Node } from '../../core/node.ts';
import { ProvisionState as S } from '../../core/states.ts';
import type { AgentConfig } from '../../core/agent-config.ts';
import type { ComposedDriver, DriverContext, RuntimeStep } from '../base.ts';
import type { InbandStatus, Phase } from '../shared/agent-driven.ts';
import { isPlaceholder } from '../shared/extensions.ts';
import { pyRepr } from '../shared/py-repr.ts';
import { AgentClient, commandError, type CommandResult } from './client.ts';
import { nodeAsDict, portsAsDicts } from './wire.ts';

/** Ironic's naive isoformat timestamp with microseconds (timestamp_driver_internal_info). */
export const stamp = (): string => `${new Date().toISOString().slice(0, 23)}000`;

export function siblings(ctx: DriverContext, who: string): ComposedDriver {
  if (!ctx.driver) throw new DriverError(`Node ${ctx.node.uuid}: the ${who} needs the node's other interfaces; the conductor did not provide them.`);
  return ctx.driver;
}

export function client(ctx: DriverContext, cfg: AgentConfig): AgentClient {
  return new AgentClient(cfg, ctx.signal);
}

/** The phase an in-band step belongs to, from the node's state. */
export function phaseOf(node: Readonly<Node>): Phase {
  return [S.CLEANING, S.CLEAN_WAIT].includes(node.provision_state as 'cleaning') ? 'clean' : 'deploy';
}

/** Whether the conductor boots the agent ramdisk through the boot interface ([agent] manage_agent_boot). */
export function bootManaged(_ctx: DriverContext, cfg: AgentConfig): boolean {
  return cfg.manageAgentBoot;
}

/**
 * Whether the boot interface can prepare the instance's boot. Ironic calls it even with
 * manage_agent_boot off; Ingot's PXE/iPXE are placeholders then, and the boot device is
 * set to disk through the management interface anyway.
 */
export function bootUsable(ctx: DriverContext): boolean {
  return !isPlaceholder(siblings(ctx, 'agent flow').boot);
}

/**
 * Cached agent steps of `interface` (Ironic's agent_base.get_steps), priorities overridden
 * by `[deploy] erase_devices_priority` / `erase_devices_metadata_priority` for cleaning.
 */
export function cachedSteps(ctx: DriverContext, cfg: AgentConfig, phase: Phase, iface: string): RuntimeStep[] {
  const cache = ctx.node.driver_internal_info[`agent_cached_${phase}_steps`];
  if (!cache || typeof cache !== 'object') return [];
  const list = (cache as Json)[iface];
  if (!Array.isArray(list)) return [];
  const overrides: Record<string, number | null> = phase === 'clean'
    ? { erase_devices: cfg.eraseDevicesPriority, erase_devices_metadata: cfg.eraseDevicesMetadataPriority }
    : {};
  return (list as RuntimeStep[]).map((s) => {
    const o = overrides[s.step];
    return o === undefined || o === null ? { ...s } : { ...s, priority: o };
  });
}

/** Ask the agent for its steps and cache them (Ironic's refresh_steps). */
export async function refreshSteps(ctx: DriverContext, cfg: AgentConfig, phase: Phase): Promise<void> {
  const node = ctx.node;
  let res: CommandResult;
  try {
    res = await client(ctx, cfg).getSteps(node, phase, nodeAsDict(node), await portsAsDicts(ctx));
  } catch (err) {
    if (err instanceof DriverError && err.reason === 'agent_busy') {
      ctx.logger.debug({ node: node.uuid }, 'agent busy, steps refreshed on the next heartbeat');
      return;
    }
    throw err;
  }
  const result = (res.command_result ?? {}) as Json;
  const missing = [`${phase}_steps`, 'hardware_manager_version'].filter((k) => !(k in result));
  if (missing.length) {
    throw new DriverError(`agent get_${phase}_steps for node ${node.uuid} returned an invalid result. Keys: ${pyRepr(missing)} are missing from result: ${JSON.stringify(result)}.`);
  }
  const byIface: Record<string, Json[]> = {};
  for (const list of Object.values(result[`${phase}_steps`] as Json)) {
    if (!Array.isArray(list)) continue;
    for (const step of list as Json[]) {
      const lacks = ['interface', 'step', 'priority'].filter((k) => !(k in step));
      if (lacks.length) {
        throw new DriverError(`agent get_${phase}_steps for node ${node.uuid} returned an invalid ${phase} step. Keys: ${pyRepr(lacks)} are missing from step: ${JSON.stringify(step)}.`);
      }
      const s = phase === 'clean' ? { ...step, requires_ramdisk: true } : { ...step };
      (byIface[String(step.interface)] ??= []).push(s);
    }
  }
  ctx.setInternalInfo({
    hardware_manager_version: result.hardware_manager_version,
    [`agent_cached_${phase}_steps`]: byIface,
    [`agent_cached_${phase}_steps_refreshed`]: stamp(),
  });
}

const sameStep = (a: Json | undefined, b: Json) => !!a && a.interface === b.interface && a.step === b.step;

/** Ironic's process_next_step reading of the agent's command list. */
export async function stepStatus(ctx: DriverContext, cfg: AgentConfig, phase: Phase): Promise<InbandStatus> {
  const node = ctx.node;
  const cmds = await client(ctx, cfg).commandsStatus(node);
  // Freshly booted: nothing run, or only the step listing (Ironic's _freshly_booted).
  if (cmds.length === 0 || (cmds.length === 1 && cmds[0]!.command_name === `get_${phase}_steps`)) return { kind: 'fresh' };
  const last = cmds.at(-1)!;
  if (last.command_name !== `execute_${phase}_step`) return { kind: 'running' };
  const current = (phase === 'clean' ? node.clean_step : node.deploy_step) as Json;
  const lastStep = ((last.command_result ?? {}) as Json)[`${phase}_step`] as Json | undefined;
  switch (last.command_status) {
    case 'RUNNING': return { kind: 'running' };
    case 'SUCCEEDED': return sameStep(lastStep, current) ? { kind: 'succeeded' } : { kind: 'running' };
    case 'FAILED': return { kind: 'failed', error: commandError(last) };
    case 'CLEAN_VERSION_MISMATCH':
    case 'VERSION_MISMATCH':
      await refreshSteps(ctx, cfg, phase);
      return { kind: 'version_mismatch' };
    default:
      return { kind: 'failed', error: `Agent returned unknown status for ${phase} step ${pyRepr(current)} on node ${node.uuid} : ${commandError(last)}` };
  }
}

/** Start `step` on the agent (Ironic's agent_base.execute_step); the result comes with a heartbeat. */
export async function executeInband(ctx: DriverContext, cfg: AgentConfig, phase: Phase, step: Json): Promise<'wait'> {
  const node = ctx.node;
  const res = await client(ctx, cfg).executeStep(node, phase, step, nodeAsDict(node, { maskConfigdrive: phase !== 'deploy' }), await portsAsDicts(ctx));
  if (!res.command_status) {
    throw new DriverError(`Agent on node ${node.uuid} returned bad command result: ${JSON.stringify(res)}`);
  }
  return 'wait';
}

/** The current step as the node records it, for execute_*_step. */
export function currentStep(ctx: DriverContext, phase: Phase, name: string, args: Json): Json {
  const cur = (phase === 'clean' ? ctx.node.clean_step : ctx.node.deploy_step) as Json;
  if (cur && cur.step === name) return { ...cur, args: cur.args ?? args };
  return { interface: 'deploy', step: name, args };
}

/** Fetch the agent's logs into [agent] deploy_logs_local_path (Ironic's collect_ramdisk_logs); never throws. */
export async function collectLogs(ctx: DriverContext, cfg: AgentConfig, label: string): Promise<void> {
  const node = ctx.node;
  try {
    const res = await client(ctx, cfg).collectSystemLogs(node);
    const logs = ((res.command_result ?? {}) as Json).system_logs;
    if (typeof logs !== 'string' || !logs) {
      ctx.logger.warn({ node: node.uuid }, `the agent returned no logs (${label})`);
      return;
    }
    mkdirSync(cfg.deployLogsLocalPath, { recursive: true });
    const name = `${node.uuid}_${node.instance_uuid ?? 'unknown'}_${stamp().replace(/[:.]/g, '-')}_${label}.tar.gz`;
    writeFileSync(join(cfg.deployLogsLocalPath, name), Buffer.from(logs, 'base64'));
    ctx.logger.info({ node: node.uuid, file: name }, 'agent logs collected');
  } catch (err) {
    ctx.logger.warn({ node: node.uuid, err: err instanceof Error ? err.message : String(err) }, 'could not collect the agent logs');
  }
}
