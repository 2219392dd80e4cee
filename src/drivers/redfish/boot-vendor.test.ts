/**
 * Virtual media boot and the vendor passthru against the lab: the ISO is inserted and the
 * machine really boots from it, clean-ups eject, vendor methods match Ironic's metadata.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DriverError, InvalidError } from '../../core/errors.ts';
import { RedfishVirtualMediaBoot } from './boot.ts';
import { RedfishPower } from './power.ts';
import { RedfishVendor } from './vendor.ts';
import { RedfishConnectionCache } from './connection.ts';
import { redfishTestLab } from '../../testing/redfish-harness.ts';

test('prepareRamdisk inserts the deploy ISO and boots once from it; cleanUpRamdisk ejects', async (t) => {
  const { lab, cache, node } = await redfishTestLab(t);
  const boot = new RedfishVirtualMediaBoot(cache);
  const power = new RedfishPower(cache);
  const n = node(0);
  const m = lab.machines[0]!;
  await power.setPowerState(n.ctx(), 'power on');
  await boot.prepareRamdisk(n.ctx(), 'deploy');
  assert.equal(m.power, 'Off', 'powered off first, as Ironic does');
  assert.deepEqual(m.virtualMedia.map((v) => [v.id, v.image, v.inserted]), [['CD1', 'http://images.test/deploy.iso', true], ['Floppy1', null, false]]);
  assert.deepEqual([m.boot.target, m.boot.enabled], ['Cd', 'Once']);
  await power.setPowerState(n.ctx(), 'power on');
  assert.deepEqual([m.lastBoot?.device, m.lastBoot?.media], ['Cd', 'http://images.test/deploy.iso']);
  await boot.prepareRamdisk(n.ctx(), 'rescue');
  assert.equal(m.virtualMedia[0]!.image, 'http://images.test/rescue.iso', 'the previous ISO was ejected first');
  await boot.cleanUpRamdisk(n.ctx());
  assert.deepEqual(m.virtualMedia.map((v) => v.inserted), [false, false]);
  await assert.rejects(boot.prepareRamdisk(node(0, { driver_info: { ...n.node.driver_info, deploy_iso: undefined } }).ctx(), 'clean'),
    (e: unknown) => e instanceof InvalidError && /Missing are: \['deploy_kernel', 'deploy_ramdisk'\]/.test(e.message));
});

test('prepareInstance: ramdisk deploys boot instance_info.boot_iso persistently; others boot from disk', async (t) => {
  const { lab, cache, node } = await redfishTestLab(t);
  const boot = new RedfishVirtualMediaBoot(cache);
  const m = lab.machines[1]!;
  const ramdisk = node(1, { deploy_interface: 'ramdisk', instance_info: { boot_iso: 'http://images.test/instance.iso' } });
  await boot.prepareInstance(ramdisk.ctx());
  assert.deepEqual([m.virtualMedia[0]!.image, m.boot.target, m.boot.enabled], ['http://images.test/instance.iso', 'Cd', 'Continuous']);
  await boot.prepareInstance(ramdisk.ctx());
  assert.equal(m.virtualMedia[0]!.image, 'http://images.test/instance.iso', 'ejected and inserted again');
  await boot.cleanUpInstance(ramdisk.ctx());
  assert.equal(m.virtualMedia[0]!.inserted, false);
  await boot.prepareInstance(node(1).ctx());
  assert.deepEqual([m.boot.target, m.boot.enabled], ['Hdd', 'Continuous']);
  await assert.rejects(boot.prepareInstance(node(1, { deploy_interface: 'ramdisk' }).ctx()), (e: unknown) =>
    e instanceof InvalidError && /needs instance_info\/boot_iso/.test(e.message));
});

test('vendor methods and their metadata are Ironic\'s', () => {
  const v = new RedfishVendor(new RedfishConnectionCache());
  const methods = v.methods();
  assert.deepEqual(Object.keys(methods), ['create_subscription', 'delete_subscription', 'eject_vmedia', 'get_all_subscriptions', 'get_subscription']);
  assert.deepEqual(methods.eject_vmedia, {
    http_methods: ['POST'], async: true, attach: false, require_exclusive_lock: true,
    description: "Eject a virtual media device. If no device is provided then all attached devices will be ejected. Optional arguments: 'boot_device' - the boot device to eject, either 'cd', 'dvd', 'usb', or 'floppy'",
  });
  assert.deepEqual(methods.get_all_subscriptions, { http_methods: ['GET'], async: false, attach: false, require_exclusive_lock: true, description: 'Returns all subscriptions on the node.' });
  assert.deepEqual(v.properties(), {});
});

test('eject_vmedia ejects one kind or everything; bad arguments use Ironic\'s texts', async (t) => {
  const { lab, cache, node } = await redfishTestLab(t);
  const vendor = new RedfishVendor(cache);
  const boot = new RedfishVirtualMediaBoot(cache);
  const n = node(0);
  const m = lab.machines[0]!;
  await boot.prepareRamdisk(n.ctx(), 'deploy');
  await vendor.call(n.ctx(), 'eject_vmedia', 'POST', { boot_device: 'usb' });
  assert.equal(m.virtualMedia[0]!.inserted, true, 'a USB eject leaves the CD');
  await vendor.call(n.ctx(), 'eject_vmedia', 'POST', { boot_device: 'cd' });
  assert.equal(m.virtualMedia[0]!.inserted, false);
  await boot.prepareRamdisk(n.ctx(), 'deploy');
  await vendor.call(n.ctx(), 'eject_vmedia', 'POST', {});
  assert.equal(m.virtualMedia[0]!.inserted, false);
  const invalid = async (method: string, http: string, body: unknown, text: string): Promise<void> => {
    await assert.rejects(vendor.validateCall(n.ctx(), method, http, body), (e: unknown) => e instanceof InvalidError && e.message === text);
  };
  await invalid('eject_vmedia', 'POST', { boot_device: 'tape' }, 'Boot device tape is not a valid value ');
  await invalid('eject_vmedia', 'GET', {}, 'The method eject_vmedia does not support HTTP GET');
  await invalid('nope', 'POST', {}, 'No handler for method nope');
  await invalid('delete_subscription', 'DELETE', {}, "id can't be None");
  await invalid('create_subscription', 'POST', { Destination: 'not a uri' }, 'Destination not a uri is not a valid URI');
  await invalid('create_subscription', 'POST', { Destination: 'https://x.test/e', Context: 5 }, 'Context 5 is not a valid string');
  await assert.rejects(vendor.call(n.ctx(), 'get_all_subscriptions', 'GET', {}), (e: unknown) =>
    e instanceof DriverError && /The Redfish EventService was not found for node .*: the BMC at .* does not offer event subscriptions\./.test(e.message));
});
