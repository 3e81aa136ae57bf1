import type { SchemaMigration } from '../column-types.js';
import { oneOf } from '../column-types.js';

/**
 * How each device is supervised (issue 12): `checkin` by its UDP check-ins
 * (key depots, PBXs with the LAN option), `reports` by what a PBX without
 * the LAN option really sends — its function-test and class-B reports by
 * modem (spec §3.4). Every device registered before stays `checkin`.
 */
export const migration: SchemaMigration = {
  name: '0009-device-supervision',
  async up(db) {
    await db.schema
      .alterTable('devices')
      .addColumn('supervise', 'text', (c) => c.notNull().defaultTo('checkin').check(oneOf('supervise', ['checkin', 'reports'])))
      .execute();
  },
  async down(db) {
    await db.schema.alterTable('devices').dropColumn('supervise').execute();
  },
};
