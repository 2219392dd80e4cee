/** ipmitool driver_info: Ironic 21.4's defaults, checks and messages (no BMC involved). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidError } from '../../core/errors.ts';
import type { Json } from '../../core/node.ts';
import { makeTestNode } from '../../testing/driver-conformance.ts';
import { ipmitoolConnectionArgs, parseIpmiDriverInfo, type IpmitoolSupport } from './driver-info.ts';

const ALL: IpmitoolSupport = { timing: true, single_bridge: true, dual_bridge: true };
const parse = (driver_info: Json, support = ALL, internal: Json = {}) =>
  parseIpmiDriverInfo(makeTestNode({ driver: 'ipmi', driver_info, driver_internal_info: internal }), support);
const fails = (driver_info: Json, message: string, support = ALL): void => {
  assert.throws(() => parse(driver_info, support), (e: unknown) => e instanceof InvalidError && e.message === message, message);
};

test('defaults as Ironic: ADMINISTRATOR, IPMI 2.0 (lanplus), no bridging, NULL user and password', () => {
  const i = parse({ ipmi_address: '10.0.0.5' });
  assert.equal(i.privLevel, 'ADMINISTRATOR');
  assert.equal(i.protocolVersion, '2.0');
  assert.equal(i.username, null);
  assert.equal(i.password, '');
  assert.equal(i.destPort, null);
  assert.equal(i.forceBootDevice, false);
  assert.deepEqual(ipmitoolConnectionArgs(i), ['-I', 'lanplus', '-H', '10.0.0.5', '-L', 'ADMINISTRATOR']);
});

test('every option maps to its ipmitool flag; the password never does', () => {
  const i = parse({
    ipmi_address: 'bmc.example', ipmi_port: '6230', ipmi_username: 'admin', ipmi_password: 's3cret', ipmi_priv_level: 'OPERATOR',
    ipmi_hex_kg_key: 'abcd', ipmi_cipher_suite: 17, ipmi_bridging: 'dual', ipmi_local_address: '0x20', ipmi_transit_channel: '0',
    ipmi_transit_address: '0x82', ipmi_target_channel: '7', ipmi_target_address: '0x72',
  });
  const args = ipmitoolConnectionArgs(i);
  assert.deepEqual(args, ['-I', 'lanplus', '-H', 'bmc.example', '-L', 'OPERATOR', '-p', '6230', '-U', 'admin', '-y', 'abcd', '-C', '17',
    '-m', '0x20', '-B', '0', '-T', '0x82', '-b', '7', '-t', '0x72']);
  assert.ok(!args.includes('s3cret'));
  assert.equal(i.password, 's3cret');
  assert.equal(ipmitoolConnectionArgs(parse({ ipmi_address: 'a', ipmi_protocol_version: '1.5' }))[1], 'lan');
  // single bridging drops the transit keys; "no" drops them all
  const single = parse({ ipmi_address: 'a', ipmi_bridging: 'single', ipmi_target_channel: '7', ipmi_target_address: '0x72', ipmi_transit_channel: '0' });
  assert.equal(single.transitChannel, null);
  assert.equal(parse({ ipmi_address: 'a', ipmi_target_channel: '7' }).targetChannel, null);
});

test("validation messages are Ironic's, in Ironic's order", () => {
  fails({}, "Missing the following IPMI credentials in node's driver_info: ['ipmi_address'].");
  fails({ ipmi_address: '' }, "Missing the following IPMI credentials in node's driver_info: ['ipmi_address'].");
  fails({ ipmi_address: 'a', ipmi_protocol_version: '3.0', ipmi_priv_level: 'KING' }, 'Invalid IPMI protocol version value 3.0, the valid value can be one of 2.0, 1.5');
  fails({ ipmi_address: 'a', ipmi_terminal_port: 'abc' }, 'ipmi_terminal_port "abc" is not a valid port.');
  fails({ ipmi_address: 'a', ipmi_port: 70000 }, 'ipmi_port "70000" is not a valid port.');
  fails({ ipmi_address: 'a', ipmi_bridging: 'triple' }, "Invalid value for ipmi_bridging: triple, the valid value can be one of: ['single', 'dual', 'no']");
  fails({ ipmi_address: 'a', ipmi_bridging: 'single' }, "['ipmi_target_channel', 'ipmi_target_address'] not provided");
  fails({ ipmi_address: 'a', ipmi_bridging: 'dual', ipmi_target_channel: '1', ipmi_target_address: '2' }, "['ipmi_transit_channel', 'ipmi_transit_address'] not provided");
  fails({ ipmi_address: 'a', ipmi_bridging: 'dual' }, 'Value for ipmi_bridging is provided as dual, but IPMI bridging is not supported by the IPMI utility installed on host. Ensure ipmitool version is > 1.8.11',
    { timing: true, single_bridge: true, dual_bridge: false });
  fails({ ipmi_address: 'a', ipmi_priv_level: 'KING' }, 'Invalid privilege level value:KING, the valid value can be one of ADMINISTRATOR, CALLBACK, OPERATOR, USER');
  fails({ ipmi_address: 'a', ipmi_hex_kg_key: 'abc' }, 'Number of ipmi_hex_kg_key characters is not even');
  fails({ ipmi_address: 'a', ipmi_cipher_suite: 'strong' }, 'Invalid cipher suite strong, expected a number');
  fails({ ipmi_address: 'a', ipmi_cipher_suite: 3, ipmi_protocol_version: '1.5' }, 'Cipher suites cannot be used with IPMI 1.5');
});

test('the console port comes from ipmi_terminal_port, else the allocated one', () => {
  assert.equal(parse({ ipmi_address: 'a', ipmi_terminal_port: '8023' }).terminalPort, 8023);
  assert.equal(parse({ ipmi_address: 'a' }, ALL, { allocated_ipmi_terminal_port: 10001 }).terminalPort, 10001);
  assert.equal(parse({ ipmi_address: 'a' }).terminalPort, null);
});
