/**
 * Power and boot-mode helpers of the agent flows.
 */
import type { Json, Node } from '../../core/node.ts';
import { PowerState as P } from '../../core/states.ts';
import type { AgentConfig } from '../../core/agent-config.ts';
import type { DriverContext } from '../base.ts';
import { siblings } from './agent-base.ts';
import { bootModeOf as sharedBootModeOf } from '../shared/agent-iso.ts';

/**
 * Forget the agent session (Ironic's wipe_token_and_url): the next ramdisk boot looks
 * itself up anew and gets a fresh token. Keys set to undefined vanish when stored.
 */
export function wipeTokenAndUrl(ctx: DriverContext): void {
  ctx.setInternalInfo({
    agent_secret_token: undefined, agent_secret_token_pregenerated: undefined, agent_url: undefined, agent_verify_ca: undefined,
  } as unknown as Json);
}

/**
 * What must not survive a reboot (Ironic's wipe_internal_info_on_power_off): the agent's
 * URL, certificate and cached steps, and its token unless the boot interface generated it
 * in advance to hand it over on the boot media (agent_secret_token_pregenerated).
 */
export function wipeOnPowerOff(ctx: DriverContext): void {
  const wipe: Record<string, undefined> = {
    agent_url: undefined, agent_verify_ca: undefined, agent_cached_deploy_steps: undefined, agent_cached_clean_steps: undefined,
  };
  if (!ctx.node.driver_internal_info.agent_secret_token_pregenerated) wipe.agent_secret_token = undefined;
  ctx.setInternalInfo(wipe as unknown as Json);
}

/**
 * A power action with its result recorded on the node (Ironic's node_power_action):
 * power_state and driver_internal_info.last_power_state_change, stored after the call.
 */
export async function powerAction(ctx: DriverContext, target: typeof P.ON | typeof P.OFF | typeof P.REBOOT): Promise<void> {
  const d = siblings(ctx, 'agent flow');
  if (target === P.REBOOT) await d.power.reboot(ctx, false);
  else await d.power.setPowerState(ctx, target);
  const final = target === P.OFF ? P.OFF : P.ON;
  ctx.setNodeFields?.({ power_state: final });
  ctx.setInternalInfo({ last_power_state_change: `${new Date().toISOString().slice(0, 23)}000` });
  // Later reads in the same call see it (the fake power reports the recorded state).
  (ctx.node as { power_state: string | null }).power_state = final;
}

/**
 * Boot the node into the agent ramdisk: a new agent session, then reboot (or power on).
 * Callers that let the boot interface prepare the ramdisk in the same call wipe first
 * (`wipeOnPowerOff`), then prepare, then `bootRamdisk`: a token the boot interface
 * pre-generates must survive.
 */
export async function rebootIntoRamdisk(ctx: DriverContext, purpose: string): Promise<void> {
  wipeOnPowerOff(ctx);
  await bootRamdisk(ctx, purpose);
}

export async function bootRamdisk(ctx: DriverContext, purpose: string): Promise<void> {
  const d = siblings(ctx, `${purpose} through the agent`);
  const state = await d.power.getPowerState(ctx);
  await powerAction(ctx, state === P.ON ? P.REBOOT : P.ON);
}

/**
 * Ironic's boot_mode_utils.get_boot_mode (drivers/shared/agent-iso.ts): requested secure
 * boot, instance capabilities, instance deploy_boot_mode, node capabilities, the mode
 * recorded at boot-mode sync (driver_internal_info.deploy_boot_mode), else `[deploy]
 * default_boot_mode`.
 */
export function bootModeOf(node: Readonly<Node>, cfg: AgentConfig): 'uefi' | 'bios' {
  return sharedBootModeOf(node, cfg.defaultBootMode);
}
