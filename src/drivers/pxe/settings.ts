/**
 * What the pxe/ipxe boot interfaces need from the conductor's configuration, passed to
 * their constructor (drivers never read configuration themselves). Ironic option names
 * in the comments; `bin/service.ts` fills them from `Config.netboot`.
 */
import type { DhcpProvider } from '../dhcp/provider.ts';

export interface PxeSettings {
  /** `[pxe] tftp_root`. */
  tftpRoot: string;
  /** `[deploy] http_root`. */
  httpRoot: string;
  /** `[deploy] http_url` (read when needed: it may be known only once the file server listens). */
  httpUrl(): string;
  /** The `ipa-api-url` handed to the agent (Ironic's service catalog / `[service_catalog] endpoint_override`). */
  apiUrl(): string;
  /** `[pxe] tftp_server`: address of the TFTP server given in DHCP options 66/150/255 and grub's `boot_server`. */
  tftpServer: string;
  /** `[pxe] kernel_append_params` (formerly `pxe_append_params`). */
  kernelAppendParams: string;
  /** `[pxe] pxe_config_subdir`. */
  pxeConfigSubdir: string;
  /** `[pxe] pxe_bootfile_name`, `uefi_pxe_bootfile_name`, `ipxe_bootfile_name`, `uefi_ipxe_bootfile_name`. */
  pxeBootfileName: string;
  uefiPxeBootfileName: string;
  ipxeBootfileName: string;
  uefiIpxeBootfileName: string;
  /** Base name of `[pxe] ipxe_boot_script` (written into http_root). */
  ipxeBootScript: string;
  /** `[pxe] ipxe_fallback_script`. */
  ipxeFallbackScript?: string;
  /** `[pxe] ipxe_timeout`, seconds (0 = none). */
  ipxeTimeout: number;
  /** `[pxe] enable_netboot_fallback`. */
  enableNetbootFallback: boolean;
  /** `[deploy] default_boot_mode`. */
  defaultBootMode: 'uefi' | 'bios';
  /** `[DEFAULT] debug`: adds `ipa-debug=1`. */
  debug: boolean;
  /** `[conductor] automated_clean` (ramdisk deploys need the agent only when cleaning). */
  automatedClean: boolean;
  /** `[conductor] deploy_kernel` ... `rescue_ramdisk`: used when driver_info has none of the pair. */
  conductorImages: { deploy_kernel?: string; deploy_ramdisk?: string; rescue_kernel?: string; rescue_ramdisk?: string };
  /** `[dhcp] dhcp_provider`. */
  dhcp: DhcpProvider;
}

/** Ironic 21.4's defaults; `tftpRoot`, `httpRoot`, `httpUrl`, `apiUrl`, `tftpServer` and `dhcp` must be given. */
export function pxeSettings(s: Pick<PxeSettings, 'tftpRoot' | 'httpRoot' | 'httpUrl' | 'apiUrl' | 'tftpServer' | 'dhcp'> & Partial<PxeSettings>): PxeSettings {
  return {
    kernelAppendParams: 'nofb nomodeset vga=normal',
    pxeConfigSubdir: 'pxelinux.cfg',
    pxeBootfileName: 'pxelinux.0',
    uefiPxeBootfileName: 'bootx64.efi',
    ipxeBootfileName: 'undionly.kpxe',
    uefiIpxeBootfileName: 'snponly.efi',
    ipxeBootScript: 'boot.ipxe',
    ipxeTimeout: 0,
    enableNetbootFallback: false,
    defaultBootMode: 'uefi',
    debug: false,
    automatedClean: true,
    conductorImages: {},
    ...s,
  };
}
