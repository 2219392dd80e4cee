/**
 * Request values no database can take, refused with a 400 before any handler runs:
 *
 * - the NUL character (U+0000) in any string of the JSON body (keys too) or of the query.
 *   PostgreSQL's TEXT cannot hold it (21.4 on PostgreSQL fails with a 500; on SQLite it
 *   stores it); Ingot refuses it on every database alike. Path segments are checked by
 *   their routes' identifier rules, which never allow it.
 * - JSON nested deeper than MAX_JSON_DEPTH: 21.4 answers a 500 from about 880 levels (Python's
 *   recursion limit); Ingot refuses anything deeper than a document of Ironic's ever needs,
 *   before recursive code (rendering, validation, repr) sees it.
 *
 * The walk is iterative, so depth cannot overflow the stack here.
 */
import { InvalidError } from '../core/errors.ts';

export const MAX_JSON_DEPTH = 256;

const NUL = '\u0000';

interface Item { v: unknown; depth: number; key?: string | number; parent?: Item }

/** JSON pointer of an item (built only for the error message). */
function pointer(item: Item | undefined): string {
  const parts: string[] = [];
  for (let it = item; it && it.key !== undefined; it = it.parent) {
    parts.unshift(String(it.key).replace(/~/g, '~0').replace(/\//g, '~1').replace(/\u0000/g, '\\u0000'));
  }
  return '/' + parts.join('/');
}

/** Throw the 400 for a body that is too deep or carries a NUL character. */
export function guardBody(body: unknown): void {
  const stack: Item[] = [{ v: body, depth: 0 }];
  while (stack.length) {
    const item = stack.pop()!;
    const v = item.v;
    if (typeof v === 'string') {
      if (v.includes(NUL)) throw nulError(`the request body at ${pointer(item)}`);
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    if (item.depth >= MAX_JSON_DEPTH) {
      throw new InvalidError(`Invalid request body: JSON nested deeper than ${MAX_JSON_DEPTH} levels.`);
    }
    const depth = item.depth + 1;
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ v: v[i], depth, key: i, parent: item });
    } else {
      const entries = Object.entries(v as Record<string, unknown>);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [k, x] = entries[i]!;
        if (k.includes(NUL)) throw nulError(`a key of the request body at ${pointer(item)}`);
        stack.push({ v: x, depth, key: k, parent: item });
      }
    }
  }
}

/** Throw the 400 for a query string value or name with a NUL character. */
export function guardQuery(query: unknown): void {
  if (!query || typeof query !== 'object') return;
  for (const [k, v] of Object.entries(query as Record<string, unknown>)) {
    const values = Array.isArray(v) ? v : [v];
    if (k.includes(NUL) || values.some((x) => typeof x === 'string' && x.includes(NUL))) {
      throw nulError(`the query parameter ${k.replace(/\u0000/g, '\\u0000')}`);
    }
  }
}

function nulError(where: string): InvalidError {
  return new InvalidError(`Invalid value in ${where}: strings may not contain the NUL character (\\u0000).`);
}
