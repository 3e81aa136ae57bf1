import type { Selectable } from 'kysely';
import { recordAudit } from './audit-trail.js';
import type { CentreDatabase } from './centre-database.js';
import type { Actor } from './device-registry.js';
import { rightsOf, type PortalRight } from './portal-rights.js';
import type { PortalGrantsTable } from './schema.js';
import { affected, query } from './work.js';

/** One person's rights on one device (users ↔ devices many-to-many, spec §5.3). */
export interface PortalGrant {
  id: number;
  accountId: number;
  deviceId: string;
  rights: PortalRight[];
  /** The grant's IP allowlist as stored ('' = wherever the account may be used). */
  networks: string;
  createdAt: number;
  createdBy: string;
}

export class PortalGrantError extends Error {
  override name = 'PortalGrantError';
}

/** Grants (migration 0005); each change commits with its audit entry, named by account and device. */
export class PortalGrants {
  constructor(readonly db: CentreDatabase) {}

  /** Give `accountId` these rights on `deviceId` (replacing a grant it had there). */
  async set(accountId: number, accountName: string, deviceId: string, rights: number, networks: string, by: Actor, at: number): Promise<void> {
    const qb = this.db.kysely;
    const ok = await this.db.run(function* () {
      const dev = yield* query(qb.selectFrom('devices').select('id').where('id', '=', deviceId));
      if (dev.rows.length === 0) return false;
      yield* query(
        qb
          .insertInto('portal_grants')
          .values({ account_id: accountId, device_id: deviceId, rights, networks, created_at: at, created_by: by.actor })
          .onConflict((oc) => oc.columns(['account_id', 'device_id']).doUpdateSet({ rights, networks, created_at: at, created_by: by.actor })),
      );
      yield* recordAudit(qb, { at, ...by, action: 'grant.set', target: deviceId, detail: { account: accountName, rights: rightsOf(rights), networks } });
      return true;
    });
    if (!ok) throw new PortalGrantError(`no device ${deviceId}`);
  }

  /** Take a grant away; false when there was none. */
  async remove(accountId: number, accountName: string, deviceId: string, by: Actor, at: number): Promise<boolean> {
    const qb = this.db.kysely;
    return this.db.run(function* () {
      const del = yield* query(qb.deleteFrom('portal_grants').where('account_id', '=', accountId).where('device_id', '=', deviceId));
      if (affected(del) === 0) return false;
      yield* recordAudit(qb, { at, ...by, action: 'grant.remove', target: deviceId, detail: { account: accountName } });
      return true;
    });
  }

  async forAccount(accountId: number): Promise<PortalGrant[]> {
    return (await this.db.kysely.selectFrom('portal_grants').selectAll().where('account_id', '=', accountId).orderBy('device_id').execute()).map(grantOf);
  }

  async forDevice(deviceId: string): Promise<PortalGrant[]> {
    return (await this.db.kysely.selectFrom('portal_grants').selectAll().where('device_id', '=', deviceId).orderBy('account_id').execute()).map(grantOf);
  }

  async get(accountId: number, deviceId: string): Promise<PortalGrant | undefined> {
    const row = await this.db.kysely.selectFrom('portal_grants').selectAll().where('account_id', '=', accountId).where('device_id', '=', deviceId).executeTakeFirst();
    return row && grantOf(row);
  }

  /** The account's grants that carry an IP allowlist of their own (usually few): the access scope judges them per request. */
  async restricted(accountId: number): Promise<Array<{ id: number; networks: string }>> {
    const rows = await this.db.kysely.selectFrom('portal_grants').select(['id', 'networks']).where('account_id', '=', accountId).where('networks', '<>', '').execute();
    return rows.map((r) => ({ id: Number(r.id), networks: r.networks }));
  }

  async count(accountId: number): Promise<number> {
    const row = await this.db.kysely.selectFrom('portal_grants').select((eb) => eb.fn.countAll<number>().as('n')).where('account_id', '=', accountId).executeTakeFirstOrThrow();
    return Number(row.n);
  }
}

function grantOf(r: Selectable<PortalGrantsTable>): PortalGrant {
  return { id: Number(r.id), accountId: Number(r.account_id), deviceId: r.device_id, rights: rightsOf(Number(r.rights)), networks: r.networks, createdAt: Number(r.created_at), createdBy: r.created_by };
}
