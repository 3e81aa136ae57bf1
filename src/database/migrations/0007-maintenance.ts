import type { SchemaMigration } from '../column-types.js';
import { oneOf } from '../column-types.js';

/**
 * After-hours maintenance (issue 13, spec §5.4): plans, the visits a plan's
 * runner makes in its windows, and every attempt at every step with its
 * outcome, output and byte count; the deactivations of LAN teleservice with
 * their evidence (docs/maintenance-plans.md).
 */
export const migration: SchemaMigration = {
  name: '0007-maintenance',
  async up(db, types) {
    await types
      .addId(db.schema.createTable('maintenance_plans'))
      .addColumn('name', 'text', (c) => c.notNull().unique())
      .addColumn('selection', 'text', (c) => c.notNull())
      .addColumn('window_cron', 'text', (c) => c.notNull())
      .addColumn('window_minutes', 'integer', (c) => c.notNull())
      .addColumn('time_zone', 'text', (c) => c.notNull())
      .addColumn('holidays', 'text', (c) => c.notNull().defaultTo('[]'))
      .addColumn('steps', 'text', (c) => c.notNull())
      .addColumn('target_aps', 'text')
      .addColumn('load_aps', 'text', (c) => c.notNull().check(oneOf('load_aps', ['yes', 'no'])))
      .addColumn('backup_retention', 'integer', (c) => c.notNull())
      .addColumn('max_retries', 'integer', (c) => c.notNull())
      .addColumn('service_user', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .execute();

    await types
      .addId(db.schema.createTable('maintenance_visits'))
      .addColumn('plan_id', 'bigint', (c) => c.notNull().references('maintenance_plans.id').onDelete('cascade'))
      .addColumn('device_id', 'text', (c) => c.notNull())
      .addColumn('window_start', 'bigint', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull().check(oneOf('state', ['running', 'done', 'failed', 'cut'])))
      .addColumn('next_step', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('channel', 'text')
      .addColumn('started_at', 'bigint', (c) => c.notNull())
      .addColumn('ended_at', 'bigint')
      .addColumn('detail', 'text', (c) => c.notNull().defaultTo(''))
      .execute();
    await db.schema.createIndex('maintenance_visits_device').on('maintenance_visits').columns(['device_id', 'started_at']).execute();
    await db.schema.createIndex('maintenance_visits_plan').on('maintenance_visits').columns(['plan_id', 'device_id', 'state']).execute();

    await types
      .addId(db.schema.createTable('maintenance_steps'))
      .addColumn('visit_id', 'bigint', (c) => c.notNull().references('maintenance_visits.id').onDelete('cascade'))
      .addColumn('step', 'text', (c) => c.notNull())
      .addColumn('attempt', 'integer', (c) => c.notNull())
      .addColumn('started_at', 'bigint', (c) => c.notNull())
      .addColumn('ended_at', 'bigint', (c) => c.notNull())
      .addColumn('outcome', 'text', (c) => c.notNull().check(oneOf('outcome', ['ok', 'failed', 'busy', 'not-started'])))
      .addColumn('output', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('bytes', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema.createIndex('maintenance_steps_visit').on('maintenance_steps').columns(['visit_id', 'id']).execute();

    // Ending a contract (issue 13): each deactivation, re-activation and verification, with its evidence.
    await types
      .addId(db.schema.createTable('lan_deactivations'))
      .addColumn('device_id', 'text', (c) => c.notNull())
      .addColumn('action', 'text', (c) => c.notNull().check(oneOf('action', ['deactivate', 'reactivate', 'verify'])))
      .addColumn('at', 'bigint', (c) => c.notNull())
      .addColumn('actor', 'text', (c) => c.notNull())
      .addColumn('result', 'text', (c) => c.notNull())
      .addColumn('evidence', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('lan_deactivations_device').on('lan_deactivations').columns(['device_id', 'at']).execute();
  },
  async down(db) {
    await db.schema.dropTable('lan_deactivations').execute();
    await db.schema.dropTable('maintenance_steps').execute();
    await db.schema.dropTable('maintenance_visits').execute();
    await db.schema.dropTable('maintenance_plans').execute();
  },
};
