/**
 * Boot loader configurations of the ISOs Ingot builds, as Ironic 21.4 renders them
 * (ironic/common/isolinux_config.template and grub_conf.template, rendered by
 * images.create_isolinux_image_for_bios / create_esp_image_for_uefi), and the kernel
 * command line Ironic puts in them for an agent ramdisk (image_utils._prepare_iso_image,
 * redfish/boot.py prepare_ramdisk).
 *
 * Output matches Jinja2's rendering byte for byte (no trailing newline: Jinja drops the
 * template's last one); the test renders Ironic's templates with Jinja2 and compares.
 *
 * Ordering of the command line (Ironic's): the append parameters (`kernel_append_params`
 * of instance_info, else driver_info, with `%default%` replaced; else the option), then
 * `ir_pub_id=<publisher id>`, then the ramdisk parameters in insertion order as `k=v`
 * (`k` alone when the value is null).
 */

/** Where the kernel and ramdisk sit on the ISO (Ironic's fixed names). */
export const ISO_KERNEL = '/vmlinuz';
export const ISO_RAMDISK = '/initrd';
/** Ironic's `[DEFAULT] grub_config_path` default: the grub.cfg on UEFI ISOs. */
export const GRUB_CONFIG_PATH = 'EFI/BOOT/grub.cfg';
export const ISOLINUX_CONFIG_PATH = 'isolinux/isolinux.cfg';
/** Ironic's `[redfish] kernel_append_params` default. */
export const DEFAULT_KERNEL_APPEND_PARAMS = 'nofb nomodeset vga=normal';

/** isolinux.cfg of a BIOS ISO (kernel `/vmlinuz`, ramdisk `/initrd`). */
export function renderIsolinuxCfg(kernelParams: string): string {
  return ['default boot', '', 'label boot', `kernel ${ISO_KERNEL}`, `append initrd=${ISO_RAMDISK} text ${kernelParams} --`].join('\n');
}

/** grub.cfg of a UEFI ISO. */
export function renderGrubCfg(kernelParams: string): string {
  return [
    'set default=0', 'set timeout=5', 'set hidden_timeout_quiet=false', '',
    'menuentry "boot_partition" {', `linuxefi ${ISO_KERNEL} ${kernelParams} --`, `initrdefi ${ISO_RAMDISK}`, '}',
  ].join('\n');
}

/** Ironic's get_kernel_append_params: instance_info, then driver_info (`%default%` → the option), then the option. */
export function kernelAppendParams(node: { instance_info?: Record<string, unknown> | null; driver_info?: Record<string, unknown> | null }, dflt: string): string {
  for (const where of [node.instance_info, node.driver_info]) {
    const v = where?.kernel_append_params;
    if (v !== undefined && v !== null) return String(v).replaceAll('%default%', dflt);
  }
  return dflt;
}

/** The whole command line: append params, `ir_pub_id`, then `params` as `k=v` / `k`. */
export function kernelCommandLine(append: string, publisherId: string | null, params: ReadonlyArray<readonly [string, string | null]>): string {
  let line = append;
  if (publisherId) line += ` ir_pub_id=${publisherId}`;
  if (params.length > 0) line = [line, params.map(([k, v]) => (v === null ? k : `${k}=${v}`)).join(' ')].join(' ');
  return line;
}
