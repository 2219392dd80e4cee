/**
 * The `direct` deploy interface (Ironic 21.4's AgentDeploy): the node boots the agent
 * ramdisk, the agent writes the image, the conductor drives it through heartbeats.
 *
 * Deploy steps (priority): deploy 100 (reboot into the ramdisk → `wait call-back`),
 * write_image 80 (the agent's write_image, asynchronous → waits for a heartbeat),
 * prepare_instance_boot 60 (partition UUIDs, bootloader for UEFI whole-disk images,
 * boot device disk), tear_down_agent 40 (power off through the agent, or sync + power off
 * out of band with driver_info.deploy_forces_oob_reboot), switch_to_tenant_network 30,
 * boot_instance 20. Agent steps (erase_devices, ...) come through `getSteps` from the
 * cache the conductor fills at the first heartbeat, and run in-band.
 *
 * Cleaning is agent-based: prepareCleaning reboots into the ramdisk and answers 'wait'.
 */
import { DriverError, InvalidError, messageOf } from '../../core/errors.ts';
import type { Json } from '../../core/node.ts';
import { PowerState as P } from '../../core/states.ts';
import type { AgentConfig } from '../../core/agent-config.ts';
import type { DeployInterface, DriverContext, RuntimeStep, StepDef, StepOutcome } from '../base.ts';
import type { AgentDriven, InbandStatus, Phase } from '../shared/agent-driven.ts';
import { DIRECT_DEPLOY_PROPERTIES } from '../agent-stubs/properties.ts';
import {
  bootManaged, bootUsable, cachedSteps, client, collectLogs, currentStep, executeInband, phaseOf, refreshSteps, siblings, stepStatus,
} from './agent-base.ts';
import { imageInfo, imageUrlFor, isWholeDisk, validateImageInfo, type ImageServing } from './image.ts';
import { pollSoon } from './poll.ts';
import { bootModeOf, bootRamdisk, powerAction, rebootIntoRamdisk, wipeOnPowerOff, wipeTokenAndUrl } from './power-flow.ts';

const deployStep = (step: string, deployPriority: number): StepDef => ({ step, deployPriority });
const OWN = new Set(['boot_instance', 'deploy', 'prepare_instance_boot', 'switch_to_tenant_network', 'tear_down_agent', 'write_image']);

export class DirectDeploy implements DeployInterface, AgentDriven {
  readonly name = 'direct';
  readonly steps: readonly StepDef[] = [
    deployStep('boot_instance', 20), deployStep('deploy', 100), deployStep('prepare_instance_boot', 60),
    deployStep('switch_to_tenant_network', 30), deployStep('tear_down_agent', 40), deployStep('write_image', 80),
  ];

  constructor(private readonly cfg: AgentConfig, private readonly serving: ImageServing) {}

  properties(): Readonly<Record<string, string>> { return { ...DIRECT_DEPLOY_PROPERTIES }; }

  async validate(ctx: DriverContext): Promise<void> {
    const d = siblings(ctx, 'direct deploy');
    if (bootManaged(ctx, this.cfg)) await d.boot.validate(ctx);
    const forces = ctx.node.driver_info.deploy_forces_oob_reboot;
    if (forces !== undefined && !['true', 'false', '1', '0', 'yes', 'no', 'on', 'off', 't', 'f', 'y', 'n'].includes(String(forces).toLowerCase())) {
      throw new InvalidError(`Node ${ctx.node.uuid}: driver_info.deploy_forces_oob_reboot must be a boolean, not ${JSON.stringify(forces)}.`);
    }
    validateImageInfo(ctx.node, this.cfg);
  }

  /** Agent steps of the `deploy` interface; our own steps of the same name win. */
  getSteps(ctx: DriverContext, phase: Phase): readonly RuntimeStep[] {
    return cachedSteps(ctx, this.cfg, phase, 'deploy').filter((s) => phase === 'clean' || !OWN.has(s.step));
  }

  refreshSteps(ctx: DriverContext, phase: Phase): Promise<void> { return refreshSteps(ctx, this.cfg, phase); }
  stepStatus(ctx: DriverContext, phase: Phase): Promise<InbandStatus> { return stepStatus(ctx, this.cfg, phase); }
  collectLogs(ctx: DriverContext, label: string): Promise<void> { return collectLogs(ctx, this.cfg, label); }

  /** Ironic's AgentDeploy.prepare: power off, the image URL, the ramdisk boot. */
  async prepare(ctx: DriverContext): Promise<void> {
    const d = siblings(ctx, 'direct deploy');
    await d.network.validate(ctx);
    await powerAction(ctx, P.OFF);
    wipeOnPowerOff(ctx);
    validateImageInfo(ctx.node, this.cfg);
    const url = await imageUrlFor(ctx.node, this.cfg, this.serving, ctx.signal);
    ctx.setNodeFields?.({ instance_info: { ...ctx.node.instance_info, image_url: url } });
    ctx.setInternalInfo({ is_whole_disk_image: isWholeDisk(ctx.node) });
    if (bootManaged(ctx, this.cfg)) await d.boot.prepareRamdisk(ctx, 'deploy');
  }

  async executeStep(ctx: DriverContext, step: string, args: Json): Promise<StepOutcome> {
    switch (step) {
      case 'deploy': return this.deploy(ctx);
      case 'write_image': return this.writeImage(ctx);
      case 'prepare_instance_boot': await this.prepareInstanceBoot(ctx); return 'done';
      case 'tear_down_agent': await this.tearDownAgent(ctx); return 'done';
      case 'switch_to_tenant_network': return 'done';
      case 'boot_instance': await this.bootInstance(ctx); return 'done';
      default: {
        const phase = phaseOf(ctx.node);
        return executeInband(ctx, this.cfg, phase, currentStep(ctx, phase, step, args));
      }
    }
  }

  /** Step `deploy`: boot the node into the agent ramdisk and wait for its call-back. */
  async deploy(ctx: DriverContext): Promise<StepOutcome> {
    await rebootIntoRamdisk(ctx, 'deploy');
    return 'wait';
  }

  private async writeImage(ctx: DriverContext): Promise<StepOutcome> {
    const node = ctx.node;
    const info = imageInfo(node, this.cfg);
    const step = { interface: 'deploy', step: 'write_image', args: { image_info: info, configdrive: node.instance_info.configdrive ?? null } };
    return executeInband(ctx, this.cfg, 'deploy', step);
  }

  /** AgentDeploy.prepare_instance_boot for whole-disk images. */
  private async prepareInstanceBoot(ctx: DriverContext): Promise<void> {
    const node = ctx.node;
    const d = siblings(ctx, 'direct deploy');
    const c = client(ctx, this.cfg);
    const uuids = ((await c.getPartitionUuids(node)).command_result ?? {}) as Json;
    const root = uuids['root uuid'] ?? null;
    if (root !== null) ctx.setInternalInfo({ root_uuid_or_disk_id: root });
    const mode = bootModeOf(node, this.cfg);
    if (mode === 'uefi') {
      const res = await c.installBootloader(node, {
        root_uuid: root, efi_system_part_uuid: uuids['efi system partition uuid'] ?? null,
        prep_boot_part_uuid: uuids['PReP Boot partition uuid'] ?? null, target_boot_mode: mode,
      });
      if (res.command_status === 'FAILED') {
        throw new DriverError(`Failed to install a bootloader when deploying node ${node.uuid}. Error: ${String(((res.command_error ?? {}) as Json).details ?? ((res.command_error ?? {}) as Json).message ?? res.command_error)}`);
      }
    }
    try {
      if (bootManaged(ctx, this.cfg) || bootUsable(ctx)) await d.boot.prepareInstance(ctx);
      const persistent = String(node.driver_info.force_persistent_boot_device ?? 'Default') !== 'Never';
      await d.management.setBootDevice(ctx, 'disk', persistent);
    } catch (err) {
      throw new DriverError(`Failed to change the boot device to disk when deploying node ${node.uuid}: ${messageOf(err)}`);
    }
  }

  /** AgentOobStepsMixin.tear_down_agent. */
  private async tearDownAgent(ctx: DriverContext): Promise<void> {
    const node = ctx.node;
    const d = siblings(ctx, 'direct deploy');
    if (this.cfg.deployLogsCollect === 'always') await this.collectLogs(ctx, 'deploy');
    const oob = ['true', '1', 'yes', 'on', 't', 'y'].includes(String(node.driver_info.deploy_forces_oob_reboot ?? false).toLowerCase());
    const c = client(ctx, this.cfg);
    try {
      const canPowerOn = (await d.power.getSupportedPowerStates(ctx)).includes(P.ON);
      if (!canPowerOn) {
        await c.sync(node);
        await powerAction(ctx, P.REBOOT);
      } else if (!oob) {
        try { await c.powerOff(node); } catch (err) { ctx.logger.warn({ node: node.uuid, err: messageOf(err) }, 'soft power off through the agent failed'); }
        // Ironic looks retries+1 times, retry_interval apart; the same budget, first looks sooner (poll.ts).
        const off = await pollSoon(async () => {
          try { return (await d.power.getPowerState(ctx)) === P.OFF ? true : undefined; } catch { return undefined; }
        }, { intervalMs: this.cfg.postDeployGetPowerStateRetryInterval * 1000, looks: this.cfg.postDeployGetPowerStateRetries + 1, signal: ctx.signal });
        if (!off) await powerAction(ctx, P.OFF);
      } else {
        const r = await c.sync(node);
        const fault = (r as { faultstring?: string }).faultstring;
        if (fault) ctx.logger.warn({ node: node.uuid, err: fault }, 'sync before the out-of-band power off failed');
        await powerAction(ctx, P.OFF);
      }
    } catch (err) {
      throw new DriverError(`Error rebooting node ${node.uuid} after deploy. ${err instanceof Error ? err.constructor.name : 'Error'}: ${messageOf(err)}`);
    }
  }

  private async bootInstance(ctx: DriverContext): Promise<void> {
    const d = siblings(ctx, 'direct deploy');
    if ((await d.power.getSupportedPowerStates(ctx)).includes(P.ON)) await powerAction(ctx, P.ON);
  }

  /** Undeploy: power off (Ironic's AgentDeploy.tear_down). */
  async tearDown(ctx: DriverContext): Promise<void> {
    await powerAction(ctx, P.OFF);
  }

  async cleanUp(ctx: DriverContext): Promise<void> {
    const d = siblings(ctx, 'direct deploy');
    if (bootManaged(ctx, this.cfg)) {
      await d.boot.cleanUpRamdisk(ctx);
      await d.boot.cleanUpInstance(ctx);
    }
    // The cached image (image_download_source=local) stays: other nodes may be deploying
    // the same image from it. There is no cache eviction yet.
  }

  async takeOver(ctx: DriverContext): Promise<void> {
    if (bootManaged(ctx, this.cfg)) await siblings(ctx, 'direct deploy').boot.prepareInstance(ctx);
  }

  /** Ironic's prepare_inband_cleaning: boot the ramdisk; cleaning continues at its heartbeat. */
  async prepareCleaning(ctx: DriverContext): Promise<StepOutcome> {
    const d = siblings(ctx, 'direct deploy');
    wipeOnPowerOff(ctx);
    if (bootManaged(ctx, this.cfg)) await d.boot.prepareRamdisk(ctx, 'clean');
    await bootRamdisk(ctx, 'clean');
    return 'wait';
  }

  /** Ironic's tear_down_inband_cleaning: power off, ramdisk boot cleaned up. */
  async tearDownCleaning(ctx: DriverContext): Promise<void> {
    const d = siblings(ctx, 'direct deploy');
    await powerAction(ctx, P.OFF);
    wipeTokenAndUrl(ctx);
    if (bootManaged(ctx, this.cfg)) await d.boot.cleanUpRamdisk(ctx);
  }
}
