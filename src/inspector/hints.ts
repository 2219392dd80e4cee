/**
 * Root device hints (ironic-lib's match_root_device_hints, as ironic-inspector's
 * root_disk_selection hook uses them): the first disk of the inventory matching every hint.
 *
 * - size (GiB, compared with the disk's size // GiB): an integer, or "<op> N" with op one of
 *   ==, !=, >=, <=, >, <; "<in> a b" compares with any of the listed sizes.
 * - rotational: a boolean (or "true"/"false"/"1"/"0").
 * - strings (model, vendor, serial, wwn, wwn_with_extension, wwn_vendor_extension, name,
 *   hctl, by_path): equal ignoring case, or "s== x", "s!= x", "<in> x" (substring),
 *   "<or> a <or> b"; a `name` without `/dev/` gets it prefixed.
 * Unknown hint names or values of the wrong type throw (inspector's "failed to validate").
 */
const GiB = 1024 ** 3;
const STRING_HINTS = new Set(['model', 'vendor', 'serial', 'wwn', 'wwn_with_extension', 'wwn_vendor_extension', 'name', 'hctl', 'by_path']);
const NUM_OPS: Record<string, (a: number, b: number) => boolean> = {
  '==': (a, b) => a === b, '!=': (a, b) => a !== b, '>=': (a, b) => a >= b, '<=': (a, b) => a <= b, '>': (a, b) => a > b, '<': (a, b) => a < b,
};

export type Disk = Record<string, unknown> & { name?: string; size?: number };

function sizeMatches(hint: unknown, disk: Disk): boolean {
  const gib = Math.floor(Number(disk.size ?? 0) / GiB);
  if (typeof hint === 'number' && Number.isInteger(hint)) return gib === hint;
  const s = String(hint).trim();
  if (/^\d+$/.test(s)) return gib === Number(s);
  const inList = /^<in>\s+(.+)$/.exec(s);
  if (inList) return inList[1]!.split(/\s+/).map(Number).includes(gib);
  const m = /^(==|!=|>=|<=|>|<)\s*(\d+)$/.exec(s);
  if (!m) throw new TypeError(`Root device hint "size" is not an integer value. Current value: ${s}`);
  return NUM_OPS[m[1]!]!(gib, Number(m[2]));
}

function normName(v: string): string { return v.startsWith('/dev/') ? v : `/dev/${v}`; }

function stringMatches(name: string, hint: unknown, value: unknown): boolean {
  if (value === null || value === undefined) return false;
  let h = String(hint).trim();
  const v = String(value).toLowerCase();
  const norm = (x: string): string => (name === 'name' ? normName(x) : x).toLowerCase();
  if (h.startsWith('<or>')) return h.split('<or>').map((x) => x.trim()).filter(Boolean).some((x) => norm(x) === v);
  if (h.startsWith('<in>')) return v.includes(h.slice(4).trim().toLowerCase());
  if (h.startsWith('s!=')) return norm(h.slice(3).trim()) !== v;
  if (h.startsWith('s==')) h = h.slice(3).trim();
  return norm(h) === v;
}

function boolOf(v: unknown): boolean {
  if (typeof v === 'boolean') return v;
  const s = String(v).toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(s)) return true;
  if (['false', '0', 'no', 'off'].includes(s)) return false;
  throw new TypeError(`Root device hint "rotational" is not a Boolean value. Current value: ${String(v)}`);
}

/** Throws TypeError for hints that do not validate. */
export function validateHints(hints: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(hints)) {
    if (k === 'size') sizeMatches(v, { size: 0 });
    else if (k === 'rotational') boolOf(v);
    else if (!STRING_HINTS.has(k)) throw new TypeError(`No such root device hint named "${k}".`);
  }
}

/** The first disk matching every hint, or undefined. */
export function matchRootDevice(disks: readonly Disk[], hints: Record<string, unknown>): Disk | undefined {
  validateHints(hints);
  return disks.find((d) => Object.entries(hints).every(([k, h]) => {
    if (k === 'size') return sizeMatches(h, d);
    if (k === 'rotational') return d.rotational !== undefined && d.rotational !== null && Boolean(d.rotational) === boolOf(h);
    return stringMatches(k, h, d[k]);
  }));
}

/** IPA's guess when no hints and no root_disk came: the smallest disk of at least 4 GiB. */
export function guessRootDisk(disks: readonly Disk[]): Disk | undefined {
  return [...disks].filter((d) => Number(d.size ?? 0) >= 4 * GiB).sort((a, b) => Number(a.size) - Number(b.size))[0];
}
