/**
 * What the ipmitool interfaces share: the name `ipmitool`, Ironic's COMMON_PROPERTIES, a
 * validate() that checks the installed ipmitool and parses driver_info without touching
 * the BMC (as Ironic: "BMCs are too fragile"), and the node's boot mode.
 */
import { InvalidError } from '../../core/errors.ts';
import type { Node } from '../../core/node.ts';
import type { DriverContext, DriverInterface } from '../base.ts';
import { IPMITOOL_PROPERTIES, parseIpmiDriverInfo, type IpmiDriverInfo } from './driver-info.ts';
import type { Ipmitool } from './ipmitool.ts';

export abstract class IpmiBase implements DriverInterface {
  readonly name: string = 'ipmitool';

  constructor(protected readonly tool: Ipmitool) {}

  properties(): Readonly<Record<string, string>> { return { ...IPMITOOL_PROPERTIES }; }

  /** Ironic's constructor checks (a usable ipmitool) and _parse_driver_info. */
  async validate(ctx: DriverContext): Promise<void> { await this.info(ctx); }

  protected async info(ctx: DriverContext): Promise<IpmiDriverInfo> {
    return parseIpmiDriverInfo(ctx.node, await this.tool.support());
  }
}

function capabilities(v: unknown): Record<string, string> {
  if (typeof v === 'string') {
    const out: Record<string, string> = {};
    for (const part of v.split(',')) {
      const [k, ...rest] = part.split(':');
      if (k && rest.length) out[k.trim()] = rest.join(':').trim();
    }
    return out;
  }
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? v as Record<string, string> : {};
}

function instanceCapabilities(node: Pick<Node, 'instance_info'>): Record<string, unknown> {
  let caps = (node.instance_info as Record<string, unknown> | null)?.capabilities;
  if (typeof caps === 'string') { try { caps = JSON.parse(caps); } catch { caps = {}; } }
  return typeof caps === 'object' && caps !== null && !Array.isArray(caps) ? caps as Record<string, unknown> : {};
}

/**
 * Ironic's boot_mode_utils.get_boot_mode: secure boot requested → uefi; else
 * instance_info capabilities, instance_info.deploy_boot_mode, properties capabilities,
 * driver_internal_info.deploy_boot_mode; else `[deploy] default_boot_mode`.
 */
export function bootModeOf(node: Pick<Node, 'uuid' | 'instance_info' | 'properties' | 'driver_internal_info'>, fallback: 'uefi' | 'bios'): string {
  const inst = instanceCapabilities(node);
  if (String(inst.secure_boot ?? '').toLowerCase() === 'true') return 'uefi';
  const capMode = capabilities((node.properties as Record<string, unknown> | null)?.capabilities).boot_mode;
  const mode = (inst.boot_mode as string | undefined) || ((node.instance_info as Record<string, unknown> | null)?.deploy_boot_mode as string | undefined)
    || capMode || ((node.driver_internal_info as Record<string, unknown> | null)?.deploy_boot_mode as string | undefined);
  if (!mode) return fallback;
  if (capMode && capMode.toLowerCase() !== String(mode).toLowerCase()) {
    throw new InvalidError(`Node ${node.uuid} boot mode ${String(mode).toLowerCase()} violates node properties/capabilities ${capMode.toLowerCase()}`);
  }
  return String(mode).toLowerCase();
}
