/**
 * `inspector` inspect interface (Ironic 21.4's `inspector`, with the inspector built in):
 * in-band inspection by the agent ramdisk.
 *
 * inspect(): create ports for the MACs the management interface reports (Ironic's
 * get_mac_addresses + create_ports_if_not_exist; skipped where it cannot say), boot the
 * ramdisk for inspection through the node's boot interface
 * (`prepareRamdisk(ctx, 'inspect', {kernelParams: {'ipa-inspection-callback-url': …}})`,
 * plus `[inspector] extra_kernel_params`), power the machine on (reboot when on), and
 * answer `wait`: the node stays in `inspect wait` until the agent's report reaches
 * `POST /v1/continue` on the inspector API (which ends the inspection, see src/inspector),
 * or `inspect_wait_timeout` fails it.
 * abort(): clean up the ramdisk boot and power off.
 */
import { DriverError } from '../../core/errors.ts';
import { PowerState } from '../../core/states.ts';
import type { ComposedDriver, DriverContext, InspectInterface, InspectionResult } from '../base.ts';

export interface InspectorInspectOptions {
  /** The callback URL handed to the ramdisk (read at each inspection: the port may be chosen at start). */
  callbackUrl: () => string;
  /** `[inspector] extra_kernel_params`. */
  extraKernelParams?: Readonly<Record<string, string | null>>;
  /**
   * Tells the inspector that the node's inspection began (Ironic's start_introspection call
   * to ironic-inspector): its status is `waiting` from then on, whoever started it.
   */
  onStarted?: (nodeUuid: string) => Promise<void>;
}

function siblings(ctx: DriverContext): ComposedDriver {
  if (!ctx.driver) throw new DriverError(`Node ${ctx.node.uuid}: the inspector inspect interface needs the node's boot and power interfaces; the conductor did not provide them.`);
  return ctx.driver;
}

export class InspectorInspect implements InspectInterface {
  readonly name = 'inspector';
  constructor(private readonly opts: InspectorInspectOptions) {}

  properties(): Readonly<Record<string, string>> { return {}; }

  async validate(ctx: DriverContext): Promise<void> {
    const d = siblings(ctx);
    await d.power.validate(ctx);
  }

  async inspect(ctx: DriverContext): Promise<InspectionResult> {
    const d = siblings(ctx);
    const url = this.opts.callbackUrl();
    if (!url) throw new DriverError(`Node ${ctx.node.uuid}: the inspector callback URL is not known (is the inspector API running?).`);
    // As Ironic 21.4: ports for the NICs the BMC knows, before the ramdisk boots from them.
    if (d.management.getMacAddresses && ctx.createPortsIfNotExist) {
      const macs = await d.management.getMacAddresses(ctx);
      if (macs.length > 0) await ctx.createPortsIfNotExist(macs);
      else ctx.logger.warn({ node: ctx.node.uuid }, 'Not creating ports before inspection: the BMC reports no enabled NIC');
    }
    await d.boot.prepareRamdisk(ctx, 'inspect', { kernelParams: { ...this.opts.extraKernelParams, 'ipa-inspection-callback-url': url } });
    // As Ironic: the inspector learns of the inspection after the ramdisk is prepared, before power on.
    // Status bookkeeping only: a failure is logged, the inspection goes on.
    await this.opts.onStarted?.(ctx.node.uuid).catch((err: unknown) => ctx.logger.warn({ node: ctx.node.uuid, err: (err as Error).message }, 'Could not record the inspector status'));
    const cur = await d.power.getPowerState(ctx);
    await d.power.setPowerState(ctx, cur === PowerState.ON ? PowerState.REBOOT : PowerState.ON);
    return { outcome: 'wait' };
  }

  async abort(ctx: DriverContext): Promise<void> {
    const d = siblings(ctx);
    await d.boot.cleanUpRamdisk(ctx);
    await d.power.setPowerState(ctx, PowerState.OFF);
  }
}
