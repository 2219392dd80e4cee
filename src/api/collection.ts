/**
 * Collections: limit/marker/sort/fields/detail handling and the `next` link, Ironic style.
 */
import { InvalidError, NotAcceptableError } from '../core/errors.ts';

export interface PageParams {
  limit: number;
  sortKey: string;
  sortDir: 'asc' | 'desc';
}

export function validateLimit(v: string | undefined, maxLimit: number): number {
  if (v === undefined) return maxLimit;
  const n = Number(v);
  if (!/^-?\d+$/.test(v.trim())) throw new InvalidError(`Invalid input for field/attribute limit. Value: '${v}'. Wrong type. Expected 'int', got 'str'`);
  if (n <= 0) throw new InvalidError('Limit must be positive');
  return Math.min(maxLimit, n);
}

export function validateSortDir(v: string | undefined): 'asc' | 'desc' {
  const d = v ?? 'asc';
  if (d !== 'asc' && d !== 'desc') throw new InvalidError(`Invalid sort direction: ${d}. Acceptable values are 'asc' or 'desc'`);
  return d;
}

/**
 * Check a sort key: must be a known column (or `id`), not a JSON blob, and (for nodes)
 * not newer than the request version.
 */
export function validateSortKey(key: string | undefined, sortable: readonly string[], invalid: readonly string[] = [], newerThanRequest: (k: string) => boolean = () => false): string {
  const k = key ?? 'id';
  if (invalid.includes(k)) throw new InvalidError(`The sort_key value ${k} is an invalid field for sorting`);
  if (newerThanRequest(k)) throw new NotAcceptableError(`The sort_key value ${k} is not supported by this API version.`);
  if (k !== 'id' && !sortable.includes(k)) throw new InvalidError(`The sort_key value ${k} is an invalid field for sorting`);
  return k;
}

/** Python-style rendering of a query value in the next link (True/False for booleans). */
function pyValue(v: unknown): string {
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (v === null || v === undefined) return 'None';
  return String(v);
}

/**
 * The `next` URL: only when the page is full. `params` are emitted in the given order,
 * followed by limit and marker.
 */
export function nextLink(base: string, path: string, items: unknown[], limit: number, marker: string | undefined, params: [string, unknown][]): string | undefined {
  if (!items.length || items.length !== limit || marker === undefined) return undefined;
  const q = params.map(([k, v]) => `${k}=${pyValue(v)}&`).join('');
  return `${base}/v1/${path}?${q}limit=${limit}&marker=${marker}`;
}

/** Split and lower-case `fields=a,b`. */
export function parseFields(v: string | undefined): string[] | undefined {
  if (v === undefined) return undefined;
  return v.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
}

/** Keep only `fields` (plus links) of an object. */
export function pick<T extends Record<string, unknown>>(obj: T, fields: readonly string[] | undefined): Record<string, unknown> {
  if (!fields) return obj;
  const out: Record<string, unknown> = {};
  for (const f of fields) if (f in obj) out[f] = obj[f];
  if ('links' in obj) out.links = obj.links;
  return out;
}
