/**
 * Ingot's boot files against Ironic 21.4: (1) the rendered samples of Ironic's own unit
 * tests, with the options those tests pass; (2) Ironic's templates rendered by Jinja2
 * (Debian's python3-jinja2) with options as Ingot builds them for real nodes.
 * Only boot.ipxe's comment lines differ (Ingot's own words); they are dropped before comparing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { SHARED_DIR } from '../../testing/shared-data.ts';
import {
  renderBootIpxe, renderGrubConfig, renderInitialGrubCfg, renderIpxeConfig, renderPxeConfig, switchBootEntry, type PxeOptions,
} from './render.ts';

const BOOT_FILES = join(SHARED_DIR, 'data', 'ironic-boot-files');
const sample = (name: string): string => readFileSync(join(BOOT_FILES, 'rendered', name), 'utf8').trimEnd();
const noComments = (s: string): string => s.split('\n').filter((l) => !l.startsWith('# ')).join('\n');

// The options of Ironic's test_pxe_utils.TestPXEUtils.setUp.
const U = '/tftpboot/1be26c0b-03f2-4d2e-ae87-c02d7f33c123';
const pxeOptions: PxeOptions = {
  deployment_aki_path: `${U}/deploy_kernel`, deployment_ari_path: `${U}/deploy_ramdisk`,
  aki_path: `${U}/kernel`, ari_path: `${U}/ramdisk`, pxe_append_params: 'test_param',
  ipxe_timeout: 0, ramdisk_opts: 'ramdisk_param', ks_cfg_url: 'http://fake/ks.cfg', stage2_url: 'http://fake/stage2',
};
const ipxeOptions: PxeOptions = {
  ...pxeOptions, deployment_aki_path: 'http://1.2.3.4:1234/deploy_kernel', deployment_ari_path: 'http://1.2.3.4:1234/deploy_ramdisk',
  aki_path: 'http://1.2.3.4:1234/kernel', ari_path: 'http://1.2.3.4:1234/ramdisk', initrd_filename: 'deploy_ramdisk',
};
const volume = { boot_from_volume: true, iscsi_initiator_iqn: 'fake_iqn', username: 'fake_username', password: 'fake_password' };

test('PXELINUX and GRUB configs equal Ironic\'s rendered samples', () => {
  assert.equal(renderPxeConfig(pxeOptions), sample('pxe_config.template'));
  assert.equal(renderGrubConfig({ ...pxeOptions, tftp_server: '192.0.2.1' }), sample('pxe_grub_config.template'));
});

test('iPXE scripts equal Ironic\'s rendered samples (deploy, timeout, ISO, anaconda repo, boot from volume)', () => {
  assert.equal(renderIpxeConfig(ipxeOptions), sample('ipxe_config.template'));
  assert.equal(renderIpxeConfig(ipxeOptions), sample('ipxe_config_boot_from_ramdisk.template'));
  assert.equal(renderIpxeConfig({ ...ipxeOptions, ipxe_timeout: 120 }), sample('ipxe_config_timeout.template'));
  assert.equal(renderIpxeConfig({ ...ipxeOptions, boot_iso_url: 'http://1.2.3.4:1234/uuid/iso' }), sample('ipxe_config_boot_from_iso.template'));
  const { stage2_url: _s, ...noStage2 } = ipxeOptions;
  assert.equal(renderIpxeConfig({ ...noStage2, repo_url: 'http://1.2.3.4/path/to/os/' }), sample('ipxe_config_boot_from_anaconda.template'));
  const { initrd_filename: _i, ...noInitrd } = ipxeOptions;
  assert.equal(renderIpxeConfig({ ...noInitrd, ...volume, iscsi_boot_url: 'iscsi:fake_host::3260:0:fake_iqn', iscsi_volumes: [] }),
    sample('ipxe_config_boot_from_volume_no_extra_volumes.template'));
  assert.equal(renderIpxeConfig({
    ...noInitrd, ...volume, iscsi_boot_url: 'iscsi:fake_host::3260:0:fake_iqn',
    iscsi_volumes: [{ url: 'iscsi:fake_host::3260:1:fake_iqn', username: 'fake_username_1', password: 'fake_password_1' }],
  }), sample('ipxe_config_boot_from_volume_extra_volume.template'));
  assert.equal(renderIpxeConfig({ ...ipxeOptions, ...volume, iscsi_boot_url: 'iscsi:fake_host::3260:0:fake_iqn iscsi:faker_host::3260:0:fake_iqn' }),
    sample('ipxe_config_boot_from_volume_multipath.template'));
});

test('boot.ipxe equals Ironic\'s samples, with and without a fallback script', () => {
  assert.equal(noComments(renderBootIpxe('pxelinux.cfg/')), noComments(sample('boot.ipxe')));
  assert.equal(noComments(renderBootIpxe('pxelinux.cfg/', 'inspector.ipxe')), noComments(sample('boot-fallback.ipxe')));
  assert.ok(renderBootIpxe('pxelinux.cfg/').startsWith('#!ipxe\n'));
});

test('switching to the instance entry edits the file as Ironic does', () => {
  const pxe = switchBootEntry(renderPxeConfig(pxeOptions), 'pxelinux', 'boot_whole_disk', '0x12345678');
  assert.match(pxe, /^default boot_whole_disk\n/);
  assert.match(pxe, /append mbr:0x12345678/);
  const grub = switchBootEntry(renderGrubConfig(pxeOptions), 'grub', 'boot_ramdisk');
  assert.match(grub, /^set default=boot_ramdisk\n/);
  const ipxe = switchBootEntry(renderIpxeConfig(ipxeOptions), 'ipxe', 'boot_whole_disk');
  assert.match(ipxe, /\n\ngoto boot_whole_disk\n\n:deploy/);
});

/** Render Ironic's templates with Jinja2 (Debian's python3-jinja2) as ironic.common.utils.render_template does; one process for all. */
function jinja(jobs: [string, Record<string, unknown>][]): string[] {
  const script = [
    'import json, sys, jinja2',
    'env = jinja2.Environment(loader=jinja2.FileSystemLoader(sys.argv[1]), autoescape=jinja2.select_autoescape())',
    'env.globals["enumerate"] = enumerate',
    'sys.stdout.write(json.dumps([env.get_template(n).render(p) for n, p in json.loads(sys.stdin.read())]))',
  ].join('\n');
  const r = spawnSync('/usr/bin/python3', ['-c', script, join(BOOT_FILES, 'templates')], { input: JSON.stringify(jobs), encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, `python3-jinja2 failed (apt-get install python3-jinja2): ${r.stderr}`);
  return JSON.parse(r.stdout) as string[];
}

test('Ironic\'s templates rendered by Jinja2 equal Ingot\'s output for real node options', { skip: !existsSync('/usr/bin/python3') && 'no /usr/bin/python3' }, () => {
  const node = '1be26c0b-03f2-4d2e-ae87-c02d7f33c123';
  const append = 'nofb nomodeset vga=normal ipa-debug=1 ipa-api-url=http://192.0.2.1:6385';
  const cases: PxeOptions[] = [
    { deployment_aki_path: `${node}/deploy_kernel`, deployment_ari_path: `${node}/deploy_ramdisk`, aki_path: 'no_kernel', ari_path: 'no_ramdisk', pxe_append_params: append, tftp_server: '192.0.2.1', ipxe_timeout: 0 },
    { deployment_aki_path: `${node}/rescue_kernel`, deployment_ari_path: `${node}/rescue_ramdisk`, aki_path: `${node}/kernel`, ari_path: `${node}/ramdisk`, pxe_append_params: '', tftp_server: '192.0.2.1', ipxe_timeout: 0, ramdisk_opts: 'a=b' },
    { deployment_aki_path: `http://h/${node}/deploy_kernel`, deployment_ari_path: `http://h/${node}/deploy_ramdisk`, aki_path: 'no_kernel', ari_path: 'no_ramdisk', pxe_append_params: append, ipxe_timeout: 30000, initrd_filename: 'deploy_ramdisk', boot_iso_url: `http://h/${node}/boot_iso` },
  ];
  const params = (o: PxeOptions, grub: boolean) => ({ pxe_options: o, ROOT: grub ? '(( ROOT ))' : '{{ ROOT }}', DISK_IDENTIFIER: grub ? '(( DISK_IDENTIFIER ))' : '{{ DISK_IDENTIFIER }}' });
  const jobs: [string, Record<string, unknown>][] = [];
  const ours: string[] = [];
  for (const o of cases) {
    jobs.push(['pxe_config.template', params(o, false)], ['pxe_grub_config.template', params(o, true)], ['ipxe_config.template', params(o, false)]);
    ours.push(renderPxeConfig(o), renderGrubConfig(o), renderIpxeConfig(o));
  }
  jobs.push(['boot.ipxe', { ipxe_for_mac_uri: 'pxelinux.cfg/', ipxe_fallback_script: 'http://h/inspector.ipxe' }], ['initial_grub_cfg.template', { tftp_root: '/tftpboot' }]);
  ours.push(renderBootIpxe('pxelinux.cfg/', 'http://h/inspector.ipxe'), renderInitialGrubCfg());
  const theirs = jinja(jobs);
  assert.equal(theirs.length, ours.length);
  ours.forEach((text, i) => assert.equal(noComments(text), noComments(theirs[i]!), jobs[i]![0]));
});
