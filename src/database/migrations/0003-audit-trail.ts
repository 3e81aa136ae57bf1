import type { SchemaMigration } from '../column-types.js';

/** Every change and every login: who, when, what, from which address (spec §5.3). */
export const migration: SchemaMigration = {
  name: '0003-audit-trail',
  async up(db, types) {
    await types
      .addId(db.schema.createTable('audit_trail'))
      .addColumn('at', 'bigint', (c) => c.notNull())
      .addColumn('actor', 'text', (c) => c.notNull())
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('target', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('detail', 'text', (c) => c.notNull().defaultTo('{}'))
      .addColumn('address', 'text')
      .execute();
    await db.schema.createIndex('audit_trail_at').on('audit_trail').column('at').execute();
    await db.schema.createIndex('audit_trail_target').on('audit_trail').columns(['target', 'at']).execute();
  },
  async down(db) {
    await db.schema.dropTable('audit_trail').execute();
  },
};
