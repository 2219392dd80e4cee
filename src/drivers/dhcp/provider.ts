/**
 * The DHCP provider seam (Ironic's `[dhcp] dhcp_provider`, ironic/dhcp/base.py): the
 * pxe/ipxe boot interfaces hand it the DHCP options a node's ports must get; the provider
 * makes the DHCP server give them. Implementations: `dnsmasq` (dnsmasq.ts), `none`
 * (nothing: another DHCP server is configured by hand).
 */
import type { DriverContext, DriverPort } from '../base.ts';

/** One DHCP option as Ironic's pxe_utils.dhcp_options_for_instance builds it. */
export interface DhcpOption {
  /** Option number, possibly with dnsmasq tag filters: `67`, `tag:!ipxe,67`, `210`. */
  opt_name: string;
  opt_value: string;
  ip_version: 4 | 6;
}

export interface DhcpProvider {
  readonly name: string;
  /** Whether the provider tags iPXE clients `ipxe` (dnsmasq: `dhcp-match=set:ipxe,175`). */
  supportsIpxeTag(): boolean;
  /** Give the node's PXE-enabled ports these options (replacing earlier ones). */
  updateDhcpOpts(ctx: DriverContext, options: readonly DhcpOption[]): Promise<void>;
  /** Stop serving the node's ports (Ironic: clean_dhcp_opts). */
  cleanDhcpOpts(ctx: DriverContext): Promise<void>;
  /** Addresses leased to these ports ([] when none or unknown). */
  getIpAddresses(ports: readonly DriverPort[]): Promise<string[]>;
  /** Throws InvalidError when the DHCP server cannot serve nodes (not installed, bad config, not running). */
  validate(): Promise<void>;
}

/** `[dhcp] dhcp_provider = none`: options are not sent anywhere. */
export class NoDhcp implements DhcpProvider {
  readonly name = 'none';
  supportsIpxeTag(): boolean { return false; }
  async updateDhcpOpts(): Promise<void> { /* nothing to configure */ }
  async cleanDhcpOpts(): Promise<void> { /* nothing configured */ }
  async getIpAddresses(): Promise<string[]> { return []; }
  async validate(): Promise<void> { /* an external DHCP server is the operator's business */ }
}
