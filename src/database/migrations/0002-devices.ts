import type { SchemaMigration } from '../column-types.js';
import { oneOf } from '../column-types.js';

/** The device registry (spec §5.1/§5.2) and each device's replay window. */
export const migration: SchemaMigration = {
  name: '0002-devices',
  async up(db, types) {
    await db.schema
      .createTable('devices')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('kind', 'text', (c) => c.notNull().check(oneOf('kind', ['pbx', 'key-depot'])))
      .addColumn('customer_name', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('customer_number', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('site_name', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('site_address', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('check_in_interval_ms', 'bigint', (c) => c.notNull())
      .addColumn('grace_ms', 'bigint', (c) => c.notNull())
      .addColumn('missing_after', 'integer', (c) => c.notNull())
      .addColumn('function_test_period_ms', 'bigint')
      .addColumn('test_window_start_min', 'integer')
      .addColumn('test_window_end_min', 'integer')
      .addColumn('key_sealed', types.bytes, (c) => c.notNull())
      .addColumn('key_version', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('replay_windows')
      .addColumn('device_id', 'text', (c) => c.primaryKey().references('devices.id').onDelete('cascade'))
      .addColumn('highest', 'bigint', (c) => c.notNull())
      .addColumn('mask', 'bigint', (c) => c.notNull())
      .execute();
  },
  async down(db) {
    await db.schema.dropTable('replay_windows').execute();
    await db.schema.dropTable('devices').execute();
  },
};
