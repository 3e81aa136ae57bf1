import type { SchemaMigration } from '../column-types.js';

/** Facts about the database itself, e.g. the check value of the master key that sealed its device keys. */
export const migration: SchemaMigration = {
  name: '0001-settings',
  async up(db) {
    await db.schema
      .createTable('settings')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('value', 'text', (c) => c.notNull())
      .execute();
  },
  async down(db) {
    await db.schema.dropTable('settings').execute();
  },
};
