/**
 * The collection plumbing of the ports, portgroups and chassis lists, as Ironic 21.4's
 * `_get_*_collection` does it: the query's paging arguments, the page (limit, sort
 * direction, marker row, refused sort keys), the repository's page options and the rendered
 * collection with its `next` link. The steps are separate because each resource puts its own
 * checks between them (filters, `fields` and version gates, parent lookups); a route module
 * calls them in its resource's order and keeps only what is its own.
 */
import type { FastifyRequest } from 'fastify';
import { InvalidError, NotFoundError } from '../core/errors.ts';
import type { PageOptions } from '../db/paging.ts';
import { nextLink } from './collection.ts';
import { queryArgs, stringArg, intArg, uuidArg, stringListArg, limitOf, sortDirOf, checkFieldNames, type Args } from './resource-args.ts';

/** What the shared steps know of a resource. */
export interface CollectionSpec {
  /** The collection's key in the body and its path below /v1 (`ports`). */
  key: string;
  /** The name in "<Resource> <marker> could not be found." (`Port`). */
  resource: string;
  /** Columns the repository can sort by. */
  sortColumns: readonly string[];
  /** Sort keys Ironic refuses outright (JSON columns). */
  invalidSortKeys: readonly string[];
  /** Ironic columns Ingot does not have; sorting by them equals sorting by id. */
  idLikeColumns: readonly string[];
}

/** The paging arguments of a list query. `fields` is as given (before the defaults). */
export interface PagingArgs {
  marker: string | undefined;
  /** The raw `limit` (already checked to be an integer). */
  limit: unknown;
  sortKey: string;
  sortDir: string | undefined;
  fields: string[] | undefined;
}

/** A list request's page: checked limit and direction, the marker's row. */
export interface Page<T> {
  limit: number;
  sortKey: string;
  sortDir: 'asc' | 'desc';
  markerRow: T | undefined;
}

/** How the collection is rendered: its URL base, which path, and the final `detail`/`fields`. */
export interface CollectionView {
  base: string;
  detailPath: boolean;
  detail: boolean | undefined;
  fields: string[] | undefined;
}

/** The query of a list: the resource's filters plus paging; `fields` and `detail` only off `/detail`. */
export function listQuery(req: FastifyRequest, detailPath: boolean, filters: readonly string[]): Args {
  const names = [...filters, 'marker', 'limit', 'sort_key', 'sort_dir'];
  return queryArgs(req, detailPath ? names : [...names, 'fields', 'detail']);
}

/** Parse marker, limit, sort_key, sort_dir and fields, in this order (the first bad one answers). */
export function pagingArgs(q: Args): PagingArgs {
  const marker = uuidArg('marker', q.marker);
  intArg('limit', q.limit);
  const sortKey = stringArg('sort_key', q.sort_key) ?? 'id';
  const sortDir = stringArg('sort_dir', q.sort_dir);
  const fields = stringListArg('fields', q.fields);
  return { marker, limit: q.limit, sortKey, sortDir, fields };
}

/**
 * Validate limit and sort direction, look up the marker (404 "<Resource> <uuid> could not
 * be found."), then refuse the resource's invalid sort keys: Ironic's order.
 */
export async function openPage<T>(spec: CollectionSpec, args: PagingArgs, maxLimit: number, find: (uuid: string) => Promise<T | undefined>): Promise<Page<T>> {
  const limit = limitOf(args.limit, maxLimit);
  const sortDir = sortDirOf(args.sortDir);
  let markerRow: T | undefined;
  if (args.marker !== undefined) {
    markerRow = await find(args.marker);
    if (!markerRow) throw new NotFoundError(`${spec.resource} ${args.marker} could not be found.`);
  }
  if (spec.invalidSortKeys.includes(args.sortKey)) throw new InvalidError(`The sort_key value ${args.sortKey} is an invalid field for sorting`);
  return { limit, sortKey: args.sortKey, sortDir, markerRow };
}

/** The repository's page options; a sort key that is no column → 400 (the quoted message). */
export function pageOptions<T extends { id: number }>(spec: CollectionSpec, page: Page<T>): PageOptions {
  const column = spec.idLikeColumns.includes(page.sortKey) ? 'id' : page.sortKey;
  if (!spec.sortColumns.includes(column)) throw new InvalidError(`The sort_key value "${page.sortKey}" is an invalid field for sorting`);
  const { markerRow } = page;
  const marker = markerRow ? { id: markerRow.id, sortValue: (markerRow as unknown as Record<string, unknown>)[column] } : undefined;
  return { limit: page.limit, sortKey: column, sortDir: page.sortDir, marker };
}

/**
 * `{<key>: [...], next?}`: every dict checked for the requested `fields`, the `next` link
 * (sort_key, sort_dir, detail, fields; marker = last row) when the page is full, then each
 * dict reduced by `sanitize`.
 */
export function renderCollection(
  spec: CollectionSpec, page: Page<unknown>, view: CollectionView, rows: readonly { uuid: string }[],
  dicts: Record<string, unknown>[], sanitize: (d: Record<string, unknown>) => Record<string, unknown>,
): Record<string, unknown> {
  const { fields, detail } = view;
  for (const d of dicts) checkFieldNames(fields, d);
  const params: [string, unknown][] = [['sort_key', page.sortKey], ['sort_dir', page.sortDir]];
  if (detail !== undefined) params.push(['detail', detail]);
  if (fields?.length) params.push(['fields', fields.join(',')]);
  const next = nextLink(view.base, view.detailPath ? `${spec.key}/detail` : spec.key, dicts, page.limit, rows.at(-1)?.uuid, params);
  const items = dicts.map(sanitize);
  return next ? { [spec.key]: items, next } : { [spec.key]: items };
}
