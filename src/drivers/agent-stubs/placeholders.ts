/**
 * PLACEHOLDERS (not implemented): boot `pxe`/`ipxe`, deploy `direct`/`ramdisk`, rescue
 * `agent`, raid `agent`, inspect `agent`, power `agent`, network `flat`. See common.ts for
 * the contract. They report Ironic's properties and steps so that API answers that only
 * describe them (driver properties, step lists) match Ironic; everything that would act
 * on a node fails with a message naming what is missing.
 *
 * Note: Ironic 21.4 has no `agent` inspect interface (its in-band one is `inspector`);
 * the name comes from Ingot's configuration.
 */
import { InvalidError } from '../../core/errors.ts';
import type { Json } from '../../core/node.ts';
import type {
  BootInterface, DeployInterface, DriverContext, InspectInterface, InspectionResult, NetworkInterface,
  PowerInterface, RaidInterface, RescueInterface, StepDef, StepOutcome,
} from '../base.ts';
import { raidLogicalDiskProperties, validateRaidConfigSchema } from '../shared/raid-schema.ts';
import { pyRepr } from '../shared/py-repr.ts';
import { Placeholder } from './common.ts';
import { DIRECT_DEPLOY_PROPERTIES, PXE_BOOT_PROPERTIES } from './properties.ts';

const deployStep = (step: string, deployPriority: number, argsinfo?: StepDef['argsinfo']): StepDef =>
  (argsinfo ? { step, deployPriority, argsinfo } : { step, deployPriority });

/** PXE/iPXE boot. validate() first runs Ironic's node-record checks (ports, deploy kernel/ramdisk). */
export class PxeBootPlaceholder extends Placeholder implements BootInterface {
  constructor(name: 'pxe' | 'ipxe') {
    super({
      kind: 'boot', name, properties: PXE_BOOT_PROPERTIES, alternatives: ['fake'],
      requires: `${name === 'ipxe' ? 'an iPXE/HTTP' : 'a PXE/TFTP'} boot server and the ironic-python-agent deploy ramdisk`,
    });
  }

  override async validate(ctx: DriverContext): Promise<void> {
    const node = ctx.node;
    if ((await ctx.loadPorts()).length === 0) throw new InvalidError(`Node ${node.uuid} does not have any port associated with it`);
    if (node.deploy_interface !== 'ramdisk') {
      const missing = ['deploy_kernel', 'deploy_ramdisk'].filter((k) => !node.driver_info[k]);
      if (missing.length > 0) {
        throw new InvalidError("Cannot validate PXE bootloader. Some parameters were missing in node's driver_info "
          + `and configuration. Missing are: ${pyRepr(missing)}`);
      }
    }
    await super.validate(ctx);
  }

  async prepareRamdisk(ctx: DriverContext, _purpose: string): Promise<void> { throw this.fail(ctx); }
  async cleanUpRamdisk(ctx: DriverContext): Promise<void> { throw this.fail(ctx); }
  async prepareInstance(ctx: DriverContext): Promise<void> { throw this.fail(ctx); }
  async cleanUpInstance(ctx: DriverContext): Promise<void> { throw this.fail(ctx); }
}

abstract class DeployPlaceholder extends Placeholder implements DeployInterface {
  async deploy(ctx: DriverContext): Promise<StepOutcome> { throw this.fail(ctx); }
  async tearDown(ctx: DriverContext): Promise<void> { throw this.fail(ctx); }
  async prepare(ctx: DriverContext): Promise<void> { throw this.fail(ctx); }
  async cleanUp(ctx: DriverContext): Promise<void> { throw this.fail(ctx); }
  async takeOver(ctx: DriverContext): Promise<void> { throw this.fail(ctx); }
}

/** `direct` deploy (Ironic's AgentDeploy), with its deploy steps. */
export class DirectDeployPlaceholder extends DeployPlaceholder {
  constructor() {
    super({
      kind: 'deploy', name: 'direct', properties: DIRECT_DEPLOY_PROPERTIES, alternatives: ['fake'],
      requires: 'the ironic-python-agent deploy ramdisk',
      steps: [
        deployStep('boot_instance', 20), deployStep('deploy', 100), deployStep('prepare_instance_boot', 60),
        deployStep('switch_to_tenant_network', 30), deployStep('tear_down_agent', 40), deployStep('write_image', 80),
      ],
    });
  }
}

/** `ramdisk` deploy (Ironic's RamdiskDeploy). */
export class RamdiskDeployPlaceholder extends DeployPlaceholder {
  constructor() {
    super({
      kind: 'deploy', name: 'ramdisk', alternatives: ['fake'], steps: [deployStep('deploy', 100)],
      requires: 'a network boot server to boot the node into the instance ramdisk',
    });
  }
}

/** `agent` rescue (Ironic's AgentRescue). */
export class AgentRescuePlaceholder extends Placeholder implements RescueInterface {
  constructor() {
    super({ kind: 'rescue', name: 'agent', alternatives: ['fake', 'no-rescue'], requires: 'the ironic-python-agent rescue ramdisk' });
  }
  async rescue(ctx: DriverContext): Promise<StepOutcome> { throw this.fail(ctx); }
  async unrescue(ctx: DriverContext): Promise<void> { throw this.fail(ctx); }
}

/**
 * `agent` RAID (Ironic's AgentRAID). validateRaidConfig / logicalDiskProperties are real
 * (Ironic's schema; they need no agent), so PUT /states/raid behaves as in Ironic.
 */
export class AgentRaidPlaceholder extends Placeholder implements RaidInterface {
  constructor() {
    super({
      kind: 'raid', name: 'agent', alternatives: ['fake', 'no-raid'],
      requires: 'the ironic-python-agent ramdisk to build RAID in-band',
      steps: [
        deployStep('apply_configuration', 0, {
          raid_config: { description: 'The RAID configuration to apply.', required: true },
          delete_existing: {
            description: "Setting this to 'True' indicates to delete existing RAID configuration prior to creating the new configuration. Default value is 'True'.",
            required: false,
          },
        }),
        { step: 'create_configuration', cleanPriority: 0, abortable: false, requiresRamdisk: true },
        { step: 'delete_configuration', cleanPriority: 0, abortable: false, requiresRamdisk: true },
      ],
    });
  }
  async validateRaidConfig(_ctx: DriverContext, config: Json): Promise<void> { validateRaidConfigSchema(config); }
  logicalDiskProperties(): Readonly<Record<string, string>> { return raidLogicalDiskProperties(); }
}

/** `agent` inspect (in-band inspection; Ironic 21.4 calls its equivalent `inspector`). */
export class AgentInspectPlaceholder extends Placeholder implements InspectInterface {
  constructor() {
    super({ kind: 'inspect', name: 'agent', alternatives: ['fake', 'no-inspect'], requires: 'the ironic-python-agent ramdisk for in-band inspection' });
  }
  async inspect(ctx: DriverContext): Promise<InspectionResult> { throw this.fail(ctx); }
}

/** `agent` power (Ironic's AgentPower, manual-management): reboots through a running agent. */
export class AgentPowerPlaceholder extends Placeholder implements PowerInterface {
  constructor() {
    super({ kind: 'power', name: 'agent', alternatives: ['fake'], requires: 'a running ironic-python-agent (fast track) to reboot the node' });
  }
  async getPowerState(ctx: DriverContext): Promise<string> { throw this.fail(ctx); }
  async setPowerState(ctx: DriverContext, _target: string, _timeoutS?: number): Promise<void> { throw this.fail(ctx); }
  async reboot(ctx: DriverContext, _soft: boolean, _timeoutS?: number): Promise<void> { throw this.fail(ctx); }
  /** Ironic's AgentPower supports rebooting only. */
  async getSupportedPowerStates(_ctx: DriverContext): Promise<string[]> { return ['rebooting']; }
}

/** `flat` network (Ironic's FlatNetwork). */
export class FlatNetworkPlaceholder extends Placeholder implements NetworkInterface {
  constructor() {
    super({ kind: 'network', name: 'flat', alternatives: ['noop'], requires: 'OpenStack Networking (neutron) to bind ports' });
  }
}
