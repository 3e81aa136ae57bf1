import type { SchemaMigration } from '../column-types.js';
import { oneOf } from '../column-types.js';

/**
 * The scheduler inside `centre serve` (issue 13, docs/maintenance-plans.md):
 * a device's own time zone (its windows are read in it; null: the plan's),
 * a plan's LAN concurrency, and the ledger of windows — one row per plan,
 * time zone and window start, claimed by one centre process with a lease, so
 * two centres on one database never both run a window, a centre restarted
 * inside a window takes its own window up again, and a window missed while
 * every centre was down is recorded as missed rather than run late.
 */
export const migration: SchemaMigration = {
  name: '0010-maintenance-schedule',
  async up(db) {
    await db.schema.alterTable('devices').addColumn('time_zone', 'text').execute();
    await db.schema.alterTable('maintenance_plans').addColumn('lan_concurrency', 'integer', (c) => c.notNull().defaultTo(8)).execute();
    await db.schema
      .createTable('maintenance_windows')
      .addColumn('plan_id', 'bigint', (c) => c.notNull().references('maintenance_plans.id').onDelete('cascade'))
      .addColumn('time_zone', 'text', (c) => c.notNull())
      .addColumn('window_start', 'bigint', (c) => c.notNull())
      .addColumn('window_end', 'bigint', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull().check(oneOf('state', ['running', 'ended', 'missed'])))
      .addColumn('owner', 'text', (c) => c.notNull())
      .addColumn('lease_until', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('maintenance_windows_pk', ['plan_id', 'time_zone', 'window_start'])
      .execute();
  },
  async down(db) {
    await db.schema.dropTable('maintenance_windows').execute();
    await db.schema.alterTable('maintenance_plans').dropColumn('lan_concurrency').execute();
    await db.schema.alterTable('devices').dropColumn('time_zone').execute();
  },
};
