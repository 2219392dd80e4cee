/**
 * Transactions retried on deadlock, as oslo.db's `retry_on_deadlock` does for Ironic.
 *
 * InnoDB (MariaDB) takes gap locks in its default REPEATABLE READ isolation: two
 * transactions that delete a node's rows and insert new ones (BIOS settings, traits) for
 * two different nodes lock the same gap of the `node_id` index, and the second insert is
 * a deadlock. The server rolls back one of them and says so (ER_LOCK_DEADLOCK, 1213);
 * PostgreSQL does the same with SQLSTATE 40P01 (and 40001 for a serialization failure).
 * The victim did nothing, so running it again is safe: the bodies passed here are database
 * statements only, with no other side effects.
 */
import type { Kysely, Transaction } from 'kysely';
import type { Database } from './schema.ts';

/** Attempts in all before the deadlock error reaches the caller. */
const ATTEMPTS = 6;

/** Whether the database rolled the transaction back to break a deadlock (or a serialization conflict). */
export function isDeadlock(err: unknown): boolean {
  const e = err as { errno?: unknown; code?: unknown } | null;
  if (!e || typeof e !== 'object') return false;
  return e.errno === 1213 || e.code === 'ER_LOCK_DEADLOCK' || e.code === '40P01' || e.code === '40001';
}

/** Run `fn` in a transaction; again, after a short random pause, when the database chose it as a deadlock victim. */
export async function inTransaction<T>(db: Kysely<Database>, fn: (tx: Transaction<Database>) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction().execute(fn);
    } catch (err) {
      if (!isDeadlock(err) || attempt >= ATTEMPTS) throw err;
      // Jittered, growing pause so that the two sides do not collide again at once.
      await new Promise((r) => setTimeout(r, Math.random() * 10 * 2 ** attempt));
    }
  }
}
