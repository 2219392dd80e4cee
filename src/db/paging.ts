/**
 * Keyset paging shared by the small repositories (allocations, deploy templates,
 * conductors): order by (sort key, id), continue after a marker row. Same rules as
 * NodeRepo.list: NULL sort values count as lowest.
 */
import { sql, type SelectQueryBuilder } from 'kysely';

export interface PageOptions {
  limit: number;
  sortKey: string;
  sortDir: 'asc' | 'desc';
  /** The last row of the previous page: its id and its value of `sortKey`. */
  marker?: { id: number; sortValue: unknown } | undefined;
}

/** Apply marker, ordering and limit to `q`. `sortKey` must be a column of the table (checked by the caller). */
export function page<DB, TB extends keyof DB, O>(q: SelectQueryBuilder<DB, TB, O>, opts: PageOptions): SelectQueryBuilder<DB, TB, O> {
  const key = sql.ref(opts.sortKey);
  const id = sql.ref('id');
  const asc = opts.sortDir === 'asc';
  const cmp = sql.raw(asc ? '>' : '<');
  if (opts.marker) {
    const { id: mid, sortValue } = opts.marker;
    if (opts.sortKey === 'id') q = q.where(sql<boolean>`${id} ${cmp} ${mid}`);
    else if (sortValue === null || sortValue === undefined) {
      q = asc
        ? q.where(sql<boolean>`((${key} IS NULL AND ${id} > ${mid}) OR ${key} IS NOT NULL)`)
        : q.where(sql<boolean>`(${key} IS NULL AND ${id} < ${mid})`);
    } else {
      q = asc
        ? q.where(sql<boolean>`(${key} > ${sortValue} OR (${key} = ${sortValue} AND ${id} > ${mid}))`)
        : q.where(sql<boolean>`(${key} < ${sortValue} OR (${key} = ${sortValue} AND ${id} < ${mid}) OR ${key} IS NULL)`);
    }
  }
  const dir = sql.raw(asc ? 'asc' : 'desc');
  q = q.orderBy(sql`${key} ${dir}`);
  if (opts.sortKey !== 'id') q = q.orderBy(sql`${id} ${dir}`);
  if (opts.limit > 0) q = q.limit(opts.limit);
  return q;
}
