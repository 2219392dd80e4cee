/**
 * The lab's boot loader readers against Ironic's own rendered configurations
 * (../shared/data/ironic-boot-files/rendered: a GRUB config whose default is a title, a
 * PXELINUX config with several labels) and the shapes of ISO configs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SHARED_DIR } from '../../testing/shared-data.ts';
import { bootIfOf } from './machine-files.ts';
import { parseGrubCfg, parseIsolinuxCfg } from './iso-boot.ts';

const RENDERED = join(SHARED_DIR, 'data', 'ironic-boot-files', 'rendered');
const T = '/tftpboot/1be26c0b-03f2-4d2e-ae87-c02d7f33c123';

test('grub: the default entry by title (Ironic\'s PXE grub config) or by index', () => {
  assert.deepEqual(parseGrubCfg(readFileSync(join(RENDERED, 'pxe_grub_config.template'), 'utf8')), {
    title: 'deploy', kernel: `${T}/deploy_kernel`, initrd: `${T}/deploy_ramdisk`,
    args: 'selinux=0 troubleshoot=0 text test_param boot_server=192.0.2.1',
  });
  const iso = 'set default=0\nset timeout=5\nset hidden_timeout_quiet=false\n\nmenuentry "boot_partition" {\nlinuxefi /vmlinuz nofb ipa-api-url=http://a:6385 --\ninitrdefi /initrd\n}';
  assert.deepEqual(parseGrubCfg(iso), { title: 'boot_partition', kernel: '/vmlinuz', initrd: '/initrd', args: 'nofb ipa-api-url=http://a:6385 --' });
  assert.equal(parseGrubCfg('set default=1\nmenuentry "a" {\nlinux /k\n}'), null, 'no entry 1');
  assert.equal(parseGrubCfg('menuentry "a" {\n}'), null, 'an entry without a kernel boots nothing');
});

test('isolinux: the default label (Ironic\'s PXELINUX config), initrd taken from append', () => {
  assert.deepEqual(parseIsolinuxCfg(readFileSync(join(RENDERED, 'pxe_config.template'), 'utf8')), {
    title: 'deploy', kernel: `${T}/deploy_kernel`, initrd: `${T}/deploy_ramdisk`,
    args: `initrd=${T}/deploy_ramdisk selinux=0 troubleshoot=0 text test_param`,
  });
  assert.deepEqual(parseIsolinuxCfg('default boot\n\nlabel boot\nkernel /vmlinuz\nappend initrd=/initrd text a=b --'),
    { title: 'boot', kernel: '/vmlinuz', initrd: '/initrd', args: 'initrd=/initrd text a=b --' });
  assert.equal(parseIsolinuxCfg('default other\nlabel boot\nkernel /vmlinuz'), null);
});

test('BOOTIF in PXELINUX (01-aa-bb-…) and plain MAC forms', () => {
  assert.equal(bootIfOf('a BOOTIF=01-52-54-00-00-00-01 b'), '52:54:00:00:00:01');
  assert.equal(bootIfOf('BOOTIF=52:54:00:AA:00:01'), '52:54:00:aa:00:01');
  assert.equal(bootIfOf('nofb boot_method=vmedia'), null);
});
