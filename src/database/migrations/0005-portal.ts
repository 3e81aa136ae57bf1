import type { SchemaMigration } from '../column-types.js';
import { oneOf } from '../column-types.js';

/**
 * The portal (issue 12, seeds 000 and 002): people with their login code
 * (name + scrypt hash), server-side sessions (only a hash of the cookie's
 * token), grants users ↔ devices many-to-many with named rights (a bit
 * mask, `portal-rights.ts`), IP allowlists on accounts and grants, the
 * login throttle, and the key depots' management data (depot users
 * without their PINs, compartments and keys, customer details, invoices).
 */
export const migration: SchemaMigration = {
  name: '0005-portal',
  async up(db, types) {
    await types
      .addId(db.schema.createTable('portal_accounts'))
      .addColumn('name', 'text', (c) => c.notNull().unique())
      .addColumn('display_name', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('role', 'text', (c) => c.notNull().check(oneOf('role', ['manager', 'operator', 'partner'])))
      .addColumn('partner_kind', 'text', (c) => c.notNull().defaultTo('').check(oneOf('partner_kind', ['', 'billing', 'installer', 'customer'])))
      .addColumn('password_hash', 'text', (c) => c.notNull())
      .addColumn('networks', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('state', 'text', (c) => c.notNull().defaultTo('active').check(oneOf('state', ['active', 'disabled'])))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addColumn('last_login_at', 'bigint')
      .addColumn('last_login_address', 'text')
      .execute();

    await db.schema
      .createTable('portal_sessions')
      .addColumn('token_hash', 'text', (c) => c.primaryKey())
      .addColumn('account_id', 'bigint', (c) => c.notNull().references('portal_accounts.id').onDelete('cascade'))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('last_seen_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .addColumn('address', 'text', (c) => c.notNull())
      .addColumn('user_agent', 'text', (c) => c.notNull().defaultTo(''))
      .execute();
    await db.schema.createIndex('portal_sessions_account').on('portal_sessions').column('account_id').execute();

    await types
      .addId(db.schema.createTable('portal_grants'))
      .addColumn('account_id', 'bigint', (c) => c.notNull().references('portal_accounts.id').onDelete('cascade'))
      .addColumn('device_id', 'text', (c) => c.notNull().references('devices.id').onDelete('cascade'))
      .addColumn('rights', 'integer', (c) => c.notNull())
      .addColumn('networks', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addUniqueConstraint('portal_grants_once', ['account_id', 'device_id'])
      .execute();
    await db.schema.createIndex('portal_grants_device').on('portal_grants').column('device_id').execute();

    await db.schema
      .createTable('portal_login_throttle')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('failures', 'integer', (c) => c.notNull())
      .addColumn('last_failure_at', 'bigint', (c) => c.notNull())
      .addColumn('blocked_until', 'bigint', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('depot_users')
      .addColumn('device_id', 'text', (c) => c.notNull().references('devices.id').onDelete('cascade'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('compartments', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('state', 'text', (c) => c.notNull().check(oneOf('state', ['active', 'removed'])))
      .addColumn('pin_set_at', 'bigint', (c) => c.notNull())
      .addColumn('pin_set_by', 'text', (c) => c.notNull())
      .addColumn('command_id', 'bigint')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('depot_users_pk', ['device_id', 'name'])
      .execute();

    await db.schema
      .createTable('depot_compartments')
      .addColumn('device_id', 'text', (c) => c.notNull().references('devices.id').onDelete('cascade'))
      .addColumn('number', 'integer', (c) => c.notNull())
      .addColumn('label', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('key_label', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('depot_compartments_pk', ['device_id', 'number'])
      .execute();

    await db.schema
      .createTable('customer_details')
      .addColumn('device_id', 'text', (c) => c.primaryKey().references('devices.id').onDelete('cascade'))
      .addColumn('contact', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('phone', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('email', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('billing_address', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('contract', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('notes', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();

    await types
      .addId(db.schema.createTable('invoices'))
      .addColumn('device_id', 'text', (c) => c.notNull())
      .addColumn('number', 'text', (c) => c.notNull().unique())
      .addColumn('issued_at', 'bigint', (c) => c.notNull())
      .addColumn('period_start', 'bigint', (c) => c.notNull())
      .addColumn('period_end', 'bigint', (c) => c.notNull())
      .addColumn('amount_cents', 'bigint', (c) => c.notNull())
      .addColumn('currency', 'text', (c) => c.notNull())
      .addColumn('text', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('status', 'text', (c) => c.notNull().check(oneOf('status', ['open', 'paid', 'cancelled'])))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('invoices_device').on('invoices').columns(['device_id', 'issued_at']).execute();

    // The audit trail searched by person and by date (0003 indexes target and time).
    await db.schema.createIndex('audit_trail_actor').on('audit_trail').columns(['actor', 'at']).execute();
  },
  async down(db) {
    await db.schema.dropIndex('audit_trail_actor').execute();
    for (const table of ['invoices', 'customer_details', 'depot_compartments', 'depot_users', 'portal_login_throttle', 'portal_grants', 'portal_sessions', 'portal_accounts']) await db.schema.dropTable(table).execute();
  },
};
