/**
 * `conductors.rpc_address`: where a conductor's JSON-RPC listener is reached
 * (`http(s)://host:port`), registered by `ingot conductor` so that API processes can call
 * the conductor that owns a node. Null for a conductor without a listener (`ingot serve`).
 */
import type { Kysely } from 'kysely';
import type { Dialect } from './001_initial.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>, _dialect: Dialect): Promise<void> {
  await db.schema.alterTable('conductors').addColumn('rpc_address', 'varchar(255)').execute();
}
