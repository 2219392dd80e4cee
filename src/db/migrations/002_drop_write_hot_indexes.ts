/**
 * Drops two indexes that cost on every write and serve no query:
 * - `nodes_reservation_idx`: the lock column changes twice per task (take, release),
 *   and every lock statement finds its row by primary key; only the start-up release of
 *   stale locks searches by reservation, once.
 * - `nodes_conductor_group_idx`: the list filter compares lower(conductor_group), which
 *   this index cannot serve.
 * `nodes_provision_state_idx` stays: operators and Metal3 list nodes by state.
 */
import type { Kysely } from 'kysely';
import type { Dialect } from './001_initial.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>, dialect: Dialect): Promise<void> {
  for (const name of ['nodes_reservation_idx', 'nodes_conductor_group_idx']) {
    // MySQL names the table of an index; the others know it from the name.
    const q = db.schema.dropIndex(name).ifExists();
    await (dialect === 'mysql' ? q.on('nodes') : q).execute();
  }
}
