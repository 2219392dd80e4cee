/**
 * LLDP TLVs as IPA reports them (`lldp: [[type, "hex"], …]` per interface): the basic
 * fields ironic-inspector's lldp_basic hook stores as `lldp_processed` and the
 * local_link_connection hook puts on ports (switch_id = chassis MAC, port_id).
 * Covered: chassis ID (1), port ID (2), port description (4), system name (5), system
 * description (6). Organisational TLVs (VLANs, link aggregation, MTU) are not parsed.
 */
type Obj = Record<string, unknown>;

function mac(b: Buffer): string { return [...b].map((x) => x.toString(16).padStart(2, '0')).join(':'); }

function ipOf(b: Buffer): string | undefined {
  // Network address subtype: 1 byte IANA family (1 = IPv4, 2 = IPv6), then the address.
  if (b[0] === 1 && b.length === 5) return [...b.subarray(1)].join('.');
  if (b[0] === 2 && b.length === 17) return b.subarray(1).toString('hex').replace(/(.{4})(?!$)/g, '$1:');
  return undefined;
}

interface Id { subtype: number; value: string }

/** Chassis/port ID: subtype 4 (chassis) / 3 (port) is a MAC, 5/4 a network address, else text. */
function idOf(b: Buffer, macSubtype: number, netSubtype: number): Id | undefined {
  if (b.length < 2) return undefined;
  const subtype = b[0]!;
  const v = b.subarray(1);
  if (subtype === macSubtype) return v.length === 6 ? { subtype, value: mac(v) } : undefined;
  if (subtype === netSubtype) { const ip = ipOf(v); return ip ? { subtype, value: ip } : undefined; }
  return { subtype, value: v.toString('utf8') };
}

function tlvs(raw: readonly unknown[]): [number, Buffer][] {
  const out: [number, Buffer][] = [];
  for (const t of raw) {
    if (!Array.isArray(t) || t.length !== 2 || typeof t[1] !== 'string' || !/^([0-9a-f]{2})*$/i.test(t[1])) continue;
    out.push([Number(t[0]), Buffer.from(t[1], 'hex')]);
  }
  return out;
}

/** lldp_basic: the processed fields of one interface. */
export function parseLldp(raw: readonly unknown[]): Obj {
  const out: Obj = {};
  for (const [type, b] of tlvs(raw)) {
    if (type === 1) { const id = idOf(b, 4, 5); if (id) out.switch_chassis_id = id.value; }
    else if (type === 2) { const id = idOf(b, 3, 4); if (id) out.switch_port_id = id.value; }
    else if (type === 4) out.switch_port_description = b.toString('utf8');
    else if (type === 5) out.switch_system_name = b.toString('utf8');
    else if (type === 6) out.switch_system_description = b.toString('utf8');
  }
  return out;
}

/**
 * local_link_connection: from lldp_processed when present (switch_id only if it is a MAC),
 * else from the raw TLVs (chassis ID only with the MAC subtype).
 */
export function lldpLocalLink(raw: readonly unknown[], processed: Obj | undefined): Obj {
  const out: Obj = {};
  const isMac = (v: unknown): boolean => typeof v === 'string' && /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/i.test(v);
  if (processed) {
    if (processed.switch_chassis_id && isMac(processed.switch_chassis_id)) out.switch_id = processed.switch_chassis_id;
    if (processed.switch_port_id) out.port_id = processed.switch_port_id;
    if (Object.keys(out).length) return out;
  }
  for (const [type, b] of tlvs(raw)) {
    if (type === 2) { const id = idOf(b, 3, 4); if (id) out.port_id = id.value; }
    else if (type === 1) { const id = idOf(b, 4, 5); if (id && id.subtype === 4) out.switch_id = id.value; }
  }
  return out;
}
