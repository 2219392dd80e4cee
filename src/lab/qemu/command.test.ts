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
  // Boot order by bootindex: the chosen device first, then the disk.
  assert.deepEqual(value(a, '-device'), ['virtio-net-pci,netdev=n0,mac=52:54:00:00:00:01,bootindex=0', 'virtio-blk-pci,drive=disk0,bootindex=1']);
  assert.deepEqual(value(a, '-drive'), ['file=/lab/m0/disk0.img,format=raw,if=none,id=disk0']);
  assert.deepEqual(value(a, '-boot'), []);
});

test('a CD boot attaches the ISO first in the boot order; UEFI adds OVMF as two pflash drives and drops the iPXE ROM', () => {
  const a = qemuArgs({ ...spec, boot: 'cdrom', cdrom: '/lab/m0/boot.iso', firmware: { kind: 'uefi', code: '/ovmf/CODE.fd', vars: '/lab/m0/VARS.fd' } });
  assert.deepEqual(value(a, '-drive'), [
    'file=/lab/m0/disk0.img,format=raw,if=none,id=disk0', 'file=/lab/m0/boot.iso,format=raw,if=none,id=cd0,media=cdrom,readonly=on',
    'if=pflash,format=raw,unit=0,readonly=on,file=/ovmf/CODE.fd', 'if=pflash,format=raw,unit=1,file=/lab/m0/VARS.fd',
  ]);
  assert.deepEqual(value(a, '-device'), [
    'virtio-net-pci,netdev=n0,mac=52:54:00:00:00:01,bootindex=2,romfile=', 'virtio-blk-pci,drive=disk0,bootindex=1', 'ide-cd,drive=cd0,bus=ide.1,bootindex=0',
  ]);
  const disk = qemuArgs({ ...spec, boot: 'disk', accel: 'kvm' });
  assert.deepEqual(value(disk, '-machine'), ['pc,accel=kvm']);
  assert.deepEqual(value(disk, '-device'), ['virtio-net-pci,netdev=n0,mac=52:54:00:00:00:01,bootindex=2', 'virtio-blk-pci,drive=disk0,bootindex=0']);
});
