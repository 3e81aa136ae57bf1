import { sql } from 'kysely';
import type { SchemaMigration } from '../column-types.js';
import { oneOf } from '../column-types.js';

/**
 * One row per device for what every check-in changes (docs/centre-database.md,
 * "The device's check-in row"): the replay window (`highest`, `mask`) and the
 * head of the check-in history (`last_check_in_id`) move from `replay_windows`
 * into `supervision_states`, beside the last check-in, the presence and its
 * deadline. A check-in then writes one row of one table — one random page at
 * 100,000 devices, not two — and its compare-and-set, presence and deadline
 * are one update per chunk. On SQLite the table is rebuilt `without rowid`:
 * its rows live in the primary key's b-tree, so finding a device's row is
 * one b-tree walk, not the key's index and then the table.
 *
 * Carries a database forward: every registered device keeps its window and
 * history head, and its supervision state where it had one (a device without
 * one gets the state `adoptDevices` gives, due now); a state left for a
 * device no longer registered is dropped, as the supervisor would drop it.
 */
export const migration: SchemaMigration = {
  name: '0013-device-check-in-row',
  async up(db, types) {
    let table = db.schema
      .createTable('device_check_in_rows')
      .addColumn('device_id', 'text', (c) => c.primaryKey())
      .addColumn('presence', 'text', (c) => c.notNull().check(oneOf('presence', ['unknown', 'ok', 'late', 'missing'])))
      .addColumn('presence_since', 'bigint', (c) => c.notNull())
      .addColumn('test', 'text', (c) => c.notNull().check(oneOf('test', ['unknown', 'ok', 'overdue', 'outside-window'])))
      .addColumn('test_since', 'bigint', (c) => c.notNull())
      .addColumn('last_check_in_at', 'bigint')
      .addColumn('last_function_test_at', 'bigint')
      .addColumn('test_due_at', 'bigint')
      .addColumn('next_check_at', 'bigint', (c) => c.notNull())
      // Not the empty window (core/replay-window.ts EMPTY_REPLAY_WINDOW: highest -1), only a value for the rows copied below, which all carry their own: every insert names the window (schema.ts).
      .addColumn('highest', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('mask', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('last_check_in_id', 'bigint');
    if (types.engine === 'sqlite') table = table.modifyEnd(sql`without rowid`);
    await table.execute();
    await sql`insert into device_check_in_rows (device_id, presence, presence_since, test, test_since, last_check_in_at, last_function_test_at, test_due_at, next_check_at, highest, mask, last_check_in_id)
      select w.device_id, coalesce(s.presence, 'unknown'), coalesce(s.presence_since, d.created_at), coalesce(s.test, 'unknown'), coalesce(s.test_since, d.created_at),
        s.last_check_in_at, s.last_function_test_at, s.test_due_at, coalesce(s.next_check_at, d.created_at), w.highest, w.mask, w.last_check_in_id
      from replay_windows w join devices d on d.id = w.device_id left join supervision_states s on s.device_id = w.device_id`.execute(db);
    await db.schema.dropTable('supervision_states').execute();
    await db.schema.dropTable('replay_windows').execute();
    await db.schema.alterTable('device_check_in_rows').renameTo('supervision_states').execute();
    await db.schema.createIndex('supervision_due').on('supervision_states').column('next_check_at').execute();
  },
  async down(db) {
    await db.schema
      .createTable('replay_windows')
      .addColumn('device_id', 'text', (c) => c.primaryKey().references('devices.id').onDelete('cascade'))
      .addColumn('highest', 'bigint', (c) => c.notNull())
      .addColumn('mask', 'bigint', (c) => c.notNull())
      .addColumn('last_check_in_id', 'bigint')
      .execute();
    await sql`insert into replay_windows (device_id, highest, mask, last_check_in_id) select s.device_id, s.highest, s.mask, s.last_check_in_id from supervision_states s join devices d on d.id = s.device_id`.execute(db);
    for (const column of ['highest', 'mask', 'last_check_in_id']) await db.schema.alterTable('supervision_states').dropColumn(column).execute();
  },
};
