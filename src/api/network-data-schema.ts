/**
 * Ironic's network_data schema (21.4 `[api]network_data_schema`, the Nova network metadata
 * format): the constraints only, in Ironic's key order, since keyword order and the pattern
 * strings show in the error messages ("… does not match '<pattern>'"). The patterns are
 * built from parts here; network-data-schema.test.ts pins the exact strings.
 *
 * `$ref`s point into `definitions`; a schema that embeds this one (the node schema) must
 * carry the same `definitions` at its root, as 21.4's node_schema() does.
 */
import type { JSchema } from './jsonschema.ts';

const ref = (name: string): JSchema => ({ $ref: `#/definitions/${name}` });

const OCTET_HOST = '(?:25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)';
const IPV4_HOST = `^(?:${OCTET_HOST}\\.){3}${OCTET_HOST}$`;
const OCTET_NW = '([0-9]|[1-9][0-9]|1[0-9]{2}|2[0-4][0-9]|25[0-5])';
const IPV4_NW = `^(${OCTET_NW}\\.){3}${OCTET_NW}$`;
const MASK_OCTET = '(254|252|248|240|224|192|128|0)';
const IPV4_NETMASK = `^${MASK_OCTET}\\.0\\.0\\.0|255\\.${MASK_OCTET}\\.0\\.0|255\\.255\\.${MASK_OCTET}\\.0|255\\.255\\.255\\.${MASK_OCTET}$`;

const H = '[0-9a-fA-F]{1,4}';
/** The forms of an IPv6 address with `::` compression, shared by every IPv6 pattern. */
const V6_COMPRESSED = [
  `(${H}:){7,7}${H}`, `(${H}:){1,7}:`, `(${H}:){1,6}:${H}`, `(${H}:){1,5}(:${H}){1,2}`, `(${H}:){1,4}(:${H}){1,3}`,
  `(${H}:){1,3}(:${H}){1,4}`, `(${H}:){1,2}(:${H}){1,5}`, `${H}:((:${H}){1,6})`,
].join('|');
const V4_IN_V6 = '((25[0-5]|(2[0-4]|1{0,1}[0-9]){0,1}[0-9])\\.){3,3}(25[0-5]|(2[0-4]|1{0,1}[0-9]){0,1}[0-9])';
const V6_ADDRESS = `${V6_COMPRESSED}|:((:${H}){1,7}|:)|fe80:(:[0-9a-fA-F]{0,4}){0,4}%[0-9a-zA-Z]{1,}|::(ffff(:0{1,4}){0,1}:){0,1}${V4_IN_V6}|(${H}:){1,4}:${V4_IN_V6}`;
const IPV6_GATEWAY = `^(${V6_ADDRESS})$`;
const IPV6_HOST = `^(${V6_ADDRESS})(/[0-9]{1,2})?$`;
const IPV6_NW = `^(${V6_COMPRESSED}|:((:${H}){1,7})|(::))$`;

export const NETWORK_DATA_PATTERNS = { IPV4_HOST, IPV4_NW, IPV4_NETMASK, IPV6_HOST, IPV6_GATEWAY, IPV6_NW };

const str: JSchema = { type: 'string' };
const pattern = (p: string): JSchema => ({ type: 'string', pattern: p });
const dnsService = (host: string): JSchema => ({
  type: 'object', required: ['address', 'type'], properties: { address: ref(host), type: { type: 'string', enum: ['dns'] } },
});
const route = (v: 4 | 6): JSchema => ({
  type: 'object', required: ['gateway', 'netmask', 'network'],
  properties: { network: ref(`l3_ipv${v}_nw`), netmask: ref(`l3_ipv${v}_netmask`), gateway: ref(`l3_ipv${v}_gateway`), services: ref(`ipv${v}_services`) },
});
const network = (v: 4 | 6): JSchema => ({
  type: 'object', required: ['id', 'link', 'network_id', 'type'],
  properties: {
    id: ref('l3_id'), link: ref('l3_link'), network_id: ref('l3_network_id'), type: ref(`l3_ipv${v}_type`),
    ip_address: ref(`l3_ipv${v}_host`), netmask: ref(`l3_ipv${v}_netmask`), routes: { type: 'array', items: ref(`l3_ipv${v}_network_route`) },
  },
});
const l2 = (required: string[], props: Record<string, JSchema>): JSchema => ({ type: 'object', required, properties: props });

export const NETWORK_DATA_DEFINITIONS: Record<string, JSchema> = {
  l2_address: pattern('(?i)^([0-9A-F]{2}[:-]){5}([0-9A-F]{2})$'),
  l2_id: str,
  l2_mtu: { anyOf: [{ type: 'number', minimum: 1, maximum: 65535 }, { type: 'null' }] },
  l2_vif_id: str,
  l2_link: l2(['ethernet_mac_address', 'id', 'type'], {
    id: ref('l2_id'), ethernet_mac_address: ref('l2_address'), mtu: ref('l2_mtu'),
    type: { type: 'string', enum: ['bridge', 'dvs', 'hw_veb', 'hyperv', 'ovs', 'tap', 'vhostuser', 'vif', 'phy'] }, vif_id: ref('l2_vif_id'),
  }),
  l2_bond: l2(['ethernet_mac_address', 'id', 'type', 'bond_mode', 'bond_links'], {
    id: ref('l2_id'), ethernet_mac_address: ref('l2_address'), mtu: ref('l2_mtu'), type: { type: 'string', enum: ['bond'] }, vif_id: ref('l2_vif_id'),
    bond_mode: { type: 'string', enum: ['802.1ad', 'balance-rr', 'active-backup', 'balance-xor', 'broadcast', 'balance-tlb', 'balance-alb'] },
    bond_links: { type: 'array', items: str },
  }),
  l2_vlan: l2(['vlan_mac_address', 'id', 'type', 'vlan_link', 'vlan_id'], {
    id: ref('l2_id'), vlan_mac_address: ref('l2_address'), mtu: ref('l2_mtu'), type: { type: 'string', enum: ['vlan'] }, vif_id: ref('l2_vif_id'),
    vlan_id: { type: 'integer' }, vlan_link: str,
  }),
  l3_id: str,
  l3_link: str,
  l3_network_id: str,
  l3_ipv4_type: { type: 'string', enum: ['ipv4', 'ipv4_dhcp'] },
  l3_ipv6_type: { type: 'string', enum: ['ipv6', 'ipv6_dhcp', 'ipv6_slaac'] },
  l3_ipv4_host: pattern(IPV4_HOST),
  l3_ipv6_host: pattern(IPV6_HOST),
  l3_ipv4_netmask: pattern(IPV4_NETMASK),
  l3_ipv6_netmask: pattern(IPV6_NW),
  l3_ipv4_nw: pattern(IPV4_NW),
  l3_ipv6_nw: pattern(IPV6_NW),
  l3_ipv4_gateway: pattern(IPV4_HOST),
  l3_ipv6_gateway: pattern(IPV6_GATEWAY),
  l3_ipv4_network_route: route(4),
  l3_ipv6_network_route: route(6),
  l3_ipv4_network: network(4),
  l3_ipv6_network: network(6),
  ipv4_service: dnsService('l3_ipv4_host'),
  ipv6_service: dnsService('l3_ipv6_host'),
  ipv4_services: { type: 'array', items: ref('ipv4_service') },
  ipv6_services: { type: 'array', items: ref('ipv6_service') },
  services: { type: 'array', items: { anyOf: [ref('ipv4_service'), ref('ipv6_service')] } },
};

/** The network_data document schema (without its definitions; see withDefinitions). */
export const NETWORK_DATA_SCHEMA: JSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  required: ['links', 'networks', 'services'],
  properties: {
    links: { type: 'array', items: { oneOf: [ref('l2_link'), ref('l2_bond'), ref('l2_vlan')] } },
    networks: { type: 'array', items: { oneOf: [ref('l3_ipv4_network'), ref('l3_ipv6_network')] } },
    services: ref('services'),
  },
  definitions: NETWORK_DATA_DEFINITIONS,
};
