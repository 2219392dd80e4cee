/**
 * CPython's `pprint.pformat(obj, width=W)` (indent 1, sorted dict keys, not compact) for
 * JSON values, so texts that Ironic builds from pretty-printed Python objects (jsonschema's
 * `str(ValidationError)`) come out byte for byte.
 *
 * Limits: JSON numbers are printed as JavaScript prints them (Python would print `1.0` for
 * a float that JSON wrote as `1.0`); strings are printed with Python's repr quoting.
 */

/** Python repr() of a str. */
function strRepr(v: string): string {
  const quote = v.includes("'") && !v.includes('"') ? '"' : "'";
  let s = v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t');
  if (quote === "'") s = s.replace(/'/g, "\\'");
  return quote + s + quote;
}

const isDict = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const sortedKeys = (d: Record<string, unknown>) => Object.keys(d).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

/** pprint's one-line repr (dicts with sorted keys). */
export function pyRepr1(v: unknown): string {
  if (typeof v === 'string') return strRepr(v);
  if (v === null || v === undefined) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (Array.isArray(v)) return `[${v.map(pyRepr1).join(', ')}]`;
  if (isDict(v)) return `{${sortedKeys(v).map((k) => `${strRepr(k)}: ${pyRepr1(v[k])}`).join(', ')}}`;
  return String(v);
}

class Printer {
  out = '';
  constructor(private readonly width: number) {}

  format(v: unknown, indent: number, allowance: number, level: number): void {
    const rep = pyRepr1(v);
    if (rep.length > this.width - indent - allowance) {
      if (isDict(v) && Object.keys(v).length) return this.dict(v, indent, allowance, level + 1);
      if (Array.isArray(v) && v.length) return this.list(v, indent, allowance, level + 1);
      if (typeof v === 'string' && v.length) return this.str(v, indent, allowance, level + 1);
    }
    this.out += rep;
  }

  private dict(d: Record<string, unknown>, indent: number, allowance: number, level: number): void {
    this.out += '{';
    const keys = sortedKeys(d);
    const inner = indent + 1;
    keys.forEach((k, i) => {
      const last = i === keys.length - 1;
      const rep = strRepr(k);
      this.out += `${rep}: `;
      this.format(d[k], inner + rep.length + 2, last ? allowance + 1 : 1, level);
      if (!last) this.out += `,\n${' '.repeat(inner)}`;
    });
    this.out += '}';
  }

  private list(items: unknown[], indent: number, allowance: number, level: number): void {
    this.out += '[';
    const inner = indent + 1;
    items.forEach((x, i) => {
      const last = i === items.length - 1;
      if (i > 0) this.out += `,\n${' '.repeat(inner)}`;
      this.format(x, inner, last ? allowance + 1 : 1, level);
    });
    this.out += ']';
  }

  /** Long strings are split at whitespace into adjacent literals (in parentheses at top level). */
  private str(v: string, indent: number, allowance: number, level: number): void {
    const lines = v.match(/[^\n]*\n|[^\n]+$/g) ?? [v];
    let ind = indent;
    let allow = allowance;
    if (level === 1) { ind += 1; allow += 1; }
    const maxWidth = this.width - ind;
    const chunks: string[] = [];
    lines.forEach((line, i) => {
      const lastLine = i === lines.length - 1;
      const rep = strRepr(line);
      if (rep.length <= (lastLine ? maxWidth - allow : maxWidth)) { chunks.push(rep); return; }
      const parts = line.match(/\S*\s*/g)!.filter((p, j, all) => j < all.length - 1 || p !== '');
      let current = '';
      parts.forEach((part, j) => {
        const candidate = current + part;
        const limit = j === parts.length - 1 && lastLine ? maxWidth - allow : maxWidth;
        if (strRepr(candidate).length > limit) {
          if (current) chunks.push(strRepr(current));
          current = part;
        } else {
          current = candidate;
        }
      });
      if (current) chunks.push(strRepr(current));
    });
    if (chunks.length === 1) { this.out += strRepr(v); return; }
    if (level === 1) this.out += '(';
    this.out += chunks.join(`\n${' '.repeat(ind)}`);
    if (level === 1) this.out += ')';
  }
}

/** `pprint.pformat(v, width=width)`. */
export function pformat(v: unknown, width = 80): string {
  const p = new Printer(width);
  p.format(v, 0, 0, 0);
  return p.out;
}
