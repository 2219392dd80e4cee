/**
 * Recognise a unique-constraint violation from any of the three dialects and name the
 * column, so repositories can raise Ironic's 409 texts instead of leaking driver errors.
 *
 * SQLite: "UNIQUE constraint failed: allocations.name"; PostgreSQL: duplicate key value
 * violates unique constraint "allocations_name_key"; MySQL/MariaDB: Duplicate entry 'x'
 * for key 'allocations.name' (or 'name').
 */
export function uniqueColumn(err: unknown, table: string): string | null {
  const m = String((err as { message?: unknown })?.message ?? '');
  if (!/UNIQUE constraint|duplicate key|Duplicate entry/i.test(m)) return null;
  const re = [
    new RegExp(`${table}\\.(\\w+)`),
    new RegExp(`"${table}_(\\w+?)_(?:key|unique|idx|uq)"`),
    /for key '(?:\w+\.)?(\w+)'/,
  ];
  for (const r of re) {
    const hit = r.exec(m);
    if (hit) return hit[1]!;
  }
  return 'unknown';
}
