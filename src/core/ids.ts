/** Identifier and value syntax shared by API, conductor and DB. Pure functions. */
import { randomUUID } from 'node:crypto';

const UUID_RE = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

export function newUuid(): string {
  return randomUUID();
}

/** True for a UUID in canonical or dash-less form (Ironic accepts both). */
export function isUuidLike(v: unknown): v is string {
  return typeof v === 'string' && UUID_RE.test(v);
}

/** Canonical lower-case dashed UUID. Caller must check isUuidLike first. */
export function canonicalUuid(v: string): string {
  const h = v.replace(/-/g, '').toLowerCase();
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Ironic's logical name rule (API >= 1.10: RFC 3986 unreserved characters). */
const NAME_RE = /^[A-Za-z0-9\-._~]+$/;
export function isValidLogicalName(v: unknown): v is string {
  return typeof v === 'string' && v.length > 0 && v.length <= 255 && NAME_RE.test(v) && !isUuidLike(v);
}

/**
 * Ironic's node name rule below API 1.10 (`utils.is_hostname_safe`): a lower-case
 * RFC 952/1123 host name; no `~`, no upper case, `_` only in domain labels.
 */
const HOSTNAME_SAFE_RE = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9\-_]{0,62}[a-z0-9])*\.?$/;
export function isHostnameSafe(v: unknown): v is string {
  return typeof v === 'string' && v.length <= 255 && HOSTNAME_SAFE_RE.test(v);
}

const MAC_RE = /^([0-9a-f]{2}[:-]){5}[0-9a-f]{2}$/i;
const MAC_IB_RE = /^([0-9a-f]{2}:){19}[0-9a-f]{2}$/i;
export function isValidMac(v: unknown): v is string {
  return typeof v === 'string' && (MAC_RE.test(v) || MAC_IB_RE.test(v));
}
/** Lower-case, colon-separated MAC. */
export function normalizeMac(v: string): string {
  return v.toLowerCase().replace(/-/g, ':');
}

/** ISO-8601 timestamp the way Ironic renders stored times: 2024-01-01T12:00:00+00:00 (whole seconds). */
export function isoNow(): string {
  return toIronicTime(new Date());
}
export function toIronicTime(d: Date): string {
  return d.toISOString().slice(0, 19) + '+00:00';
}
