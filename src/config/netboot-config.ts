/**
 * Network boot options (pxe/ipxe boot interfaces, the dnsmasq DHCP provider, `ingot
 * dnsmasq`), Ironic's names as `INGOT_<OPTION>`:
 *
 * | Ironic option | env | default |
 * |---|---|---|
 * | `[pxe] tftp_root` | `INGOT_TFTP_ROOT` | `<dataDir>/tftpboot` |
 * | `[pxe] tftp_server` | `INGOT_TFTP_SERVER` | the API host (`127.0.0.1` for `0.0.0.0`) |
 * | `[pxe] kernel_append_params` (`pxe_append_params`) | `INGOT_PXE_KERNEL_APPEND_PARAMS` (`INGOT_PXE_APPEND_PARAMS`) | `nofb nomodeset vga=normal` |
 * | `[pxe] pxe_bootfile_name`, `uefi_pxe_bootfile_name` | `INGOT_PXE_BOOTFILE_NAME`, `INGOT_UEFI_PXE_BOOTFILE_NAME` | `pxelinux.0`, `bootx64.efi` |
 * | `[pxe] ipxe_bootfile_name`, `uefi_ipxe_bootfile_name` | `INGOT_IPXE_BOOTFILE_NAME`, `INGOT_UEFI_IPXE_BOOTFILE_NAME` | `undionly.kpxe`, `snponly.efi` |
 * | `[pxe] ipxe_fallback_script`, `ipxe_timeout` | `INGOT_IPXE_FALLBACK_SCRIPT`, `INGOT_IPXE_TIMEOUT` | none, 0 |
 * | `[pxe] enable_netboot_fallback` | `INGOT_ENABLE_NETBOOT_FALLBACK` | false |
 * | `[pxe] loader_file_paths` (`dest:src,...`) | `INGOT_PXE_LOADER_FILE_PATHS` | Debian's pxelinux/ipxe files when present |
 * | `[deploy] default_boot_mode` | `INGOT_DEFAULT_BOOT_MODE` | `uefi` |
 * | `[conductor] deploy_kernel` ... `rescue_ramdisk` | `INGOT_DEPLOY_KERNEL` ... `INGOT_RESCUE_RAMDISK` | none |
 * | `[dhcp] dhcp_provider` | `INGOT_DHCP_PROVIDER` (`dnsmasq` or `none`) | `none` (as the reference standalone deployment; `dnsmasq` with `ingot dnsmasq`) |
 * | `[dnsmasq] dhcp_hostsdir`, `dhcp_optsdir`, `dhcp_leasefile` | `INGOT_DHCP_HOSTSDIR`, `INGOT_DHCP_OPTSDIR`, `INGOT_DHCP_LEASEFILE` | under `<dataDir>/dnsmasq` |
 * | (Ingot) dnsmasq state folder, interface, range | `INGOT_DNSMASQ_DIR`, `INGOT_DNSMASQ_INTERFACE`, `INGOT_DNSMASQ_DHCP_RANGE` | `<dataDir>/dnsmasq`, none, none |
 * | (Ingot) the dnsmasq program | `INGOT_DNSMASQ_BINARY` | `dnsmasq` on PATH, then `/usr/sbin/dnsmasq` |
 */
import { join } from 'node:path';

export interface NetbootConfig {
  tftpRoot: string;
  tftpServer: string;
  kernelAppendParams: string;
  pxeBootfileName: string;
  uefiPxeBootfileName: string;
  ipxeBootfileName: string;
  uefiIpxeBootfileName: string;
  ipxeFallbackScript?: string;
  ipxeTimeout: number;
  enableNetbootFallback: boolean;
  /** dest (relative to the TFTP/HTTP root) → source file. */
  loaderFilePaths: Record<string, string>;
  defaultBootMode: 'uefi' | 'bios';
  conductorImages: { deploy_kernel?: string; deploy_ramdisk?: string; rescue_kernel?: string; rescue_ramdisk?: string };
  dhcpProvider: 'dnsmasq' | 'none';
  dnsmasqDir: string;
  dhcpHostsdir: string;
  dhcpOptsdir: string;
  dhcpLeasefile: string;
  dnsmasqInterface?: string;
  dnsmasqDhcpRange?: string;
  /** The dnsmasq program; undefined = `dnsmasq` on PATH, then /usr/sbin/dnsmasq. */
  dnsmasqBinary?: string;
}

function loaderPaths(v: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (v ?? '').split(',')) {
    const i = part.indexOf(':');
    if (i > 0) out[part.slice(0, i).trim()] = part.slice(i + 1).trim();
  }
  return out;
}

export function loadNetbootConfig(env: Record<string, string | undefined>, dataDir: string, host: string): NetbootConfig {
  const dnsmasqDir = env.INGOT_DNSMASQ_DIR ?? join(dataDir, 'dnsmasq');
  const timeout = Number(env.INGOT_IPXE_TIMEOUT ?? 0);
  return {
    tftpRoot: env.INGOT_TFTP_ROOT ?? join(dataDir, 'tftpboot'),
    tftpServer: env.INGOT_TFTP_SERVER ?? (host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host),
    kernelAppendParams: env.INGOT_PXE_KERNEL_APPEND_PARAMS ?? env.INGOT_PXE_APPEND_PARAMS ?? 'nofb nomodeset vga=normal',
    pxeBootfileName: env.INGOT_PXE_BOOTFILE_NAME ?? 'pxelinux.0',
    uefiPxeBootfileName: env.INGOT_UEFI_PXE_BOOTFILE_NAME ?? 'bootx64.efi',
    ipxeBootfileName: env.INGOT_IPXE_BOOTFILE_NAME ?? 'undionly.kpxe',
    uefiIpxeBootfileName: env.INGOT_UEFI_IPXE_BOOTFILE_NAME ?? 'snponly.efi',
    ipxeFallbackScript: env.INGOT_IPXE_FALLBACK_SCRIPT || undefined,
    ipxeTimeout: Number.isFinite(timeout) && timeout > 0 ? timeout : 0,
    enableNetbootFallback: env.INGOT_ENABLE_NETBOOT_FALLBACK === 'true',
    loaderFilePaths: loaderPaths(env.INGOT_PXE_LOADER_FILE_PATHS),
    defaultBootMode: env.INGOT_DEFAULT_BOOT_MODE === 'bios' ? 'bios' : 'uefi',
    conductorImages: {
      deploy_kernel: env.INGOT_DEPLOY_KERNEL || undefined, deploy_ramdisk: env.INGOT_DEPLOY_RAMDISK || undefined,
      rescue_kernel: env.INGOT_RESCUE_KERNEL || undefined, rescue_ramdisk: env.INGOT_RESCUE_RAMDISK || undefined,
    },
    dhcpProvider: env.INGOT_DHCP_PROVIDER === 'dnsmasq' ? 'dnsmasq' : 'none',
    dnsmasqDir,
    dhcpHostsdir: env.INGOT_DHCP_HOSTSDIR ?? join(dnsmasqDir, 'hostsdir.d'),
    dhcpOptsdir: env.INGOT_DHCP_OPTSDIR ?? join(dnsmasqDir, 'optsdir.d'),
    dhcpLeasefile: env.INGOT_DHCP_LEASEFILE ?? join(dnsmasqDir, 'dnsmasq.leases'),
    dnsmasqInterface: env.INGOT_DNSMASQ_INTERFACE || undefined,
    dnsmasqDhcpRange: env.INGOT_DNSMASQ_DHCP_RANGE || undefined,
    dnsmasqBinary: env.INGOT_DNSMASQ_BINARY || undefined,
  };
}
