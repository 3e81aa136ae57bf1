import type { SchemaMigration } from '../column-types.js';

/**
 * What the real maintenance visits need (issue 13, docs/maintenance-plans.md):
 * how the centre reaches each PBX (LAN address, modem number, callback) with
 * its PIN, service login and callback code sealed under the master key, and
 * the error memory a visit read, filed as a report of its own.
 */
export const migration: SchemaMigration = {
  name: '0008-maintenance-visits',
  async up(db, types) {
    await db.schema
      .createTable('maintenance_access')
      .addColumn('device_id', 'text', (c) => c.primaryKey().references('devices.id').onDelete('cascade'))
      .addColumn('lan_address', 'text')
      .addColumn('lan_route', 'text')
      .addColumn('modem_number', 'text')
      .addColumn('callback_index', 'integer')
      .addColumn('service_user', 'text', (c) => c.notNull())
      .addColumn('secrets_sealed', types.bytes, (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();

    await types
      .addId(db.schema.createTable('maintenance_error_reports'))
      .addColumn('device_id', 'text', (c) => c.notNull())
      .addColumn('visit_id', 'bigint')
      .addColumn('read_at', 'bigint', (c) => c.notNull())
      .addColumn('entries', 'integer', (c) => c.notNull())
      .addColumn('records', 'text', (c) => c.notNull())
      .addColumn('text', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('maintenance_error_reports_device').on('maintenance_error_reports').columns(['device_id', 'read_at']).execute();
  },
  async down(db) {
    await db.schema.dropTable('maintenance_error_reports').execute();
    await db.schema.dropTable('maintenance_access').execute();
  },
};
