/**
 * Tables of the built-in inspector (ironic-inspector's `nodes`, `introspection_data`,
 * `rules` tables, reshaped):
 * - `introspection_status`: one row per node ever introspected (state, started/finished, error);
 * - `introspection_data`: the processed and unprocessed data of the last introspection;
 * - `introspection_rules`: rules with their conditions and actions as JSON;
 * - `discovery_claims`: the guard that enrolls an unknown machine exactly once. Its key
 *   (BMC address, else the lowest MAC) is UNIQUE, so of several reporters racing, in one
 *   process or many, on any of the three databases, only one INSERT wins.
 */
import type { Kysely } from 'kysely';
import type { Dialect } from './001_initial.ts';

const TEXT = 'text';
const ts = 'varchar(40)';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>, dialect: Dialect): Promise<void> {
  await db.schema.createTable('introspection_status')
    .addColumn('node_uuid', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('state', 'varchar(16)', (c) => c.notNull())
    .addColumn('started_at', ts, (c) => c.notNull())
    .addColumn('finished_at', ts)
    .addColumn('error', TEXT)
    .addColumn('manage_boot', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
  await db.schema.createTable('introspection_data')
    .addColumn('node_uuid', 'varchar(36)', (c) => c.notNull())
    .addColumn('processed', 'integer', (c) => c.notNull())
    .addColumn('data', TEXT, (c) => c.notNull())
    .addPrimaryKeyConstraint('introspection_data_pk', ['node_uuid', 'processed'])
    .execute();
  const rules = db.schema.createTable('introspection_rules');
  await (dialect === 'postgres'
    ? rules.addColumn('id', 'integer', (c) => c.primaryKey().generatedByDefaultAsIdentity())
    : rules.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement()))
    .addColumn('uuid', 'varchar(36)', (c) => c.notNull().unique())
    .addColumn('description', TEXT)
    .addColumn('scope', 'varchar(255)')
    .addColumn('conditions', TEXT, (c) => c.notNull())
    .addColumn('actions', TEXT, (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .execute();
  await db.schema.createTable('discovery_claims')
    .addColumn('claim_key', 'varchar(255)', (c) => c.primaryKey())
    .addColumn('node_uuid', 'varchar(36)', (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .execute();
}
