/**
 * The `agent` rescue interface (Ironic's AgentRescue) and the `agent` power interface
 * (Ironic's AgentPower: reboots through a running agent, for hardware whose BMC Ingot
 * cannot drive, e.g. manual-management).
 */
import { DriverError, InvalidError } from '../../core/errors.ts';
import type { Json } from '../../core/node.ts';
import { PowerState as P } from '../../core/states.ts';
import type { AgentConfig } from '../../core/agent-config.ts';
import type { DriverContext, PowerInterface, RescueInterface, StepOutcome } from '../base.ts';
import type { AgentRescueFinalizer } from '../shared/agent-driven.ts';
import { bootManaged, client, siblings } from './agent-base.ts';
import { commandError } from './client.ts';
import { powerAction, wipeOnPowerOff } from './power-flow.ts';

export class AgentRescue implements RescueInterface, AgentRescueFinalizer {
  readonly name = 'agent';
  constructor(private readonly cfg: AgentConfig) {}
  properties(): Readonly<Record<string, string>> { return {}; }

  async validate(ctx: DriverContext): Promise<void> {
    if (bootManaged(ctx, this.cfg)) await siblings(ctx, 'agent rescue').boot.validate(ctx);
  }

  /** Power off, boot the rescue ramdisk; rescue ends at the agent's first heartbeat. */
  async rescue(ctx: DriverContext): Promise<StepOutcome> {
    const d = siblings(ctx, 'agent rescue');
    await powerAction(ctx, P.OFF);
    wipeOnPowerOff(ctx);
    if (bootManaged(ctx, this.cfg)) {
      await d.boot.cleanUpInstance(ctx);
      await d.boot.prepareRamdisk(ctx, 'rescue');
    }
    await powerAction(ctx, P.ON);
    return 'wait';
  }

  /** rescue.finalize_rescue with the crypt(3) hash of the password (Ironic's _finalize_rescue). */
  async finalizeRescue(ctx: DriverContext): Promise<void> {
    const node = ctx.node;
    const hashed = node.instance_info.hashed_rescue_password;
    if (typeof hashed !== 'string' || !hashed) throw new DriverError('Agent rescue requires rescue_password in instance_info');
    const res = await client(ctx, this.cfg).finalizeRescue(node, hashed);
    if (res.command_status !== 'SUCCEEDED') {
      throw new DriverError(`Agent returned bad result for command finalize_rescue: ${commandError(res)}`);
    }
  }

  async cleanUpRescue(ctx: DriverContext): Promise<void> {
    if (bootManaged(ctx, this.cfg)) await siblings(ctx, 'agent rescue').boot.cleanUpRamdisk(ctx);
  }

  /** Power off, boot the instance again. */
  async unrescue(ctx: DriverContext): Promise<void> {
    const d = siblings(ctx, 'agent rescue');
    await powerAction(ctx, P.OFF);
    await this.cleanUpRescue(ctx);
    if (bootManaged(ctx, this.cfg)) await d.boot.prepareInstance(ctx);
    await powerAction(ctx, P.ON);
  }
}

const truthy = (v: unknown) => ['true', '1', 'yes', 'on', 't', 'y'].includes(String(v ?? false).toLowerCase());

export class AgentPower implements PowerInterface {
  readonly name = 'agent';
  constructor(private readonly cfg: AgentConfig) {}
  properties(): Readonly<Record<string, string>> { return {}; }

  /** An agent heartbeat younger than [api] ramdisk_heartbeat_timeout, with its URL known. */
  private alive(ctx: DriverContext): boolean {
    const dii = ctx.node.driver_internal_info;
    const last = typeof dii.agent_last_heartbeat === 'string' ? Date.parse(`${dii.agent_last_heartbeat}Z`) : NaN;
    return typeof dii.agent_url === 'string' && Number.isFinite(last) && Date.now() - last < this.cfg.ramdiskHeartbeatTimeout * 1000;
  }

  async validate(ctx: DriverContext): Promise<void> {
    if (!truthy(ctx.node.driver_info.fast_track)) throw new InvalidError('Fast track mode must be enabled to use the agent power interface');
    if (!this.alive(ctx)) throw new InvalidError(`Agent seems offline for node ${ctx.node.uuid}, the agent power interface cannot be used`);
  }

  async getSupportedPowerStates(_ctx: DriverContext): Promise<string[]> { return [P.REBOOT, P.SOFT_REBOOT]; }

  /** Only "power on" is knowable (an agent heartbeats); anything else is unknown (null). */
  async getPowerState(ctx: DriverContext): Promise<string> {
    return (this.alive(ctx) ? P.ON : null) as unknown as string;
  }

  async setPowerState(ctx: DriverContext, target: string): Promise<void> {
    if (target === P.REBOOT || target === P.SOFT_REBOOT) return this.reboot(ctx, target === P.SOFT_REBOOT);
    throw new DriverError(`Failed to set node power state to ${target}: the "agent" power interface can only reboot the node (through its running agent); use a power interface that drives the BMC for other actions.`);
  }

  /** standby.run_image on the agent; the next ramdisk session gets a new token. */
  async reboot(ctx: DriverContext, _soft: boolean): Promise<void> {
    const node = ctx.node;
    await client(ctx, this.cfg).reboot(node);
    const wipe: Json = { agent_url: undefined } as unknown as Json;
    if (!node.driver_internal_info.agent_secret_token_pregenerated) (wipe as Record<string, unknown>).agent_secret_token = undefined;
    ctx.setInternalInfo(wipe);
  }
}
