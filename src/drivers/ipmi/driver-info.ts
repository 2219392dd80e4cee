/**
 * The `ipmi_*` driver_info keys of the ipmitool interfaces (Ironic 21.4's ipmitool.py
 * COMMON_PROPERTIES, CONSOLE_PROPERTIES and _parse_driver_info): descriptions, defaults,
 * validation order and messages as Ironic's.
 *
 * Order of checks (Ironic's): ipmi_address missing; ipmi_protocol_version; ipmi_terminal_port;
 * ipmi_port; ipmi_bridging (support by the installed ipmitool, then the channel/address keys
 * it needs); ipmi_priv_level; ipmi_hex_kg_key length; ipmi_cipher_suite.
 * Empty username/password: allowed (NULL user / NULL password), as Ironic (which only logs).
 */
import { InvalidError } from '../../core/errors.ts';
import type { Node } from '../../core/node.ts';
import { pyRepr } from '../shared/py-repr.ts';

export const VALID_PRIV_LEVELS = ['ADMINISTRATOR', 'CALLBACK', 'OPERATOR', 'USER'] as const;
const VALID_PROTO_VERSIONS = ['2.0', '1.5'];
const BRIDGING_TYPES = ['single', 'dual'];

/** Ironic's ipmitool COMMON_PROPERTIES (required first, then optional; Ironic's texts). */
export const IPMITOOL_PROPERTIES: Readonly<Record<string, string>> = {
  ipmi_address: 'IP address or hostname of the node. Required.',
  ipmi_password: 'password. Optional.',
  ipmi_hex_kg_key: 'Kg key for IPMIv2 authentication. The key is expected in hexadecimal format. Optional.',
  ipmi_port: 'remote IPMI RMCP port. Optional.',
  ipmi_priv_level: `privilege level; default is ADMINISTRATOR. One of ${VALID_PRIV_LEVELS.join(', ')}. Optional.`,
  ipmi_username: 'username; default is NULL user. Optional.',
  ipmi_bridging: 'bridging_type; default is "no". One of "single", "dual", "no". Optional.',
  ipmi_transit_channel: 'transit channel for bridged request. Required only if ipmi_bridging is set to "dual".',
  ipmi_transit_address: 'transit address for bridged request. Required only if ipmi_bridging is set to "dual".',
  ipmi_target_channel: 'destination channel for bridged request. Required only if ipmi_bridging is set to "single" or "dual".',
  ipmi_target_address: 'destination address for bridged request. Required only if ipmi_bridging is set to "single" or "dual".',
  ipmi_local_address: 'local IPMB address for bridged requests. Used only if ipmi_bridging is set to "single" or "dual". Optional.',
  ipmi_protocol_version: 'the version of the IPMI protocol; default is "2.0". One of "1.5", "2.0". Optional.',
  ipmi_force_boot_device: 'Whether Ironic should specify the boot device to the BMC each time the server is turned on, eg. because the BMC is not capable of remembering the selected boot device across power cycles; default value is False. Optional.',
  ipmi_disable_boot_timeout: 'By default ironic will send a raw IPMI command to disable the 60 second timeout for booting. Setting this option to False will NOT send that command on this node. The [ipmi]disable_boot_timeout will be used if this option is not set. Optional.',
  ipmi_cipher_suite: 'The number of a cipher suite to use. Only 3 (AES-128 with SHA1) or 17 (AES-128 with SHA256) should ever be used; 17 is preferred. The default value depends on the ipmitool version, some recent versions have switched from 3 to 17.',
};

/** The console interfaces add the terminal port. */
export const IPMI_CONSOLE_PROPERTIES: Readonly<Record<string, string>> = {
  ...IPMITOOL_PROPERTIES,
  ipmi_terminal_port: "node's UDP port to connect to. Only required for console access.",
};

/** What ipmitool needs to reach a node's BMC (Ironic's parsed driver_info). */
export interface IpmiDriverInfo {
  uuid: string;
  address: string;
  /** ipmi_port (`-p`), when given. */
  destPort: number | null;
  username: string | null;
  /** str(ipmi_password) ('' when absent: ipmitool then gets a NUL password). */
  password: string;
  hexKgKey: string | null;
  /** Console TCP port: ipmi_terminal_port, else driver_internal_info.allocated_ipmi_terminal_port. */
  terminalPort: number | null;
  privLevel: string;
  localAddress: string | null;
  transitChannel: string | null;
  transitAddress: string | null;
  targetChannel: string | null;
  targetAddress: string | null;
  protocolVersion: '2.0' | '1.5';
  /** Raw ipmi_force_boot_device value (read with bool_from_string where used). */
  forceBootDevice: unknown;
  cipherSuite: string | null;
}

/** Which ipmitool options the installed ipmitool accepts (Ironic's _check_option_support). */
export interface IpmitoolSupport { timing: boolean; single_bridge: boolean; dual_bridge: boolean }

/** Python's str() of a JSON value, for Ironic's `%s`. */
export function pyStr(v: unknown): string {
  return typeof v === 'string' ? v : pyRepr(v);
}

/** oslo strutils.bool_from_string (non-strict): true only for the truthy words. */
export function boolFromString(v: unknown): boolean {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v === 1;
  if (typeof v !== 'string') return false;
  return ['1', 't', 'true', 'on', 'y', 'yes'].includes(v.trim().toLowerCase());
}

/** Ironic's utils.validate_network_port (oslo netutils.is_valid_port: an int 0-65535). */
function validPort(v: unknown, name: string): number {
  let n = NaN;
  if (typeof v === 'number' && Number.isInteger(v)) n = v;
  else if (typeof v === 'string' && /^\s*[+-]?\d+\s*$/.test(v)) n = Number(v.trim());
  if (Number.isInteger(n) && n >= 0 && n <= 65535) return n;
  throw new InvalidError(`${name} "${pyStr(v)}" is not a valid port.`);
}

const present = (v: unknown): boolean => v !== undefined && v !== null;
const opt = (v: unknown): string | null => (present(v) ? pyStr(v) : null);

/**
 * Parse and validate a node's ipmitool driver_info (Ironic's _parse_driver_info).
 * `support` answers whether bridging can be used; throws `InvalidError` with Ironic's text.
 */
export function parseIpmiDriverInfo(node: Pick<Node, 'uuid' | 'driver_info' | 'driver_internal_info'>, support: IpmitoolSupport): IpmiDriverInfo {
  const info = (node.driver_info ?? {}) as Record<string, unknown>;
  const internal = (node.driver_internal_info ?? {}) as Record<string, unknown>;
  if (!info.ipmi_address) {
    throw new InvalidError("Missing the following IPMI credentials in node's driver_info: ['ipmi_address'].");
  }
  const protocolVersion = pyStr(info.ipmi_protocol_version ?? '2.0');
  if (!VALID_PROTO_VERSIONS.includes(protocolVersion)) {
    throw new InvalidError(`Invalid IPMI protocol version value ${protocolVersion}, the valid value can be one of ${VALID_PROTO_VERSIONS.join(', ')}`);
  }
  const rawTerminal = info.ipmi_terminal_port || internal.allocated_ipmi_terminal_port;
  const terminalPort = present(rawTerminal) && rawTerminal !== 0 && rawTerminal !== '' ? validPort(rawTerminal, 'ipmi_terminal_port') : null;
  const destPort = present(info.ipmi_port) ? validPort(info.ipmi_port, 'ipmi_port') : null;

  const bridging = info.ipmi_bridging ?? 'no';
  let localAddress = opt(info.ipmi_local_address);
  let transitChannel = opt(info.ipmi_transit_channel);
  let transitAddress = opt(info.ipmi_transit_address);
  let targetChannel = opt(info.ipmi_target_channel);
  let targetAddress = opt(info.ipmi_target_address);
  if (bridging === 'no') {
    localAddress = transitChannel = transitAddress = targetChannel = targetAddress = null;
  } else if (bridging === 'single' || bridging === 'dual') {
    if (!support[`${bridging}_bridge`]) {
      throw new InvalidError(`Value for ipmi_bridging is provided as ${bridging}, but IPMI bridging is not supported by the IPMI utility installed on host. Ensure ipmitool version is > 1.8.11`);
    }
    const undef: string[] = [];
    if (targetChannel === null) undef.push('ipmi_target_channel');
    if (targetAddress === null) undef.push('ipmi_target_address');
    if (bridging === 'dual') {
      if (transitChannel === null) undef.push('ipmi_transit_channel');
      if (transitAddress === null) undef.push('ipmi_transit_address');
    } else {
      transitChannel = transitAddress = null;
    }
    if (undef.length > 0) throw new InvalidError(`${pyRepr(undef)} not provided`);
  } else {
    throw new InvalidError(`Invalid value for ipmi_bridging: ${pyStr(bridging)}, the valid value can be one of: ${pyRepr([...BRIDGING_TYPES, 'no'])}`);
  }

  const privLevel = info.ipmi_priv_level ?? 'ADMINISTRATOR';
  if (typeof privLevel !== 'string' || !(VALID_PRIV_LEVELS as readonly string[]).includes(privLevel)) {
    throw new InvalidError(`Invalid privilege level value:${pyStr(privLevel)}, the valid value can be one of ${VALID_PRIV_LEVELS.join(', ')}`);
  }
  const kg = info.ipmi_hex_kg_key;
  if (kg && pyStr(kg).length % 2 !== 0) throw new InvalidError('Number of ipmi_hex_kg_key characters is not even');

  const cs = info.ipmi_cipher_suite;
  if (present(cs)) {
    const ok = (typeof cs === 'number' && Number.isInteger(cs)) || (typeof cs === 'string' && /^\s*[+-]?\d+\s*$/.test(cs));
    if (!ok) throw new InvalidError(`Invalid cipher suite ${pyStr(cs)}, expected a number`);
    if (protocolVersion === '1.5') throw new InvalidError('Cipher suites cannot be used with IPMI 1.5');
  }

  return {
    uuid: node.uuid,
    address: pyStr(info.ipmi_address),
    destPort,
    username: info.ipmi_username ? pyStr(info.ipmi_username) : null,
    password: present(info.ipmi_password) ? pyStr(info.ipmi_password) : '',
    hexKgKey: kg ? pyStr(kg) : null,
    terminalPort,
    privLevel,
    localAddress, transitChannel, transitAddress, targetChannel, targetAddress,
    protocolVersion: protocolVersion as '2.0' | '1.5',
    forceBootDevice: info.ipmi_force_boot_device ?? false,
    cipherSuite: present(cs) ? pyStr(cs).trim() : null,
  };
}

/**
 * ipmitool's connection arguments (Ironic's _get_ipmitool_args), without the program,
 * the timing options, the password file and the command.
 */
export function ipmitoolConnectionArgs(info: IpmiDriverInfo, debug = false): string[] {
  const args = ['-I', info.protocolVersion === '2.0' ? 'lanplus' : 'lan', '-H', info.address, '-L', info.privLevel];
  if (info.destPort) args.push('-p', String(info.destPort));
  if (info.username) args.push('-U', info.username);
  if (info.hexKgKey) args.push('-y', info.hexKgKey);
  if (info.cipherSuite) args.push('-C', info.cipherSuite);
  const bridging: [string | null, string][] = [
    [info.localAddress, '-m'], [info.transitChannel, '-B'], [info.transitAddress, '-T'], [info.targetChannel, '-b'], [info.targetAddress, '-t'],
  ];
  for (const [v, flag] of bridging) if (v !== null) args.push(flag, v);
  if (debug) args.push('-v');
  return args;
}

/** "address:port" naming one BMC (serialization key and messages). */
export function bmcLabel(info: IpmiDriverInfo): string {
  const host = info.address.includes(':') ? `[${info.address}]` : info.address;
  return `${host}:${info.destPort ?? 623}`;
}
