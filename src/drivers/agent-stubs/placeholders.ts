/**
 * PLACEHOLDERS (not implemented): boot `pxe`/`ipxe`, raid `agent`, inspect `agent`,
 * network `flat`. (The `direct` deploy and `agent` rescue/power are real: drivers/agent/.) See common.ts for
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
  BootInterface, DriverContext, InspectInterface, InspectionResult, NetworkInterface, RaidInterface, StepDef,
} from '../base.ts';
import { raidLogicalDiskProperties, validateRaidConfigSchema } from '../shared/raid-schema.ts';
import { pyRepr } from '../shared/py-repr.ts';
import { Placeholder } from './common.ts';
import { PXE_BOOT_PROPERTIES } from './properties.ts';

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

/** `flat` network (Ironic's FlatNetwork). */
export class FlatNetworkPlaceholder extends Placeholder implements NetworkInterface {
  constructor() {
    super({ kind: 'network', name: 'flat', alternatives: ['noop'], requires: 'OpenStack Networking (neutron) to bind ports' });
  }
}
