/** Address helpers for the inspector (CIDR membership, MAC syntax). */
import { BlockList, isIP } from 'node:net';

/** Is `ip` inside `cidr` ("10.0.0.0/24", "fd00::/64")? False for anything malformed. */
export function inNet(ip: unknown, cidr: string): boolean {
  if (typeof ip !== 'string') return false;
  const bare = ip.split('%')[0]!;
  const [net, len] = cidr.split('/');
  const fam = isIP(net ?? '');
  if (!fam || isIP(bare) !== fam) return false;
  const prefix = len === undefined ? (fam === 4 ? 32 : 128) : Number(len);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > (fam === 4 ? 32 : 128)) return false;
  const b = new BlockList();
  b.addSubnet(net!, prefix, fam === 4 ? 'ipv4' : 'ipv6');
  return b.check(bare, fam === 4 ? 'ipv4' : 'ipv6');
}

export function isValidCidr(cidr: string): boolean {
  const [net, len] = cidr.split('/');
  const fam = isIP(net ?? '');
  if (!fam) return false;
  if (len === undefined) return true;
  const n = Number(len);
  return Number.isInteger(n) && n >= 0 && n <= (fam === 4 ? 32 : 128);
}

export function isLoopback(ip: string): boolean {
  return inNet(ip, '127.0.0.0/8') || ip === '::1';
}

export function isValidMac(mac: unknown): mac is string {
  return typeof mac === 'string' && /^([0-9a-f]{2}[:-]){5}[0-9a-f]{2}$/i.test(mac);
}
