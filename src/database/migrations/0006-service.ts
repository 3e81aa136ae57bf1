import type { SchemaMigration } from '../column-types.js';
import { oneOf } from '../column-types.js';

/** Slack before a function test counts as overdue (see `DEFAULT_TEST_GRACE_MS` in device-registry.ts). */
const DEFAULT_TEST_GRACE_MS = 2 * 3600_000;

/**
 * The running service (issue 11): commands queued for devices and delivered
 * in the acks of their check-ins (spec §5.2), API tokens for scripts (stored
 * hashed), and what supervision needs beyond 0004 — a function-test grace
 * per device and each device's function-test deadline, so a check-in can
 * compute the next deadline in one statement.
 */
export const migration: SchemaMigration = {
  name: '0006-service',
  async up(db, types) {
    // Command ids rise per device (docs/check-in-telegram.md §3.3): taken from this counter in the
    // transaction that queues the command, so two processes never hand out one id, nor one out of order.
    await db.schema.alterTable('devices').addColumn('next_command_id', 'bigint', (c) => c.notNull().defaultTo(1)).execute();
    await db.schema.alterTable('devices').addColumn('test_grace_ms', 'bigint', (c) => c.notNull().defaultTo(DEFAULT_TEST_GRACE_MS)).execute();
    await db.schema.alterTable('supervision_states').addColumn('test_due_at', 'bigint').execute();

    await types
      .addId(db.schema.createTable('device_commands'))
      .addColumn('device_id', 'text', (c) => c.notNull())
      .addColumn('command_id', 'bigint', (c) => c.notNull())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('fields', 'text', (c) => c.notNull().defaultTo('{}'))
      .addColumn('state', 'text', (c) => c.notNull().check(oneOf('state', ['queued', 'delivered', 'acknowledged', 'cancelled'])))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('delivered_at', 'bigint')
      .addColumn('deliveries', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('acknowledged_at', 'bigint')
      .addColumn('result', 'text')
      .addColumn('detail', 'text')
      .addUniqueConstraint('device_commands_once', ['device_id', 'command_id'])
      .execute();
    await db.schema.createIndex('device_commands_open').on('device_commands').columns(['device_id', 'state', 'command_id']).execute();

    await types
      .addId(db.schema.createTable('api_tokens'))
      .addColumn('name', 'text', (c) => c.notNull().unique())
      .addColumn('hash', 'text', (c) => c.notNull())
      .addColumn('rights', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('revoked_at', 'bigint')
      .execute();
  },
  async down(db) {
    await db.schema.dropTable('api_tokens').execute();
    await db.schema.dropTable('device_commands').execute();
    await db.schema.alterTable('supervision_states').dropColumn('test_due_at').execute();
    await db.schema.alterTable('devices').dropColumn('test_grace_ms').execute();
    await db.schema.alterTable('devices').dropColumn('next_command_id').execute();
  },
};
