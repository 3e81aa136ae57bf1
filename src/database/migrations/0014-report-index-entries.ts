import type { SchemaMigration } from '../column-types.js';

/**
 * Two indexes of 0004 that no reader needs, each an entry written at a
 * random place in its tree for every stored report (docs/centre-database.md
 * "Report indexes (migration 0014)"):
 *
 * - `events_device_time` (device_id, received_at): every reader of one
 *   device's events asks for the device and orders or filters by id, type,
 *   life or occurred_at, never by received_at; `events_device_seq`
 *   (device_id, device_seq), which the intake needs anyway, has the same
 *   leading column and serves those look-ups.
 * - `reports_system` (system_id, received_at): a PBX's reports are read by
 *   system id and ordered by id; the unique `reports_once` (system_id, seq,
 *   crc) has the same leading column.
 *
 * Dropping an index changes no row, so a database with history is carried
 * forward as it is; `down` builds both again from the rows.
 */
export const migration: SchemaMigration = {
  name: '0014-report-index-entries',
  async up(db) {
    await db.schema.dropIndex('events_device_time').execute();
    await db.schema.dropIndex('reports_system').execute();
  },
  async down(db) {
    await db.schema.createIndex('events_device_time').on('events').columns(['device_id', 'received_at']).execute();
    await db.schema.createIndex('reports_system').on('reports').columns(['system_id', 'received_at']).execute();
  },
};
