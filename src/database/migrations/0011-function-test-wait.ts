import type { SchemaMigration } from '../column-types.js';

/**
 * How long a plan's function-test step waits for the PBX's report
 * (docs/maintenance-plans.md, "function-test wait"): minutes, or NULL for
 * the default the centre derives from the PBX's report timing.
 */
export const migration: SchemaMigration = {
  name: '0011-function-test-wait',
  async up(db) {
    await db.schema.alterTable('maintenance_plans').addColumn('function_test_wait_minutes', 'integer').execute();
  },
  async down(db) {
    await db.schema.alterTable('maintenance_plans').dropColumn('function_test_wait_minutes').execute();
  },
};
