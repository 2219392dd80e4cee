/**
 * The ISO boot loader configs against Ironic 21.4's own templates rendered by Jinja2 (the
 * engine Ironic uses: Debian's python3-jinja2), and the kernel command line assembly.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { SHARED_DIR } from '../../testing/shared-data.ts';
import { kernelAppendParams, kernelCommandLine, renderGrubCfg, renderIsolinuxCfg } from './boot-config.ts';

const TEMPLATES = join(SHARED_DIR, 'data', 'ironic-boot-files', 'templates');

/** Renders one of Ironic's templates the way ironic.common.utils.render_template does. */
function jinja(template: string, params: Record<string, string>): string {
  const script = [
    'import jinja2, json, sys',
    'p = json.loads(sys.argv[3])',
    'env = jinja2.Environment(loader=jinja2.FileSystemLoader(sys.argv[1]), autoescape=jinja2.select_autoescape())',
    'sys.stdout.write(env.get_template(sys.argv[2]).render(p))',
  ].join('\n');
  const r = spawnSync('/usr/bin/python3', ['-c', script, TEMPLATES, template, JSON.stringify(params)], { encoding: 'utf8' });
  assert.equal(r.status, 0, `rendering ${template} with Jinja2 failed (Debian's python3-jinja2 is needed): ${r.stderr || r.error}`);
  return r.stdout;
}

const PARAMS = 'nofb nomodeset vga=normal ir_pub_id=7b3f0c4e-1111-4222-8333-944445555666 ipa-api-url=http://192.0.2.1:6385 ipa-agent-token=abc_DEF-123 boot_method=vmedia';

test('isolinux.cfg is what Ironic renders for a BIOS ISO', () => {
  assert.equal(renderIsolinuxCfg(PARAMS), jinja('isolinux_config.template', { kernel: '/vmlinuz', ramdisk: '/initrd', kernel_params: PARAMS }));
});

test('grub.cfg is what Ironic renders for a UEFI ISO', () => {
  assert.equal(renderGrubCfg(PARAMS), jinja('grub_conf.template', { linux: '/vmlinuz', initrd: '/initrd', kernel_params: PARAMS }));
});

test('kernel command line: append params (instance_info, driver_info, option), ir_pub_id, then k=v / k', () => {
  assert.equal(kernelAppendParams({ instance_info: {}, driver_info: {} }, 'nofb nomodeset vga=normal'), 'nofb nomodeset vga=normal');
  assert.equal(kernelAppendParams({ instance_info: {}, driver_info: { kernel_append_params: '%default% console=ttyS0' } }, 'nofb'), 'nofb console=ttyS0');
  assert.equal(kernelAppendParams({ instance_info: { kernel_append_params: 'quiet' }, driver_info: { kernel_append_params: 'x' } }, 'nofb'), 'quiet');
  assert.equal(kernelAppendParams({ instance_info: { kernel_append_params: '' }, driver_info: {} }, 'nofb'), '', 'an empty value is a value, as in Ironic');
  assert.equal(kernelCommandLine('nofb', 'P', [['ipa-api-url', 'http://x'], ['nomodeset', null], ['boot_method', 'vmedia']]),
    'nofb ir_pub_id=P ipa-api-url=http://x nomodeset boot_method=vmedia');
  assert.equal(kernelCommandLine('nofb', null, []), 'nofb');
});
