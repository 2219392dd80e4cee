/**
 * The `redfish_*` driver_info keys every redfish interface reads (Ironic's
 * redfish/utils.py COMMON_PROPERTIES and parse_driver_info), with Ironic 21.4's exact
 * descriptions and validation messages (checked against the reference Ironic).
 *
 * Validation order and texts, as Ironic: missing keys (a Python list), then
 * redfish_address, redfish_system_id, redfish_verify_ca, redfish_auth_type.
 * Deliberate differences: an address whose scheme is not http/https, or whose port is
 * out of range, is refused here (Ironic accepts it and fails on first use); a
 * redfish_verify_ca path must be a CA bundle FILE for our client (a directory of
 * certificates is accepted by the check, as in Ironic, but cannot be used).
 */
import { existsSync } from 'node:fs';
import { isIPv6 } from 'node:net';
import { InvalidError } from '../../core/errors.ts';
import type { Node } from '../../core/node.ts';
import type { AuthType } from './client/index.ts';
import { pyRepr } from '../shared/py-repr.ts';

export const REDFISH_REQUIRED_PROPERTIES: Readonly<Record<string, string>> = {
  redfish_address: 'The URL address to the Redfish controller. It must include the authority portion of the URL. '
    + 'If the scheme is missing, https is assumed. For example: https://mgmt.vendor.com. If a path is added, it will '
    + 'be used as the API endpoint root_prefix. Required',
};

export const REDFISH_OPTIONAL_PROPERTIES: Readonly<Record<string, string>> = {
  redfish_system_id: 'The canonical path to the ComputerSystem resource that the driver will interact with. It should '
    + 'include the root service, version and the unique resource path to a ComputerSystem within the same authority as '
    + 'the redfish_address property. For example: /redfish/v1/Systems/1. This property is only required if target BMC '
    + 'manages more than one ComputerSystem. Otherwise ironic will pick the only available ComputerSystem automatically.',
  redfish_username: "User account with admin/server-profile access privilege. Although this property is not mandatory it's "
    + 'highly recommended to set a username. Optional',
  redfish_password: 'User account password. Although this property is not mandatory, it\'s highly recommended to set a '
    + 'password. Optional',
  redfish_verify_ca: 'Either a Boolean value, a path to a CA_BUNDLE file or directory with certificates of trusted CAs. '
    + 'If set to True the driver will verify the host certificates; if False the driver will ignore verifying the SSL '
    + "certificate. If it's a path the driver will use the specified certificate or one of the certificates in the "
    + 'directory. Defaults to True. Optional',
  redfish_auth_type: 'Redfish HTTP client authentication method. Can be "basic", "session" or "auto". If not set, the '
    + 'default value is taken from Ironic configuration as ``[redfish]auth_type`` option.',
};

/** Ironic's redfish COMMON_PROPERTIES (required first, then optional). */
export const REDFISH_PROPERTIES: Readonly<Record<string, string>> = { ...REDFISH_REQUIRED_PROPERTIES, ...REDFISH_OPTIONAL_PROPERTIES };

/** What a client needs to reach a node's BMC. */
export interface RedfishDriverInfo {
  /** scheme://authority, e.g. "https://10.0.0.5:8443". */
  address: string;
  /** The address's path when one was given (sushy's root_prefix). */
  rootPrefix: string | undefined;
  /** URL-quoted redfish_system_id, or undefined to pick the only system. */
  systemId: string | undefined;
  username: string | undefined;
  password: string | undefined;
  /** true/false, or the path of a CA bundle. */
  verifyCa: boolean | string;
  authType: AuthType;
}

/** Ironic's `[redfish]auth_type` default. */
export const DEFAULT_AUTH_TYPE: AuthType = 'auto';

/** Python's str() of a JSON value, for Ironic's `%s` in messages. */
export function pyStr(v: unknown): string {
  return typeof v === 'string' ? v : pyRepr(v);
}

/** Python truthiness of a JSON value (Ironic's `if not driver_info.get(key)`). */
function pyTruthy(v: unknown): boolean {
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object' && v !== null) return Object.keys(v).length > 0;
  return Boolean(v);
}

/** urllib.parse.quote with its default safe='/' (UTF-8 percent-encoding). */
function pyQuote(s: string): string {
  let out = '';
  for (const byte of Buffer.from(s, 'utf8')) {
    const ch = String.fromCharCode(byte);
    out += /[A-Za-z0-9_.\-~/]/.test(ch) ? ch : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** oslo strutils.bool_from_string(strict=True); undefined when the text is neither. */
function strictBool(s: string): boolean | undefined {
  const v = s.trim().toLowerCase();
  if (['1', 't', 'true', 'on', 'y', 'yes'].includes(v)) return true;
  if (['0', 'f', 'false', 'off', 'n', 'no'].includes(v)) return false;
  return undefined;
}

function parseAddress(raw: unknown, uuid: string): { address: string; rootPrefix: string | undefined } {
  const invalid = (shown: string): InvalidError =>
    new InvalidError(`Invalid Redfish address ${shown} set in driver_info/redfish_address on node ${uuid}`);
  if (typeof raw !== 'string') throw invalid(pyStr(raw));
  let address = isIPv6(raw) ? `[${raw}]` : raw;
  if (!/^[a-z][a-z0-9+.-]*:\/\/[^/?#]/i.test(address)) address = `https://${address}`;
  let url: URL;
  try { url = new URL(address); } catch { throw invalid(address); }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') throw invalid(address);
  const userinfo = url.username ? `${url.username}${url.password ? `:${url.password}` : ''}@` : '';
  const path = url.pathname;
  return { address: `${url.protocol}//${userinfo}${url.host}`, rootPrefix: path && path !== '/' ? path : undefined };
}

/**
 * Parse and validate a node's redfish driver_info (Ironic's parse_driver_info).
 * Throws `InvalidError` with Ironic's message for the first problem found.
 */
export function parseRedfishDriverInfo(node: Pick<Node, 'uuid' | 'driver_info'>): RedfishDriverInfo {
  const di = node.driver_info ?? {};
  const missing = Object.keys(REDFISH_REQUIRED_PROPERTIES).filter((k) => !pyTruthy(di[k]));
  if (missing.length > 0) {
    throw new InvalidError(`Missing the following Redfish properties in node ${node.uuid} driver_info: ${pyRepr(missing)}`);
  }
  const { address, rootPrefix } = parseAddress(di.redfish_address, node.uuid);

  let systemId: string | undefined;
  const rawSystem = di.redfish_system_id;
  if (rawSystem !== undefined && rawSystem !== null) {
    if (typeof rawSystem !== 'string') {
      throw new InvalidError(`Invalid value "${pyStr(rawSystem)}" set in driver_info/redfish_system_id on node ${node.uuid}. `
        + 'The value should be a path (string) to the resource that the driver will interact with. For example: /redfish/v1/Systems/1');
    }
    systemId = rawSystem === '' ? undefined : pyQuote(rawSystem);
  }

  const rawVerify = Object.hasOwn(di, 'redfish_verify_ca') ? di.redfish_verify_ca : true;
  const badVerify = (): InvalidError => new InvalidError(`Invalid value type set in driver_info/redfish_verify_ca on node ${node.uuid}. `
    + `The value should be a Boolean or the path to a file/directory, not "${pyStr(rawVerify)}"`);
  let verifyCa: boolean | string;
  if (typeof rawVerify === 'boolean') verifyCa = rawVerify;
  else if (typeof rawVerify === 'string') {
    if (rawVerify !== '' && existsSync(rawVerify)) verifyCa = rawVerify;
    else {
      const b = strictBool(rawVerify);
      if (b === undefined) throw badVerify();
      verifyCa = b;
    }
  } else throw badVerify();

  const authType = Object.hasOwn(di, 'redfish_auth_type') ? di.redfish_auth_type : DEFAULT_AUTH_TYPE;
  if (authType !== 'basic' && authType !== 'session' && authType !== 'auto') {
    throw new InvalidError(`Invalid value "${pyStr(authType)}" set in driver_info/redfish_auth_type on node ${node.uuid}. `
      + 'The value should be one of "basic", "session" or "auto".');
  }
  const str = (v: unknown): string | undefined => (v === undefined || v === null ? undefined : pyStr(v));
  return {
    address, rootPrefix, systemId, username: str(di.redfish_username), password: str(di.redfish_password), verifyCa,
    authType,
  };
}
