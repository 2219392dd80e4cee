/**
 * Inventory in IPA's format from a lab machine description, and the Linux parsers fed
 * with real text (/proc/cpuinfo, /proc/meminfo, `lsblk --json -b -O` shapes), plus one
 * read of this machine's real Linux inventory (read-only).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LabMachine } from './lab.ts';
import { LinuxMachine, parseCpuinfo, parseLsblk, parseMeminfoTotal } from './linux.ts';
import { makeMachine } from '../test-support.ts';

const KEYS = ['interfaces', 'cpu', 'disks', 'memory', 'bmc_address', 'bmc_v6address', 'bmc_mac', 'system_vendor', 'boot', 'hostname'];
const DISK_KEYS = ['name', 'model', 'size', 'rotational', 'wwn', 'serial', 'vendor', 'wwn_with_extension', 'wwn_vendor_extension',
  'hctl', 'by_path', 'logical_sectors', 'physical_sectors', 'tran'].sort();

test('lab machine inventory has IPA\'s keys and the description\'s facts', async (t) => {
  const m = await makeMachine([8 * 1024 ** 3, 16 * 1024 ** 3]);
  t.after(() => m.close());
  const inv = await new LabMachine(m.desc).inventory();
  assert.deepEqual(Object.keys(inv).sort(), [...KEYS].sort());
  assert.deepEqual(Object.keys(inv.disks[0]!).sort(), DISK_KEYS);
  assert.equal(inv.disks[1]!.name, '/dev/sdb');
  assert.equal(inv.disks[1]!.size, 16 * 1024 ** 3);
  assert.equal(inv.disks[1]!.rotational, true);
  assert.equal(inv.interfaces[0]!.mac_address, '52:54:00:aa:bb:01');
  assert.deepEqual(inv.boot, { current_boot_mode: 'bios', pxe_interface: '52:54:00:aa:bb:01' });
  assert.deepEqual(inv.cpu, { model_name: 'Lab CPU', frequency: '2400.000', count: 2, architecture: 'x86_64', flags: ['fpu', 'vmx'], socket_count: 1 });
  assert.deepEqual(inv.memory, { total: 4 * 1024 ** 3, physical_mb: 4096 });
  assert.equal(inv.system_vendor.manufacturer, 'Ingot');
});

test('Linux parsers: cpuinfo, meminfo, lsblk', () => {
  const cpu = parseCpuinfo('processor\t: 0\nmodel name\t: Intel Xeon\ncpu MHz\t\t: 2400.000\nflags\t\t: fpu vmx\nphysical id\t: 0\n\nprocessor\t: 1\nmodel name\t: Intel Xeon\nphysical id\t: 1\n');
  assert.equal(cpu.count, 2);
  assert.equal(cpu.sockets, 2);
  assert.equal(cpu.fields['model name'], 'Intel Xeon');
  assert.equal(parseMeminfoTotal('MemTotal:       16318480 kB\nMemFree: 1 kB\n'), 16318480 * 1024);
  const disks = parseLsblk(JSON.stringify({ blockdevices: [
    { name: 'sda', path: '/dev/sda', type: 'disk', size: 480103981056, rota: false, model: 'MZ7LH480 ', vendor: 'ATA     ', serial: 'S45P', wwn: '0x5002', hctl: '0:0:0:0', tran: 'sata', 'log-sec': 512, 'phy-sec': 4096, ro: false },
    { name: 'sr0', path: '/dev/sr0', type: 'rom', size: 1024, rota: true },
    { name: 'loop0', path: '/dev/loop0', type: 'loop', size: 1024 },
    { name: 'zram0', path: '/dev/zram0', type: 'disk', size: 1024 },
    { name: 'sdb', path: '/dev/sdb', type: 'disk', size: '1000', rota: '1', ro: '1' },
  ] }), { '/dev/sda': '/dev/disk/by-path/pci-0000:00:17.0-ata-1' });
  assert.equal(disks.length, 1, 'only writable whole disks, no memory-backed ones');
  assert.deepEqual({ ...disks[0] }, {
    name: '/dev/sda', path: '/dev/sda', model: 'MZ7LH480', size: 480103981056, rotational: false, wwn: '0x5002', serial: 'S45P', vendor: 'ATA',
    wwn_with_extension: '0x5002', wwn_vendor_extension: null, hctl: '0:0:0:0', by_path: '/dev/disk/by-path/pci-0000:00:17.0-ata-1',
    logical_sectors: 512, physical_sectors: 4096, tran: 'sata',
  });
});

test('this machine\'s Linux inventory reads without error (read-only)', async () => {
  const inv = await new LinuxMachine().inventory();
  assert.deepEqual(Object.keys(inv).sort(), [...KEYS].sort());
  assert.ok(inv.cpu.count >= 1);
  assert.ok(inv.memory.total > 0);
});

test('the advertised address: the route source on Linux, none from a lab description (its addresses are descriptive)', async (t) => {
  assert.equal(await new LinuxMachine().routeSource('127.0.0.1'), '127.0.0.1');
  const m = await makeMachine([1024], { nics: [
    { name: 'eth0', macAddress: '52:54:00:00:00:01', ipv4Address: '192.0.2.10', pxe: false, speedMbps: null, lldp: [] },
    { name: 'eth1', macAddress: '52:54:00:00:00:02', ipv4Address: '192.0.2.11', pxe: true, speedMbps: null, lldp: [] },
  ] });
  t.after(() => m.close());
  assert.equal(await new LabMachine(m.desc).routeSource('203.0.113.1'), null);
});

test('a machine description of an unknown version is refused', async (t) => {
  const { loadAgentMachine } = await import('./lab.ts');
  const { writeFile } = await import('node:fs/promises');
  const m = await makeMachine([1024]);
  t.after(() => m.close());
  await writeFile(m.file, JSON.stringify({ ...m.desc, version: 99 }));
  await assert.rejects(loadAgentMachine(m.file), /version 99 is not supported/);
});

test('lab NVRAM: an entry with the same label is replaced and booted first, others kept in order', async (t) => {
  const { readFile, writeFile } = await import('node:fs/promises');
  const m = await makeMachine([1024]);
  t.after(() => m.close());
  await writeFile(m.desc.nvramPath, JSON.stringify({
    bootEntries: [{ label: 'pxe', disk: '', partition: null, loader: null }, { label: 'ironic1', disk: '/dev/sdb', partition: null, loader: null }],
    bootOrder: [0, 1],
  }));
  await new LabMachine(m.desc).recordBootEntry({ label: 'ironic1', disk: '/dev/sda', partition: '/dev/sda1', loader: '\\EFI\\BOOT\\BOOTX64.EFI' });
  assert.deepEqual(JSON.parse(await readFile(m.desc.nvramPath, 'utf8')), {
    bootEntries: [{ label: 'pxe', disk: '', partition: null, loader: null }, { label: 'ironic1', disk: '/dev/sda', partition: '/dev/sda1', loader: '\\EFI\\BOOT\\BOOTX64.EFI' }],
    bootOrder: [1, 0],
  });
});
