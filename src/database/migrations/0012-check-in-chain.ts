import { sql } from 'kysely';
import type { SchemaMigration } from '../column-types.js';

/**
 * Check-in history without a per-device index (docs/centre-database.md,
 * "Check-in history"): the `(device_id, received_at)` index put every
 * accepted check-in on a random 4 KiB page of its own, a page the commit
 * then writes to the WAL. Instead each check-in row points to the previous
 * one of its device (`prev_id`), the device's replay window row — written by
 * every check-in anyway — points to the newest (`last_check_in_id`), and an
 * index on `received_at` (appended at its end) serves the period searches.
 * `check_in_heads` keeps the newest check-in of a device that was removed
 * (its replay window goes with it), so its history stays readable and a
 * device registered again under the id continues it.
 *
 * Carries a database with history forward: every stored check-in is linked
 * to the one before it of its device (in id order), every head set.
 */
export const migration: SchemaMigration = {
  name: '0012-check-in-chain',
  async up(db) {
    await db.schema.alterTable('check_ins').addColumn('prev_id', 'bigint').execute();
    await db.schema.alterTable('replay_windows').addColumn('last_check_in_id', 'bigint').execute();
    await db.schema.createTable('check_in_heads').addColumn('device_id', 'text', (c) => c.primaryKey()).addColumn('last_check_in_id', 'bigint', (c) => c.notNull()).execute();
    await sql`update check_ins set prev_id = w.prev from (select id, lag(id) over (partition by device_id order by id) as prev from check_ins) w where check_ins.id = w.id and w.prev is not null`.execute(db);
    await sql`update replay_windows set last_check_in_id = h.id from (select device_id, max(id) as id from check_ins group by device_id) h where replay_windows.device_id = h.device_id`.execute(db);
    await sql`insert into check_in_heads (device_id, last_check_in_id) select device_id, max(id) from check_ins where device_id not in (select device_id from replay_windows) group by device_id`.execute(db);
    await db.schema.dropIndex('check_ins_device').execute();
    await db.schema.createIndex('check_ins_time').on('check_ins').column('received_at').execute();
  },
  async down(db) {
    await db.schema.dropIndex('check_ins_time').execute();
    await db.schema.createIndex('check_ins_device').on('check_ins').columns(['device_id', 'received_at']).execute();
    await db.schema.dropTable('check_in_heads').execute();
    await db.schema.alterTable('replay_windows').dropColumn('last_check_in_id').execute();
    await db.schema.alterTable('check_ins').dropColumn('prev_id').execute();
  },
};
