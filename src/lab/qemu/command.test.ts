import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bootDeviceOf, qemuArgs, type QemuMachineSpec } from './command.ts';

const spec: QemuMachineSpec = {
  name: 'm0', mac: '52:54:00:00:00:01', memoryMb: 1024, disk: '/lab/m0/disk0.img', cdrom: null, boot: 'network',
  tap: 'qtap0', serialLog: '/lab/m0/serial.log', qmpSocket: '/lab/m0/qmp.sock',
};
const value = (args: string[], opt: string): string[] => args.flatMap((a, i) => (a === opt ? [args[i + 1]!] : []));

test('BMC boot targets map to QEMU boot devices', () => {
  assert.equal(bootDeviceOf('Pxe'), 'network');
  assert.equal(bootDeviceOf('Cd'), 'cdrom');
  assert.equal(bootDeviceOf('Hdd'), 'disk');
  assert.equal(bootDeviceOf('BiosSetup'), 'disk');
});

test('a BIOS machine: software emulation, no reboot, serial to a file, QMP, NIC on the tap with its MAC, raw virtio disk', () => {
  const a = qemuArgs(spec);
  assert.deepEqual(value(a, '-machine'), ['pc,accel=tcg']);
  assert.deepEqual(value(a, '-m'), ['1024']);
  assert.ok(a.includes('-no-reboot'));
  assert.deepEqual(value(a, '-chardev'), ['file,id=serial0,path=/lab/m0/serial.log,append=on']);
  assert.deepEqual(value(a, '-serial'), ['chardev:serial0']);
  assert.deepEqual(value(a, '-qmp'), ['unix:/lab/m0/qmp.sock,server=on,wait=off']);
  assert.deepEqual(value(a, '-netdev'), ['tap,id=n0,ifname=qtap0,script=no,downscript=no']);
  assert.deepEqual(value(a, '-device'), ['virtio-net-pci,netdev=n0,mac=52:54:00:00:00:01']);
  assert.deepEqual(value(a, '-drive'), ['file=/lab/m0/disk0.img,format=raw,if=virtio']);
  assert.deepEqual(value(a, '-boot'), ['order=n']);
});

test('a CD boot attaches the ISO; UEFI adds OVMF as two pflash drives', () => {
  const a = qemuArgs({ ...spec, boot: 'cdrom', cdrom: '/lab/m0/boot.iso', firmware: { kind: 'uefi', code: '/ovmf/CODE.fd', vars: '/lab/m0/VARS.fd' } });
  assert.deepEqual(value(a, '-drive'), [
    'file=/lab/m0/disk0.img,format=raw,if=virtio', 'file=/lab/m0/boot.iso,format=raw,media=cdrom,if=ide,readonly=on',
    'if=pflash,format=raw,unit=0,readonly=on,file=/ovmf/CODE.fd', 'if=pflash,format=raw,unit=1,file=/lab/m0/VARS.fd',
  ]);
  assert.deepEqual(value(a, '-boot'), ['order=d']);
  assert.deepEqual(value(qemuArgs({ ...spec, boot: 'disk', accel: 'kvm' }), '-machine'), ['pc,accel=kvm']);
});
