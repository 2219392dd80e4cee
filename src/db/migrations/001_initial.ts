/**
 * Initial schema. Portable DDL only (see schema.ts for the conventions); the one
 * dialect branch is the auto-increment primary key.
 */
import { type Kysely, type CreateTableBuilder, sql } from 'kysely';

export type Dialect = 'sqlite' | 'postgres' | 'mysql';

function withId<T extends string>(b: CreateTableBuilder<T, never>, dialect: Dialect): CreateTableBuilder<T, 'id'> {
  if (dialect === 'postgres') return b.addColumn('id', 'integer', (c) => c.primaryKey().generatedByDefaultAsIdentity());
  return b.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
}

// NOTE: varchar lengths follow Ironic's models so MariaDB indexes fit and values behave alike.
const TEXT = 'text';
const ts = 'varchar(40)';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>, dialect: Dialect): Promise<void> {
  await withId(db.schema.createTable('chassis'), dialect)
    .addColumn('uuid', 'varchar(36)', (c) => c.notNull().unique())
    .addColumn('description', 'varchar(255)')
    .addColumn('extra', TEXT)
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts)
    .execute();

  await withId(db.schema.createTable('nodes'), dialect)
    .addColumn('uuid', 'varchar(36)', (c) => c.notNull().unique())
    .addColumn('name', 'varchar(255)', (c) => c.unique())
    .addColumn('driver', 'varchar(255)', (c) => c.notNull())
    .addColumn('driver_info', TEXT)
    .addColumn('driver_internal_info', TEXT)
    .addColumn('extra', TEXT)
    .addColumn('instance_info', TEXT)
    .addColumn('instance_uuid', 'varchar(36)', (c) => c.unique())
    .addColumn('chassis_id', 'integer', (c) => c.references('chassis.id'))
    .addColumn('console_enabled', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_error', TEXT)
    .addColumn('maintenance', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('maintenance_reason', TEXT)
    .addColumn('fault', 'varchar(255)')
    .addColumn('power_state', 'varchar(15)')
    .addColumn('target_power_state', 'varchar(15)')
    .addColumn('provision_state', 'varchar(15)', (c) => c.notNull())
    .addColumn('target_provision_state', 'varchar(15)')
    .addColumn('provision_updated_at', ts)
    .addColumn('properties', TEXT)
    .addColumn('reservation', 'varchar(255)')
    .addColumn('inspection_started_at', ts)
    .addColumn('inspection_finished_at', ts)
    .addColumn('clean_step', TEXT)
    .addColumn('deploy_step', TEXT)
    .addColumn('raid_config', TEXT)
    .addColumn('target_raid_config', TEXT)
    .addColumn('resource_class', 'varchar(80)')
    .addColumn('bios_interface', 'varchar(255)')
    .addColumn('boot_interface', 'varchar(255)')
    .addColumn('console_interface', 'varchar(255)')
    .addColumn('deploy_interface', 'varchar(255)')
    .addColumn('inspect_interface', 'varchar(255)')
    .addColumn('management_interface', 'varchar(255)')
    .addColumn('network_interface', 'varchar(255)')
    .addColumn('power_interface', 'varchar(255)')
    .addColumn('raid_interface', 'varchar(255)')
    .addColumn('rescue_interface', 'varchar(255)')
    .addColumn('storage_interface', 'varchar(255)')
    .addColumn('vendor_interface', 'varchar(255)')
    .addColumn('conductor_group', 'varchar(255)', (c) => c.notNull().defaultTo(''))
    .addColumn('conductor_affinity', 'varchar(255)')
    .addColumn('automated_clean', 'integer')
    .addColumn('protected', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('protected_reason', TEXT)
    .addColumn('owner', 'varchar(255)')
    .addColumn('lessee', 'varchar(255)')
    .addColumn('description', TEXT)
    .addColumn('allocation_id', 'integer')
    .addColumn('retired', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('retired_reason', TEXT)
    .addColumn('network_data', TEXT)
    .addColumn('boot_mode', 'varchar(16)')
    .addColumn('secure_boot', 'integer')
    .addColumn('shard', 'varchar(255)')
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts)
    .execute();
  await db.schema.createIndex('nodes_provision_state_idx').on('nodes').column('provision_state').execute();
  await db.schema.createIndex('nodes_reservation_idx').on('nodes').column('reservation').execute();
  await db.schema.createIndex('nodes_conductor_group_idx').on('nodes').column('conductor_group').execute();

  await db.schema.createTable('node_traits')
    .addColumn('node_id', 'integer', (c) => c.notNull().references('nodes.id').onDelete('cascade'))
    .addColumn('trait', 'varchar(255)', (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .addPrimaryKeyConstraint('node_traits_pk', ['node_id', 'trait'])
    .execute();
  await db.schema.createTable('node_tags')
    .addColumn('node_id', 'integer', (c) => c.notNull().references('nodes.id').onDelete('cascade'))
    .addColumn('tag', 'varchar(255)', (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .addPrimaryKeyConstraint('node_tags_pk', ['node_id', 'tag'])
    .execute();

  await withId(db.schema.createTable('portgroups'), dialect)
    .addColumn('uuid', 'varchar(36)', (c) => c.notNull().unique())
    .addColumn('name', 'varchar(255)', (c) => c.unique())
    .addColumn('address', 'varchar(18)', (c) => c.unique())
    .addColumn('node_id', 'integer', (c) => c.notNull().references('nodes.id'))
    .addColumn('mode', 'varchar(255)')
    .addColumn('properties', TEXT)
    .addColumn('standalone_ports_supported', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('internal_info', TEXT)
    .addColumn('extra', TEXT)
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts)
    .execute();

  await withId(db.schema.createTable('ports'), dialect)
    .addColumn('uuid', 'varchar(36)', (c) => c.notNull().unique())
    .addColumn('address', 'varchar(64)', (c) => c.notNull().unique())
    .addColumn('node_id', 'integer', (c) => c.notNull().references('nodes.id'))
    .addColumn('portgroup_id', 'integer', (c) => c.references('portgroups.id'))
    .addColumn('local_link_connection', TEXT)
    .addColumn('pxe_enabled', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('physical_network', 'varchar(64)')
    .addColumn('internal_info', TEXT)
    .addColumn('is_smartnic', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('extra', TEXT)
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts)
    .execute();
  await db.schema.createIndex('ports_node_id_idx').on('ports').column('node_id').execute();

  await withId(db.schema.createTable('conductors'), dialect)
    .addColumn('hostname', 'varchar(255)', (c) => c.notNull().unique())
    .addColumn('conductor_group', 'varchar(255)', (c) => c.notNull().defaultTo(''))
    .addColumn('online', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('drivers', TEXT)
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts)
    .execute();

  await withId(db.schema.createTable('node_history'), dialect)
    .addColumn('uuid', 'varchar(36)', (c) => c.notNull().unique())
    .addColumn('node_id', 'integer', (c) => c.notNull().references('nodes.id').onDelete('cascade'))
    .addColumn('conductor', 'varchar(255)')
    .addColumn('event_type', 'varchar(255)')
    .addColumn('severity', 'varchar(255)')
    .addColumn('event', TEXT)
    .addColumn('user', 'varchar(32)')
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts)
    .execute();
  await db.schema.createIndex('node_history_node_id_idx').on('node_history').column('node_id').execute();

  await withId(db.schema.createTable('deploy_templates'), dialect)
    .addColumn('uuid', 'varchar(36)', (c) => c.notNull().unique())
    .addColumn('name', 'varchar(255)', (c) => c.notNull().unique())
    .addColumn('extra', TEXT)
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts)
    .execute();
  await withId(db.schema.createTable('deploy_template_steps'), dialect)
    .addColumn('deploy_template_id', 'integer', (c) => c.notNull().references('deploy_templates.id').onDelete('cascade'))
    .addColumn('interface', 'varchar(255)', (c) => c.notNull())
    .addColumn('step', 'varchar(255)', (c) => c.notNull())
    .addColumn('args', TEXT)
    .addColumn('priority', 'integer', (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts)
    .execute();

  await withId(db.schema.createTable('allocations'), dialect)
    .addColumn('uuid', 'varchar(36)', (c) => c.notNull().unique())
    .addColumn('name', 'varchar(255)', (c) => c.unique())
    .addColumn('node_id', 'integer', (c) => c.unique())
    .addColumn('state', 'varchar(15)', (c) => c.notNull())
    .addColumn('owner', 'varchar(255)')
    .addColumn('last_error', TEXT)
    .addColumn('resource_class', 'varchar(80)')
    .addColumn('traits', TEXT)
    .addColumn('candidate_nodes', TEXT)
    .addColumn('extra', TEXT)
    .addColumn('conductor_affinity', 'integer')
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts)
    .execute();

  await withId(db.schema.createTable('volume_connectors'), dialect)
    .addColumn('uuid', 'varchar(36)', (c) => c.notNull().unique())
    .addColumn('node_id', 'integer', (c) => c.notNull().references('nodes.id'))
    .addColumn('type', 'varchar(32)', (c) => c.notNull())
    .addColumn('connector_id', 'varchar(255)', (c) => c.notNull())
    .addColumn('extra', TEXT)
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts)
    .addUniqueConstraint('volume_connectors_type_cid_uq', ['type', 'connector_id'])
    .execute();

  await withId(db.schema.createTable('volume_targets'), dialect)
    .addColumn('uuid', 'varchar(36)', (c) => c.notNull().unique())
    .addColumn('node_id', 'integer', (c) => c.notNull().references('nodes.id'))
    .addColumn('volume_type', 'varchar(64)', (c) => c.notNull())
    .addColumn('properties', TEXT)
    .addColumn('boot_index', 'integer', (c) => c.notNull())
    .addColumn('volume_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('extra', TEXT)
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts)
    .addUniqueConstraint('volume_targets_node_boot_uq', ['node_id', 'boot_index'])
    .execute();

  await db.schema.createTable('bios_settings')
    .addColumn('node_id', 'integer', (c) => c.notNull().references('nodes.id').onDelete('cascade'))
    .addColumn('name', 'varchar(255)', (c) => c.notNull())
    .addColumn('value', TEXT)
    .addColumn('attribute_type', 'varchar(255)')
    .addColumn('allowable_values', TEXT)
    .addColumn('lower_bound', 'integer')
    .addColumn('upper_bound', 'integer')
    .addColumn('min_length', 'integer')
    .addColumn('max_length', 'integer')
    .addColumn('read_only', 'integer')
    .addColumn('reset_required', 'integer')
    .addColumn('unique', 'integer')
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts)
    .addPrimaryKeyConstraint('bios_settings_pk', ['node_id', 'name'])
    .execute();

  await withId(db.schema.createTable('node_inventory'), dialect)
    .addColumn('node_id', 'integer', (c) => c.notNull().unique().references('nodes.id').onDelete('cascade'))
    .addColumn('inventory_data', TEXT)
    .addColumn('plugin_data', TEXT)
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts)
    .execute();
  void sql;
}
