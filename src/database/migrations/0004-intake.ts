import type { SchemaMigration } from '../column-types.js';
import { oneOf } from '../column-types.js';

/**
 * What arrives from the devices and what the centre makes of it (spec §5.2,
 * §5.3): check-ins, rejected telegrams per device and reason, events with
 * their life, class-B reports with their raw bytes, supervision state.
 * Device ids here are not foreign keys: history outlives a removed device,
 * and rejects and modem reports come from ids that may not be registered.
 */
export const migration: SchemaMigration = {
  name: '0004-intake',
  async up(db, types) {
    await types
      .addId(db.schema.createTable('check_ins'))
      .addColumn('device_id', 'text', (c) => c.notNull())
      .addColumn('received_at', 'bigint', (c) => c.notNull())
      .addColumn('counter', 'bigint', (c) => c.notNull())
      .addColumn('device_time_ms', 'bigint', (c) => c.notNull())
      .addColumn('source', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('status', 'text')
      .execute();
    await db.schema.createIndex('check_ins_device').on('check_ins').columns(['device_id', 'received_at']).execute();

    await db.schema
      .createTable('reject_counters')
      .addColumn('device_id', 'text', (c) => c.notNull())
      .addColumn('reason', 'text', (c) => c.notNull())
      .addColumn('count', 'bigint', (c) => c.notNull())
      .addColumn('first_at', 'bigint', (c) => c.notNull())
      .addColumn('last_at', 'bigint', (c) => c.notNull())
      .addColumn('last_source', 'text', (c) => c.notNull().defaultTo(''))
      .addPrimaryKeyConstraint('reject_counters_pk', ['device_id', 'reason'])
      .execute();

    await types
      .addId(db.schema.createTable('reports'))
      .addColumn('system_id', 'text', (c) => c.notNull())
      .addColumn('channel', 'text', (c) => c.notNull().check(oneOf('channel', ['modem', 'udp', 'import'])))
      .addColumn('received_at', 'bigint', (c) => c.notNull())
      .addColumn('seq', 'bigint', (c) => c.notNull())
      .addColumn('crc', 'bigint', (c) => c.notNull())
      .addColumn('pbx_type', 'text', (c) => c.notNull())
      .addColumn('aps_version', 'text', (c) => c.notNull())
      .addColumn('record_count', 'integer', (c) => c.notNull())
      .addColumn('function_test', 'integer', (c) => c.notNull())
      .addColumn('raw', types.bytes, (c) => c.notNull())
      .addColumn('decoded', 'text', (c) => c.notNull())
      .addUniqueConstraint('reports_once', ['system_id', 'seq', 'crc'])
      .execute();
    await db.schema.createIndex('reports_system').on('reports').columns(['system_id', 'received_at']).execute();

    await types
      .addId(db.schema.createTable('events'))
      .addColumn('device_id', 'text', (c) => c.notNull())
      .addColumn('source', 'text', (c) => c.notNull().check(oneOf('source', ['device', 'report', 'supervision', 'intake'])))
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('device_seq', 'bigint')
      .addColumn('occurred_at', 'bigint', (c) => c.notNull())
      .addColumn('received_at', 'bigint', (c) => c.notNull())
      .addColumn('data', 'text', (c) => c.notNull().defaultTo('{}'))
      .addColumn('report_id', 'bigint', (c) => c.references('reports.id'))
      .addColumn('life', 'text', (c) => c.notNull().check(oneOf('life', ['active', 'cleared'])))
      .addColumn('cleared_at', 'bigint')
      .addColumn('ack', 'text', (c) => c.notNull().check(oneOf('ack', ['unacknowledged', 'acknowledged'])))
      .addColumn('acknowledged_at', 'bigint')
      .addColumn('acknowledged_by', 'text')
      .execute();
    // NULLs are distinct in a unique index on both engines: events without a device seq never collide.
    await db.schema.createIndex('events_device_seq').on('events').columns(['device_id', 'device_seq']).unique().execute();
    await db.schema.createIndex('events_device_time').on('events').columns(['device_id', 'received_at']).execute();
    await db.schema.createIndex('events_open').on('events').columns(['life', 'ack', 'received_at']).execute();

    await db.schema
      .createTable('report_errors')
      .addColumn('system_id', 'text', (c) => c.notNull())
      .addColumn('error_id', 'bigint', (c) => c.notNull())
      .addColumn('error_time', 'bigint', (c) => c.notNull())
      .addColumn('report_id', 'bigint', (c) => c.notNull().references('reports.id'))
      .addColumn('event_id', 'bigint', (c) => c.notNull().references('events.id'))
      .addPrimaryKeyConstraint('report_errors_pk', ['system_id', 'error_id', 'error_time'])
      .execute();

    await types
      .addId(db.schema.createTable('event_comments'))
      .addColumn('event_id', 'bigint', (c) => c.notNull().references('events.id').onDelete('cascade'))
      .addColumn('at', 'bigint', (c) => c.notNull())
      .addColumn('author', 'text', (c) => c.notNull())
      .addColumn('text', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('event_comments_event').on('event_comments').columns(['event_id', 'at']).execute();

    await db.schema
      .createTable('supervision_states')
      .addColumn('device_id', 'text', (c) => c.primaryKey())
      .addColumn('presence', 'text', (c) => c.notNull().check(oneOf('presence', ['unknown', 'ok', 'late', 'missing'])))
      .addColumn('presence_since', 'bigint', (c) => c.notNull())
      .addColumn('test', 'text', (c) => c.notNull().check(oneOf('test', ['unknown', 'ok', 'overdue', 'outside-window'])))
      .addColumn('test_since', 'bigint', (c) => c.notNull())
      .addColumn('last_check_in_at', 'bigint')
      .addColumn('last_function_test_at', 'bigint')
      .addColumn('next_check_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('supervision_due').on('supervision_states').column('next_check_at').execute();
  },
  async down(db) {
    for (const table of ['supervision_states', 'event_comments', 'report_errors', 'events', 'reports', 'reject_counters', 'check_ins']) await db.schema.dropTable(table).execute();
  },
};
