import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chooseRootDisk, findDisksByHints, hintsFromNode, parseExpression } from './hints.ts';
import { AgentError } from '../errors.ts';
import type { Disk } from '../hardware/types.ts';

const GiB = 1024 ** 3;
const disk = (name: string, size: number, extra: Partial<Disk> = {}): Disk => ({
  name, path: name, model: 'Model', size, rotational: false, wwn: null, serial: null, vendor: 'ATA',
  wwn_with_extension: null, wwn_vendor_extension: null, hctl: null, by_path: null,
  logical_sectors: 512, physical_sectors: 512, tran: 'sata', ...extra,
});
const disks = [
  disk('/dev/sda', 100 * GiB, { model: 'Samsung SSD 860', serial: 'S3Z1', vendor: 'ATA', wwn: '0x5002538e', hctl: '0:0:0:0', by_path: '/dev/disk/by-path/pci-0000:00:17.0-ata-1' }),
  disk('/dev/sdb', 500 * GiB, { model: 'ST500 Barracuda', serial: 'WD-XYZ', vendor: 'SEAGATE', rotational: true, hctl: '1:0:0:0' }),
  disk('/dev/sdc', 2 * GiB, { model: 'Tiny Flash', serial: 'T1', hctl: '2:0:0:0' }),
];
const names = (h: Record<string, unknown>) => findDisksByHints(disks, h).map((d) => d.name);

test('expressions split into operator and values', () => {
  assert.deepEqual(parseExpression('>= 100'), { op: '>=', values: ['100'] });
  assert.deepEqual(parseExpression('<or> a b <or> c'), { op: '<or>', values: ['a b', 'c'] });
  assert.deepEqual(parseExpression('Plain Value'), { op: '', values: ['plain value'] });
  assert.deepEqual(parseExpression('<all-in> x y'), { op: '<all-in>', values: ['x', 'y'] });
});

test('size hints compare GiB numerically; no operator means ==', () => {
  assert.deepEqual(names({ size: 100 }), ['/dev/sda']);
  assert.deepEqual(names({ size: '>= 100' }), ['/dev/sda', '/dev/sdb']);
  assert.deepEqual(names({ size: '> 100' }), ['/dev/sdb']);
  assert.deepEqual(names({ size: '< 10' }), ['/dev/sdc']);
  assert.deepEqual(names({ size: '!= 100' }), ['/dev/sdb', '/dev/sdc']);
  assert.deepEqual(names({ size: '<or> 2 <or> 500' }), ['/dev/sdb', '/dev/sdc']);
});

test('string hints: s==, <in>, <or>, s!=, case-insensitive, spaces safe', () => {
  assert.deepEqual(names({ model: 'samsung ssd 860' }), ['/dev/sda']);
  assert.deepEqual(names({ model: 's== ST500 Barracuda' }), ['/dev/sdb']);
  assert.deepEqual(names({ model: '<in> barracuda' }), ['/dev/sdb']);
  assert.deepEqual(names({ vendor: '<or> seagate <or> hitachi' }), ['/dev/sdb']);
  assert.deepEqual(names({ vendor: 's!= ata' }), ['/dev/sdb']);
  assert.deepEqual(names({ serial: 'WD-XYZ', name: '/dev/sdb' }), ['/dev/sdb']);
  assert.deepEqual(names({ hctl: '2:0:0:0' }), ['/dev/sdc']);
  assert.deepEqual(names({ by_path: '/dev/disk/by-path/pci-0000:00:17.0-ata-1' }), ['/dev/sda']);
  assert.deepEqual(names({ wwn: '0x5002538E' }), ['/dev/sda']);
  assert.deepEqual(names({ model: '<all-in> st500 barra' }), ['/dev/sdb']);
  assert.deepEqual(names({ name: 's>= /dev/sdb' }), ['/dev/sdb', '/dev/sdc']);
});

test('rotational is a boolean hint; all hints must match', () => {
  assert.deepEqual(names({ rotational: true }), ['/dev/sdb']);
  assert.deepEqual(names({ rotational: 'false' }), ['/dev/sda', '/dev/sdc']);
  assert.deepEqual(names({ rotational: false, size: '>= 50' }), ['/dev/sda']);
  assert.deepEqual(names({ rotational: true, model: '<in> samsung' }), []);
});

test('bad hints are refused with a 400 command error', () => {
  const bad = (h: Record<string, unknown>, re: RegExp) => assert.throws(() => names(h), (e: unknown) => e instanceof AgentError && e.code === 400 && re.test(e.details));
  bad({ colour: 'red' }, /hints "colour" are invalid/);
  bad({ size: 'big' }, /not an integer/);
  bad({ size: '-5' }, /positive integer/);
  bad({ rotational: 'maybe' }, /not a Boolean/);
  bad({ model: 5 }, /not a string/);
});

test('root disk choice: hints, else smallest disk of at least 4 GiB; no match is DeviceNotFound', () => {
  assert.equal(chooseRootDisk(disks, { serial: 'WD-XYZ' }).name, '/dev/sdb');
  assert.equal(chooseRootDisk(disks, null).name, '/dev/sda');
  assert.throws(() => chooseRootDisk(disks, { model: 'nope' }), (e: unknown) => e instanceof AgentError && e.type === 'DeviceNotFound' && /No suitable device.*hints/.test(e.details));
  assert.throws(() => chooseRootDisk([disks[2]!], null), (e: unknown) => e instanceof AgentError && /smaller than 4294967296B/.test(e.details));
});

test('instance_info.root_device wins over properties.root_device', () => {
  assert.deepEqual(hintsFromNode({ instance_info: { root_device: { name: '/dev/sdb' } }, properties: { root_device: { name: '/dev/sda' } } }), { name: '/dev/sdb' });
  assert.deepEqual(hintsFromNode({ instance_info: {}, properties: { root_device: { size: 10 } } }), { size: 10 });
  assert.equal(hintsFromNode({ instance_info: {}, properties: {} }), null);
});
