import type { Kysely, Selectable } from 'kysely';
import { recordAudit } from './audit-trail.js';
import type { CentreDatabase } from './centre-database.js';
import type { Actor } from './device-registry.js';
import type { CustomerDetailsTable, Database, DepotCompartmentsTable, DepotUsersTable, InvoiceStatus, InvoicesTable } from './schema.js';
import { query, type Work } from './work.js';

/** A depot user as the centre knows it (seed 002); the PIN exists only in the depot, as a salted hash. */
export interface DepotUser {
  deviceId: string;
  name: string;
  /** Compartments the PIN opens; empty = all. */
  compartments: number[];
  state: 'active' | 'removed';
  pinSetAt: number;
  pinSetBy: string;
  commandId: number | null;
  createdAt: number;
  updatedAt: number;
}

export interface DepotCompartment {
  deviceId: string;
  number: number;
  label: string;
  keyLabel: string;
  updatedAt: number;
}

export interface CustomerDetails {
  deviceId: string;
  contact: string;
  phone: string;
  email: string;
  billingAddress: string;
  contract: string;
  notes: string;
  updatedAt: number;
}

export interface Invoice {
  id: number;
  deviceId: string;
  number: string;
  issuedAt: number;
  periodStart: number;
  periodEnd: number;
  amountCents: number;
  currency: string;
  text: string;
  status: InvoiceStatus;
  createdAt: number;
  createdBy: string;
}

export type NewInvoice = Omit<Invoice, 'id' | 'createdAt' | 'createdBy' | 'status'>;

export class DepotRecordError extends Error {
  override name = 'DepotRecordError';
}

/** Part of the unit of work that queues the `pin-add` command: the depot user as the centre shows it (the hash travels only in the command). */
export function* recordPinSet(qb: Kysely<Database>, deviceId: string, name: string, compartments: readonly number[], commandId: number, by: Actor, at: number): Work<void> {
  const list = compartments.join(',');
  const { rows } = yield* query(qb.selectFrom('depot_users').select('state').where('device_id', '=', deviceId).where('name', '=', name));
  yield* query(
    qb
      .insertInto('depot_users')
      .values({ device_id: deviceId, name, compartments: list, state: 'active', pin_set_at: at, pin_set_by: by.actor, command_id: commandId, created_at: at, updated_at: at })
      .onConflict((oc) => oc.columns(['device_id', 'name']).doUpdateSet({ compartments: list, state: 'active', pin_set_at: at, pin_set_by: by.actor, command_id: commandId, updated_at: at })),
  );
  const changed = rows.length > 0 && rows[0].state === 'active';
  yield* recordAudit(qb, { at, ...by, action: changed ? 'depot.pin-change' : 'depot.pin-set', target: deviceId, detail: { user: name, compartments: [...compartments], command: commandId } });
}

/** Part of the unit of work that queues the `pin-remove` command. */
export function* recordUserRemoved(qb: Kysely<Database>, deviceId: string, name: string, commandId: number, by: Actor, at: number): Work<void> {
  yield* query(qb.updateTable('depot_users').set({ state: 'removed', command_id: commandId, updated_at: at }).where('device_id', '=', deviceId).where('name', '=', name));
  yield* recordAudit(qb, { at, ...by, action: 'depot.pin-remove', target: deviceId, detail: { user: name, command: commandId } });
}

/**
 * What the centre keeps about a device beyond its registry row (migration
 * 0005, seed 002's "Stammdaten", "Rechnungs- und Kundendaten", PIN
 * management): depot users, compartments and their keys, customer details,
 * invoices. Every change commits with its audit entry, targeted at the
 * device, so the device's history shows every input.
 */
export class DepotRecords {
  constructor(readonly db: CentreDatabase) {}

  async users(deviceId: string): Promise<DepotUser[]> {
    return (await this.db.kysely.selectFrom('depot_users').selectAll().where('device_id', '=', deviceId).orderBy('name').execute()).map(userOf);
  }

  async user(deviceId: string, name: string): Promise<DepotUser | undefined> {
    const row = await this.db.kysely.selectFrom('depot_users').selectAll().where('device_id', '=', deviceId).where('name', '=', name).executeTakeFirst();
    return row && userOf(row);
  }

  async setCompartment(deviceId: string, number: number, label: string, keyLabel: string, by: Actor, at: number): Promise<void> {
    const qb = this.db.kysely;
    await this.db.run(function* () {
      yield* query(
        qb
          .insertInto('depot_compartments')
          .values({ device_id: deviceId, number, label, key_label: keyLabel, updated_at: at })
          .onConflict((oc) => oc.columns(['device_id', 'number']).doUpdateSet({ label, key_label: keyLabel, updated_at: at })),
      );
      yield* recordAudit(qb, { at, ...by, action: 'depot.compartment', target: deviceId, detail: { compartment: number, label, key: keyLabel } });
    });
  }

  async compartments(deviceId: string): Promise<DepotCompartment[]> {
    const rows = await this.db.kysely.selectFrom('depot_compartments').selectAll().where('device_id', '=', deviceId).orderBy('number').execute();
    return rows.map(compartmentOf);
  }

  async customer(deviceId: string): Promise<CustomerDetails | undefined> {
    const row = await this.db.kysely.selectFrom('customer_details').selectAll().where('device_id', '=', deviceId).executeTakeFirst();
    return row && customerOf(row);
  }

  async setCustomer(c: Omit<CustomerDetails, 'updatedAt'>, by: Actor, at: number): Promise<void> {
    const qb = this.db.kysely;
    const row = { contact: c.contact, phone: c.phone, email: c.email, billing_address: c.billingAddress, contract: c.contract, notes: c.notes, updated_at: at };
    await this.db.run(function* () {
      yield* query(qb.insertInto('customer_details').values({ device_id: c.deviceId, ...row }).onConflict((oc) => oc.column('device_id').doUpdateSet(row)));
      const { deviceId: _d, ...detail } = c;
      yield* recordAudit(qb, { at, ...by, action: 'customer.update', target: c.deviceId, detail });
    });
  }

  async addInvoice(i: NewInvoice, by: Actor, at: number): Promise<Invoice> {
    const qb = this.db.kysely;
    const id = await this.db.run(function* () {
      const taken = yield* query(qb.selectFrom('invoices').select('id').where('number', '=', i.number));
      if (taken.rows.length > 0) return undefined;
      const { rows } = yield* query(
        qb
          .insertInto('invoices')
          .values({ device_id: i.deviceId, number: i.number, issued_at: i.issuedAt, period_start: i.periodStart, period_end: i.periodEnd, amount_cents: i.amountCents, currency: i.currency, text: i.text, status: 'open', created_at: at, created_by: by.actor })
          .returning('id'),
      );
      yield* recordAudit(qb, { at, ...by, action: 'invoice.add', target: i.deviceId, detail: { number: i.number, amountCents: i.amountCents, currency: i.currency } });
      return Number(rows[0].id);
    });
    if (id === undefined) throw new DepotRecordError(`an invoice numbered ${i.number} exists already`);
    return { ...i, id, status: 'open', createdAt: at, createdBy: by.actor };
  }

  async setInvoiceStatus(deviceId: string, id: number, status: InvoiceStatus, by: Actor, at: number): Promise<void> {
    const qb = this.db.kysely;
    const ok = await this.db.run(function* () {
      const { rows } = yield* query(qb.updateTable('invoices').set({ status }).where('id', '=', id).where('device_id', '=', deviceId).returning('number'));
      if (rows.length === 0) return false;
      yield* recordAudit(qb, { at, ...by, action: 'invoice.status', target: deviceId, detail: { number: rows[0].number, status } });
      return true;
    });
    if (!ok) throw new DepotRecordError(`device ${deviceId} has no invoice ${id}`);
  }

  /** Newest first; `since`/`until` bound the issue date. */
  async invoices(deviceId: string, range: { since?: number; until?: number } = {}): Promise<Invoice[]> {
    let q = this.db.kysely.selectFrom('invoices').selectAll().where('device_id', '=', deviceId).orderBy('issued_at', 'desc').orderBy('id', 'desc');
    if (range.since !== undefined) q = q.where('issued_at', '>=', range.since);
    if (range.until !== undefined) q = q.where('issued_at', '<', range.until);
    return (await q.execute()).map(invoiceOf);
  }
}

function userOf(r: Selectable<DepotUsersTable>): DepotUser {
  return {
    deviceId: r.device_id,
    name: r.name,
    compartments: r.compartments === '' ? [] : r.compartments.split(',').map(Number),
    state: r.state,
    pinSetAt: Number(r.pin_set_at),
    pinSetBy: r.pin_set_by,
    commandId: r.command_id === null ? null : Number(r.command_id),
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

function compartmentOf(r: Selectable<DepotCompartmentsTable>): DepotCompartment {
  return { deviceId: r.device_id, number: Number(r.number), label: r.label, keyLabel: r.key_label, updatedAt: Number(r.updated_at) };
}

function customerOf(r: Selectable<CustomerDetailsTable>): CustomerDetails {
  return { deviceId: r.device_id, contact: r.contact, phone: r.phone, email: r.email, billingAddress: r.billing_address, contract: r.contract, notes: r.notes, updatedAt: Number(r.updated_at) };
}

function invoiceOf(r: Selectable<InvoicesTable>): Invoice {
  return {
    id: Number(r.id),
    deviceId: r.device_id,
    number: r.number,
    issuedAt: Number(r.issued_at),
    periodStart: Number(r.period_start),
    periodEnd: Number(r.period_end),
    amountCents: Number(r.amount_cents),
    currency: r.currency,
    text: r.text,
    status: r.status,
    createdAt: Number(r.created_at),
    createdBy: r.created_by,
  };
}
