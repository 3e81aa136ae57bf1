import type { Selectable } from 'kysely';
import { recordAudit } from './audit-trail.js';
import type { CentreDatabase } from './centre-database.js';
import type { Actor } from './device-registry.js';
import type { PartnerKind, PortalAccountsTable, PortalRole } from './schema.js';
import { query } from './work.js';

/** A person of the portal as the pages see it: never the password hash. */
export interface PortalAccount {
  id: number;
  name: string;
  displayName: string;
  role: PortalRole;
  partnerKind: PartnerKind;
  /** The account's IP allowlist as stored ('' = anywhere). */
  networks: string;
  state: 'active' | 'disabled';
  createdAt: number;
  createdBy: string;
  updatedAt: number;
  lastLoginAt: number | null;
  lastLoginAddress: string | null;
}

export interface NewAccount {
  name: string;
  displayName: string;
  role: PortalRole;
  partnerKind: PartnerKind;
  passwordHash: string;
  networks: string;
}

export type AccountChange = Partial<Pick<PortalAccount, 'displayName' | 'role' | 'partnerKind' | 'networks' | 'state'>>;

export class PortalAccountError extends Error {
  override name = 'PortalAccountError';
}

/**
 * The portal's people (migration 0005). Every change commits with its
 * audit entry; the password hash goes in and is read only by `credentials`
 * for the login check.
 */
export class PortalAccounts {
  constructor(readonly db: CentreDatabase) {}

  async create(a: NewAccount, by: Actor, at: number): Promise<PortalAccount> {
    const qb = this.db.kysely;
    const id = await this.db.run(function* () {
      const taken = yield* query(qb.selectFrom('portal_accounts').select('id').where('name', '=', a.name));
      if (taken.rows.length > 0) return undefined;
      const { rows } = yield* query(
        qb
          .insertInto('portal_accounts')
          .values({ name: a.name, display_name: a.displayName, role: a.role, partner_kind: a.partnerKind, password_hash: a.passwordHash, networks: a.networks, state: 'active', created_at: at, created_by: by.actor, updated_at: at })
          .returning('id'),
      );
      yield* recordAudit(qb, { at, ...by, action: 'account.create', target: a.name, detail: { role: a.role, partnerKind: a.partnerKind, networks: a.networks } });
      return Number(rows[0].id);
    });
    if (id === undefined) throw new PortalAccountError(`an account named ${a.name} exists already`);
    return (await this.get(id))!;
  }

  async get(id: number): Promise<PortalAccount | undefined> {
    const row = await this.db.kysely.selectFrom('portal_accounts').selectAll().where('id', '=', id).executeTakeFirst();
    return row && accountOf(row);
  }

  async byName(name: string): Promise<PortalAccount | undefined> {
    const row = await this.db.kysely.selectFrom('portal_accounts').selectAll().where('name', '=', name).executeTakeFirst();
    return row && accountOf(row);
  }

  /** For the login check only: the account and its password hash. */
  async credentials(name: string): Promise<{ account: PortalAccount; passwordHash: string } | undefined> {
    const row = await this.db.kysely.selectFrom('portal_accounts').selectAll().where('name', '=', name).executeTakeFirst();
    return row && { account: accountOf(row), passwordHash: row.password_hash };
  }

  async list(): Promise<PortalAccount[]> {
    return (await this.db.kysely.selectFrom('portal_accounts').selectAll().orderBy('name').execute()).map(accountOf);
  }

  async count(): Promise<number> {
    const row = await this.db.kysely.selectFrom('portal_accounts').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async update(id: number, change: AccountChange, by: Actor, at: number): Promise<PortalAccount> {
    const qb = this.db.kysely;
    const set = {
      ...(change.displayName !== undefined ? { display_name: change.displayName } : {}),
      ...(change.role !== undefined ? { role: change.role } : {}),
      ...(change.partnerKind !== undefined ? { partner_kind: change.partnerKind } : {}),
      ...(change.networks !== undefined ? { networks: change.networks } : {}),
      ...(change.state !== undefined ? { state: change.state } : {}),
      updated_at: at,
    };
    const name = await this.db.run(function* () {
      const { rows } = yield* query(qb.updateTable('portal_accounts').set(set).where('id', '=', id).returning('name'));
      if (rows.length === 0) return undefined;
      yield* recordAudit(qb, { at, ...by, action: 'account.update', target: rows[0].name, detail: { ...change } });
      return rows[0].name;
    });
    if (name === undefined) throw new PortalAccountError(`no account ${id}`);
    return (await this.get(id))!;
  }

  async setPassword(id: number, passwordHash: string, by: Actor, at: number): Promise<void> {
    const qb = this.db.kysely;
    const ok = await this.db.run(function* () {
      const { rows } = yield* query(qb.updateTable('portal_accounts').set({ password_hash: passwordHash, updated_at: at }).where('id', '=', id).returning('name'));
      if (rows.length === 0) return false;
      yield* recordAudit(qb, { at, ...by, action: 'account.password', target: rows[0].name });
      return true;
    });
    if (!ok) throw new PortalAccountError(`no account ${id}`);
  }

  async recordLogin(id: number, at: number, address: string): Promise<void> {
    const qb = this.db.kysely;
    await this.db.run(function* () {
      yield* query(qb.updateTable('portal_accounts').set({ last_login_at: at, last_login_address: address }).where('id', '=', id));
    });
  }
}

function accountOf(r: Selectable<PortalAccountsTable>): PortalAccount {
  return {
    id: Number(r.id),
    name: r.name,
    displayName: r.display_name,
    role: r.role,
    partnerKind: r.partner_kind,
    networks: r.networks,
    state: r.state,
    createdAt: Number(r.created_at),
    createdBy: r.created_by,
    updatedAt: Number(r.updated_at),
    lastLoginAt: r.last_login_at === null ? null : Number(r.last_login_at),
    lastLoginAddress: r.last_login_address,
  };
}
