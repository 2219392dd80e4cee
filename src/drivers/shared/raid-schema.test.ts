/**
 * RAID schema validation: messages must equal Ironic 21.4's (jsonschema 4.10 best_match).
 * The table was produced by running ironic.common.raid.validate_configuration on each case.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidError } from '../../core/errors.ts';
import type { Json } from '../../core/node.ts';
import { raidLogicalDiskProperties, validateRaidConfigSchema } from './raid-schema.ts';
import { pyRepr } from './py-repr.ts';

const CASES: [unknown, string | null][] = [
  [{"logical_disks": [{"size_gb": 100, "is_root_volume": true, "raid_level": "1"}]}, null],
  [{}, "RAID config validation error: 'logical_disks' is a required property"],
  [[], "RAID config validation error: [] is not of type 'object'"],
  ["x", "RAID config validation error: 'x' is not of type 'object'"],
  [{"logical_disks": []}, "RAID config validation error: [] is too short"],
  [{"logical_disks": "x"}, "RAID config validation error: 'x' is not of type 'array'"],
  [{"logical_disks": [{"size_gb": 100}]}, "RAID config validation error: 'raid_level' is a required property"],
  [{"logical_disks": [{"raid_level": "7", "size_gb": 100}]}, "RAID config validation error: '7' is not one of ['JBOD', '0', '1', '2', '5', '6', '1+0', '5+0', '6+0']"],
  [{"logical_disks": [{"raid_level": "7"}]}, "RAID config validation error: 'size_gb' is a required property"],
  [{"logical_disks": [{"raid_level": "7"}], "foo": 1}, "RAID config validation error: Additional properties are not allowed ('foo' was unexpected)"],
  [{"logical_disks": [{"raid_level": "1", "size_gb": -1}]}, "RAID config validation error: -1 is less than the minimum of 0"],
  [{"logical_disks": [{"raid_level": "1", "size_gb": "abc"}]}, "RAID config validation error: 'abc' is not one of ['MAX']"],
  [{"logical_disks": [{"raid_level": "1", "size_gb": 1.5}]}, "RAID config validation error: 1.5 is not valid under any of the given schemas"],
  [{"logical_disks": [{"raid_level": "1", "size_gb": "MAX"}]}, null],
  [{"logical_disks": [{"raid_level": "1", "size_gb": true}]}, "RAID config validation error: True is not valid under any of the given schemas"],
  [{"logical_disks": [{"raid_level": 1, "size_gb": 10}]}, "RAID config validation error: 1 is not of type 'string'"],
  [{"logical_disks": [{"raid_level": "1", "size_gb": 10, "colour": "red", "b": 1}]}, "RAID config validation error: Additional properties are not allowed ('b', 'colour' were unexpected)"],
  [{"logical_disks": [{"raid_level": "1", "size_gb": 10, "physical_disks": ["a", "b"]}]}, "RAID config validation error: 'controller' is a dependency of 'physical_disks'"],
  [{"logical_disks": [{"raid_level": "1", "size_gb": 10, "controller": "c", "physical_disks": [{"a": 1}]}]}, "RAID config validation error: {'a': 1} is not of type 'string'"],
  [{"logical_disks": [{"raid_level": "1", "size_gb": 10, "controller": "c", "physical_disks": [1, 2]}]}, "RAID config validation error: [1, 2] is not valid under any of the given schemas"],
  [{"logical_disks": [{"raid_level": "1", "size_gb": 10, "controller": "c", "physical_disks": "sda"}]}, "RAID config validation error: 'sda' is not valid under any of the given schemas"],
  [{"logical_disks": [{"raid_level": "1", "size_gb": 10, "number_of_physical_disks": 0}]}, "RAID config validation error: 0 is less than or equal to the minimum of 0"],
  [{"logical_disks": [{"raid_level": "1", "size_gb": 10, "number_of_physical_disks": -2}]}, "RAID config validation error: -2 is less than or equal to the minimum of 0"],
  [{"logical_disks": [{"raid_level": "1", "size_gb": 10, "disk_type": "nvme", "interface_type": "usb"}]}, "RAID config validation error: 'nvme' is not one of ['hdd', 'ssd']"],
  [{"logical_disks": [{"raid_level": "1", "size_gb": 10, "is_root_volume": "yes"}]}, "RAID config validation error: 'yes' is not of type 'boolean'"],
  [{"logical_disks": [{"raid_level": "1", "size_gb": 10, "volume_name": "it's \"q\""}]}, null],
  [{"logical_disks": [{"raid_level": "1", "size_gb": 10, "is_root_volume": true}, {"raid_level": "0", "size_gb": "MAX", "is_root_volume": true}]}, "Raid config cannot have more than one root volume. 2 root volumes were specified"],
  [{"logical_disks": [{"raid_level": "1", "size_gb": 10}, 5]}, "RAID config validation error: 5 is not of type 'object'"],
  [{"logical_disks": [null]}, "RAID config validation error: None is not of type 'object'"],
  [{"logical_disks": [{"raid_level": "1", "size_gb": 10, "volume_name": null}]}, "RAID config validation error: None is not of type 'string'"],
  [{"logical_disks": [{"raid_level": "JBOD", "size_gb": 5e-06}]}, "RAID config validation error: 5e-06 is not valid under any of the given schemas"],
  [{"logical_disks": [{"raid_level": "1", "size_gb": 1e+20}]}, "RAID config validation error: 1e+20 is not valid under any of the given schemas"],
];

test('validateRaidConfigSchema reports exactly what Ironic reports', () => {
  for (const [config, want] of CASES) {
    let got: string | null = null;
    try { validateRaidConfigSchema(config as Json); } catch (e) {
      assert.ok(e instanceof InvalidError, 'InvalidError');
      got = e.message;
    }
    assert.equal(got, want, JSON.stringify(config));
  }
});

test('logical disk properties follow the schema, in order', () => {
  const props = raidLogicalDiskProperties();
  assert.deepEqual(Object.keys(props), [
    'raid_level', 'size_gb', 'volume_name', 'is_root_volume', 'share_physical_disks', 'disk_type', 'interface_type',
    'number_of_physical_disks', 'controller', 'physical_disks',
  ]);
  assert.equal(props.size_gb, "Size in GiB (Integer) for the logical disk. Use 'MAX' as size_gb if this logical disk is supposed to use the rest of the space available. Required.");
});

test('pyRepr prints values as Python does', () => {
  assert.equal(pyRepr(null), 'None');
  assert.equal(pyRepr([true, false, 1, 1.5, 'a']), "[True, False, 1, 1.5, 'a']");
  assert.equal(pyRepr({ a: [], b: {} }), "{'a': [], 'b': {}}");
  assert.equal(pyRepr("it's"), '"it\'s"');
  assert.equal(pyRepr('it\'s "q"'), "'it\\'s \"q\"'");
  assert.equal(pyRepr('tab\tnl\n\\'), "'tab\\tnl\\n\\\\'");
  assert.equal(pyRepr('\u0001é'), "'\\x01é'");
  assert.equal(pyRepr(1e-5), '1e-05');
  assert.equal(pyRepr(0.0001), '0.0001');
  assert.equal(pyRepr(1e20), '1e+20');
  assert.equal(pyRepr(-2.5e-7), '-2.5e-07');
  assert.equal(pyRepr(123456.789), '123456.789');
});
