/**
 * Ingot's renderer of the network boot files Ironic 21.4 writes (its Jinja2 templates
 * `pxe_config.template`, `pxe_grub_config.template`, `ipxe_config.template`, `boot.ipxe`,
 * `initial_grub_cfg.template`). The output is what Jinja2 produces from those templates
 * for the same options (no trailing newline, as Jinja drops the template's last one),
 * except that comment lines of boot.ipxe are Ingot's own. Tests compare every function
 * with Ironic's rendered samples (../shared/data/ironic-boot-files/rendered) and with
 * Jinja2 rendering Ironic's templates.
 *
 * Jinja semantics kept: a missing option renders empty; `|default("", true)` also blanks
 * other false values; `ipxe_timeout > 0` adds `--timeout <ms>`.
 */

/** Ironic's `pxe_options` (pxe_utils.build_pxe_config_options), camel-free on purpose: same keys. */
export interface PxeOptions {
  deployment_aki_path?: string;
  deployment_ari_path?: string;
  aki_path?: string;
  ari_path?: string;
  pxe_append_params?: string;
  tftp_server?: string;
  /** Milliseconds (Ironic multiplies `[pxe] ipxe_timeout` by 1000). */
  ipxe_timeout?: number;
  initrd_filename?: string;
  ramdisk_opts?: string;
  ks_cfg_url?: string;
  stage2_url?: string;
  repo_url?: string;
  boot_iso_url?: string;
  /** iSCSI boot from volume (iPXE only). */
  boot_from_volume?: boolean;
  username?: string;
  password?: string;
  iscsi_initiator_iqn?: string | null;
  iscsi_boot_url?: string;
  iscsi_volumes?: { url: string; username?: string; password?: string }[];
}

/** `{{ x }}`: undefined/null render empty (Jinja's Undefined; Ingot never passes None where it would print). */
const v = (x: unknown): string => (x === undefined || x === null ? '' : String(x));
/** `{{ x|default("", true) }}`. */
const d = (x: unknown): string => (x ? String(x) : '');

/** The root/disk placeholders left in the files for the instance switch (GRUB cannot take braces). */
export function diskIdentifierTag(grub: boolean): string {
  return grub ? '(( DISK_IDENTIFIER ))' : '{{ DISK_IDENTIFIER }}';
}

/** PXELINUX configuration (BIOS, `pxe` boot interface). */
export function renderPxeConfig(o: PxeOptions): string {
  const append = d(o.pxe_append_params);
  return [
    'default deploy',
    '',
    'label deploy',
    `kernel ${v(o.deployment_aki_path)}`,
    `append initrd=${v(o.deployment_ari_path)} selinux=0 troubleshoot=0 text ${append}`,
    'ipappend 2',
    '',
    'label boot_whole_disk',
    'COM32 chain.c32',
    `append mbr:${diskIdentifierTag(false)}`,
    '',
    'label boot_ramdisk',
    `kernel ${v(o.aki_path)}`,
    `append initrd=${v(o.ari_path)} root=/dev/ram0 text ${append} ${d(o.ramdisk_opts)}`,
    '',
    'label boot_anaconda',
    `kernel ${v(o.aki_path)}`,
    `append initrd=${v(o.ari_path)} text ${append} inst.ks=${v(o.ks_cfg_url)} inst.stage2=${v(o.stage2_url)}`,
    'ipappend 2',
  ].join('\n');
}

/** GRUB configuration (UEFI, `pxe` boot interface). */
export function renderGrubConfig(o: PxeOptions): string {
  const append = d(o.pxe_append_params);
  const anacondaSource = o.repo_url ? `inst.repo=${v(o.repo_url)}` : `inst.stage2=${v(o.stage2_url)}`;
  return [
    'set default=deploy',
    'set timeout=5',
    'set hidden_timeout_quiet=false',
    '',
    'menuentry "deploy"  {',
    `    linuxefi ${v(o.deployment_aki_path)} selinux=0 troubleshoot=0 text ${append} boot_server=${v(o.tftp_server)}`,
    `    initrdefi ${v(o.deployment_ari_path)}`,
    '}',
    '',
    'menuentry "boot_ramdisk"  {',
    `    linuxefi ${v(o.aki_path)} root=/dev/ram0 text ${append} ${d(o.ramdisk_opts)}`,
    `    initrdefi ${v(o.ari_path)}`,
    '}',
    '',
    'menuentry "boot_whole_disk"  {',
    `    linuxefi chain.c32 mbr:${diskIdentifierTag(true)}`,
    '}',
    '',
    'menuentry "boot_anaconda" {',
    `     linuxefi ${v(o.aki_path)} text ${append} inst.ks=${v(o.ks_cfg_url)} ${anacondaSource}`,
    `     initrdefi ${v(o.ari_path)}`,
    '}',
  ].join('\n');
}

/** Per-node iPXE script (`ipxe` boot interface). */
export function renderIpxeConfig(o: PxeOptions): string {
  const t = (o.ipxe_timeout ?? 0) > 0 ? `--timeout ${o.ipxe_timeout} ` : '';
  const append = d(o.pxe_append_params);
  const anacondaSource = o.repo_url ? `inst.repo=${v(o.repo_url)}` : `inst.stage2=${v(o.stage2_url)}`;
  const out = [
    '#!ipxe',
    '',
    'set attempts:int32 10',
    'set i:int32 0',
    '',
    'goto deploy',
    '',
    ':deploy',
    'imgfree',
    `kernel ${t}${v(o.deployment_aki_path)} selinux=0 troubleshoot=0 text ${append} BOOTIF=\${mac} initrd=${o.initrd_filename || 'deploy_ramdisk'} || goto retry`,
    '',
    `initrd ${t}${v(o.deployment_ari_path)} || goto retry`,
    'boot',
    '',
    ':retry',
    'iseq ${i} ${attempts} && goto fail ||',
    'inc i',
    'echo No response, retrying in ${i} seconds.',
    'sleep ${i}',
    'goto deploy',
    '',
    ':fail',
    'echo Failed to get a response after ${attempts} attempts',
    'echo Powering off in 30 seconds.',
    'sleep 30',
    'poweroff',
    '',
    ':boot_anaconda',
    'imgfree',
    `kernel ${t}${v(o.aki_path)} text ${append} inst.ks=${v(o.ks_cfg_url)} ${anacondaSource} initrd=ramdisk || goto boot_anaconda`,
    `initrd ${t}${v(o.ari_path)} || goto boot_anaconda`,
    'boot',
    '',
    ':boot_ramdisk',
    'imgfree',
  ];
  if (o.boot_iso_url) {
    out.push(`sanboot ${o.boot_iso_url}`);
  } else {
    out.push(
      `kernel ${t}${v(o.aki_path)} root=/dev/ram0 text ${append} ${d(o.ramdisk_opts)} initrd=ramdisk || goto boot_ramdisk`,
      `initrd ${t}${v(o.ari_path)} || goto boot_ramdisk`,
      'boot',
    );
  }
  if (o.boot_from_volume) {
    const vols = o.iscsi_volumes ?? [];
    out.push(
      '',
      ':boot_iscsi',
      'imgfree',
      o.username ? `set username ${o.username}` : '',
      o.password ? `set password ${o.password}` : '',
      o.iscsi_initiator_iqn ? `set initiator-iqn ${o.iscsi_initiator_iqn}` : '',
      `sanhook --drive 0x80 ${v(o.iscsi_boot_url)} || goto fail_iscsi_retry`,
    );
    vols.forEach((vol, i) => {
      out.push(`set username ${v(vol.username)}`, `set password ${v(vol.password)}`,
        `sanhook --drive 0x${(129 + i).toString(16)} ${vol.url} || goto fail_iscsi_retry`);
    });
    out.push(
      vols.length ? `set username ${v(o.username)}` : '',
      vols.length ? `set password ${v(o.password)}` : '',
      'sanboot --no-describe || goto fail_iscsi_retry',
      '',
      ':fail_iscsi_retry',
      'echo Failed to attach iSCSI volume(s), retrying in 10 seconds.',
      'sleep 10',
      'goto boot_iscsi',
    );
  }
  out.push('', ':boot_whole_disk', 'sanboot --no-describe || exit 0');
  return out.join('\n');
}

/**
 * The chain-loaded `boot.ipxe` in http_root: tries `<forMacUri><mac>` for every NIC
 * (`forMacUri` is `pxelinux.cfg/`), then the fallback script if configured.
 */
export function renderBootIpxe(forMacUri: string, fallbackScript?: string): string {
  const fail = (label: string): string[] => (fallbackScript ? [`chain ${fallbackScript} | goto ${label}`, '', `:${label}`] : []);
  return [
    '#!ipxe',
    '',
    '# Ingot: boot the first NIC that has a per-MAC configuration (old iPXE ROMs',
    '# without ${netX} support try the booting NIC only, at :old_rom).',
    'set netid:int32 -1',
    ':loop',
    `inc netid || chain ${forMacUri}\${mac:hexhyp} || goto old_rom`,
    'isset ${net${netid}/mac} || goto loop_done',
    'echo Attempting to boot from MAC ${net${netid}/mac:hexhyp}',
    `chain ${forMacUri}\${net\${netid}/mac:hexhyp} || goto loop`,
    '',
    '# Ingot: a chained script that returns means its sanboot failed: leave with',
    '# success so that the firmware tries its next boot device.',
    'echo Exiting pxe config to allow boot to continue on next device',
    'exit 0',
    '',
    ':loop_done',
    ...fail('boot_failed'),
    'echo PXE boot failed! No configuration found for any of the present NICs.',
    'echo Press any key to reboot...',
    'prompt --timeout 180',
    'reboot',
    '',
    ':old_rom',
    ...fail('boot_failed_old_rom'),
    'echo PXE boot failed! No configuration found for NIC ${mac:hexhyp}.',
    'echo Please update your iPXE ROM and retry.',
    'echo Press any key to reboot...',
    'prompt --timeout 180',
    'reboot',
  ].join('\n');
}

/** `grub/grub.cfg` in the TFTP root: GRUB loads the per-MAC `<mac>.conf`. */
export function renderInitialGrubCfg(): string {
  return [
    'set default=initial',
    'set timeout=5',
    'set hidden_timeout_quiet=false',
    '',
    'menuentry "initial"  {',
    'configfile /$net_default_mac.conf',
    '}',
  ].join('\n');
}

/**
 * Ironic's switch_pxe_config for the cases Ingot reaches: make `label` the default entry
 * (`default X` for PXELINUX, `set default=X` for GRUB, `goto X` for iPXE) and put
 * `diskId` (whole-disk images) in place of the DISK_IDENTIFIER tag.
 */
export function switchBootEntry(text: string, flavour: 'pxelinux' | 'grub' | 'ipxe', label: string, diskId?: string): string {
  let out = text;
  if (diskId !== undefined) out = out.replace(/(\(\(|\{\{) DISK_IDENTIFIER (\)\)|\}\})/g, diskId);
  const lines = out.split('\n');
  return lines.map((line) => {
    if (flavour === 'grub') return /^((set )?default)=.*$/.test(line) ? line.replace(/^((set )?default)=.*$/, `$1=${label}`) : line;
    const cmd = flavour === 'ipxe' ? 'goto' : 'default';
    return line.startsWith(`${cmd} `) ? `${cmd} ${label}` : line;
  }).join('\n');
}
