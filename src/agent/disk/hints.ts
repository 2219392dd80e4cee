/**
 * Root device hints (agent-reference §7), matched as ironic-lib + oslo.utils
 * specs_matcher do: every hint must match; strings are lower-cased and URL-quoted on
 * both sides; no operator means `s==` (strings) or `==` (size, in GiB); `rotational`
 * is a boolean. Without hints the smallest disk of at least 4 GiB is chosen.
 */
import { deviceNotFound, invalidParams } from '../errors.ts';
import type { Disk } from '../hardware/types.ts';

type HintType = 'int' | 'str' | 'bool';
export const HINT_TYPES: Readonly<Record<string, HintType>> = {
  size: 'int', model: 'str', wwn: 'str', serial: 'str', vendor: 'str', wwn_with_extension: 'str',
  wwn_vendor_extension: 'str', name: 'str', rotational: 'bool', hctl: 'str', by_path: 'str',
};

const UNARY = ['==', '=', '!=', '<in>', '>=', '<=', '>', '<', 's==', 's!=', 's<=', 's<', 's>=', 's>'];
const MIN_DISK_BYTES = 4 * 1024 ** 3;

interface Expr { op: string; values: string[] }

/** Operator and values of an expression (`"<or> a <or> b"` → `<or>`, [a, b]). */
export function parseExpression(expression: string): Expr {
  const expr = expression.trim().toLowerCase();
  const tokens = expr.split(/\s+/);
  const first = tokens[0] ?? '';
  if (first === '<or>' && tokens.length >= 2) {
    const values = expr.split('<or>').map((v) => v.trim()).filter(Boolean);
    return { op: '<or>', values };
  }
  if (first === '<all-in>' && tokens.length >= 2) return { op: '<all-in>', values: tokens.slice(1) };
  if (UNARY.includes(first) && tokens.length >= 2) return { op: first, values: [expr.slice(first.length).trim()] };
  return { op: '', values: [expr] };
}

/** Python's urllib.parse.quote with safe='/'. */
function quote(s: string): string {
  return encodeURIComponent(s).replace(/%2F/g, '/').replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

const TRUE = ['1', 't', 'true', 'on', 'y', 'yes'];
const FALSE = ['0', 'f', 'false', 'off', 'n', 'no'];
function toBool(v: unknown): boolean | null {
  if (typeof v === 'boolean') return v;
  const s = String(v).trim().toLowerCase();
  return TRUE.includes(s) ? true : FALSE.includes(s) ? false : null;
}

export interface ParsedHint { name: string; type: HintType; op: string; values: string[]; bool?: boolean }

/** Validates hints as ironic-lib's parse_root_device_hints; a bad hint is a 400 command error. */
export function parseHints(hints: Record<string, unknown>): ParsedHint[] {
  const invalid = Object.keys(hints).filter((k) => !(k in HINT_TYPES));
  if (invalid.length) {
    throw invalidParams(`The hints "${invalid.join(', ')}" are invalid. Valid hints are: "${Object.keys(HINT_TYPES).join(', ')}"`);
  }
  const out: ParsedHint[] = [];
  for (const [name, value] of Object.entries(hints)) {
    const type = HINT_TYPES[name]!;
    if (type === 'bool') {
      const b = toBool(value);
      if (b === null) throw invalidParams(`Root device hint "${name}" is not a Boolean value. Current value: ${String(value)}`);
      out.push({ name, type, op: '', values: [], bool: b });
      continue;
    }
    if (type === 'str' && typeof value !== 'string') {
      throw invalidParams(`Root device hint "${name}" is not a string value. Hint expression: ${JSON.stringify(value)}`);
    }
    const text = String(value);
    if (!text.trim()) throw invalidParams(`Root device hint "${name}" expression is empty`);
    const e = parseExpression(text);
    if (type === 'int') {
      for (const v of e.values) {
        if (!/^[+-]?\d+$/.test(v)) throw invalidParams(`Root device hint "${name}" is not an integer value. Current value: ${text}`);
        if (Number(v) <= 0) throw invalidParams(`Root device hint "${name}" should be a positive integer. Current value: ${text}`);
      }
      out.push({ name, type, op: e.op || '==', values: e.values });
    } else {
      out.push({ name, type, op: e.op || 's==', values: e.values.map(quote) });
    }
  }
  return out;
}

function compare(op: string, device: string | number, values: string[]): boolean {
  const num = (x: string | number) => Number(x);
  const v = values[0] ?? '';
  switch (op) {
    case '=': case '>=': return num(device) >= num(v);
    case '==': return num(device) === num(v);
    case '!=': return num(device) !== num(v);
    case '<=': return num(device) <= num(v);
    case '<': return num(device) < num(v);
    case '>': return num(device) > num(v);
    case 's==': return String(device) === v;
    case 's!=': return String(device) !== v;
    case 's<': return String(device) < v;
    case 's<=': return String(device) <= v;
    case 's>': return String(device) > v;
    case 's>=': return String(device) >= v;
    case '<in>': return String(device).includes(v);
    case '<all-in>': return values.every((x) => String(device).includes(x));
    case '<or>': return values.some((x) => (typeof device === 'number' ? device === Number(x) : device === x));
    default: return false;
  }
}

function matches(disk: Disk, hint: ParsedHint): boolean {
  const raw = (disk as unknown as Record<string, unknown>)[hint.name];
  if (hint.type === 'bool') return toBool(raw) === hint.bool;
  if (hint.type === 'int') return compare(hint.op, Number(raw) / 1024 ** 3, hint.values);
  const text = String(raw ?? 'None').trim().toLowerCase();
  if (!text) return false;
  // Device values are normalised like hint values: the parts are quoted, the operator kept.
  const dev = parseExpression(text);
  const normalised = dev.op ? dev.op + dev.values.map((x) => ` ${quote(x)} `).join(dev.op).trimEnd() : quote(dev.values[0]!);
  return compare(hint.op, normalised, hint.values);
}

/** The disks matching every hint, in their listed order. */
export function findDisksByHints(disks: Disk[], hints: Record<string, unknown>): Disk[] {
  const parsed = parseHints(hints);
  return disks.filter((d) => parsed.every((h) => matches(d, h)));
}

/**
 * The install device as IPA's get_os_install_device: the first disk matching the hints
 * (`instance_info.root_device`, else `properties.root_device`), else the smallest disk of
 * at least 4 GiB. Throws DeviceNotFound with what to change.
 */
export function chooseRootDisk(disks: Disk[], hints: Record<string, unknown> | null | undefined): Disk {
  if (hints && Object.keys(hints).length) {
    const found = findDisksByHints(disks, hints)[0];
    if (!found) {
      throw deviceNotFound(`No suitable device was found for deployment using these hints ${JSON.stringify(hints)}; ` +
        `disks: ${disks.map((d) => `${d.name} (${d.size} bytes, model ${d.model}, serial ${d.serial})`).join(', ') || 'none'}. ` +
        'Fix the node\'s root_device hints.');
    }
    return found;
  }
  const sorted = [...disks].sort((a, b) => a.size - b.size || a.name.localeCompare(b.name));
  const found = sorted.find((d) => d.size >= MIN_DISK_BYTES);
  if (!found) {
    throw deviceNotFound('No suitable device was found for deployment - root device hints were not provided ' +
      `and all found block devices are smaller than ${MIN_DISK_BYTES}B.`);
  }
  return found;
}

/** The hints Ironic gives the agent: instance_info.root_device wins over properties.root_device. */
export function hintsFromNode(node: Record<string, unknown> | null | undefined): Record<string, unknown> | null {
  const ii = (node?.instance_info ?? {}) as Record<string, unknown>;
  const props = (node?.properties ?? {}) as Record<string, unknown>;
  const h = (ii.root_device ?? props.root_device) as unknown;
  return h && typeof h === 'object' ? (h as Record<string, unknown>) : null;
}
