import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { PortalAccount } from '../database/portal-accounts.js';
import { PORTAL_RIGHTS, rightBit, rightsOf, type PortalRight } from '../database/portal-rights.js';
import type { Database } from '../database/schema.js';

/** The control room sees every device with every right; partners only through their grants. */
export function isControlRoom(account: Pick<PortalAccount, 'role'>): boolean {
  return account.role === 'manager' || account.role === 'operator';
}

/**
 * The one access filter (spec §5.3: "no page, export, API call or live
 * event shows a device, report or customer outside the user's grants").
 * Every read of the portal takes a scope and restricts its device column
 * with `devicesWhere`, which for a partner is
 *
 *   device_id in (select device_id from portal_grants
 *                 where account_id = :me and rights & :right <> 0
 *                   and (networks = '' or id in (:grants usable from here)))
 *
 * so one SQL condition decides, on both engines, for lists, counts,
 * exports and single rows alike. A grant with an IP allowlist counts only
 * when the request comes from one of its networks (judged when the scope is
 * made, per request, by `person-access.ts`).
 */
export class AccessScope {
  constructor(
    readonly account: PortalAccount,
    /** Grants with an allowlist of their own that allow this request's address. */
    readonly usableRestricted: readonly number[],
  ) {}

  get controlRoom(): boolean {
    return isControlRoom(this.account);
  }

  /** The device ids this person may use with `right`, as a subquery. */
  grantedDevices(qb: Kysely<Database>, right: PortalRight) {
    const bit = rightBit(right);
    const usable = this.usableRestricted;
    return qb
      .selectFrom('portal_grants')
      .select('portal_grants.device_id')
      .where('portal_grants.account_id', '=', this.account.id)
      .where(sql<boolean>`(${sql.ref('portal_grants.rights')} & ${bit}) <> 0`)
      .where((eb) => (usable.length === 0 ? eb('portal_grants.networks', '=', '') : eb.or([eb('portal_grants.networks', '=', ''), eb('portal_grants.id', 'in', [...usable])])));
  }

  /**
   * A where-clause for a query whose rows carry a device id in `column`:
   * always true for the control room, the grant subquery for partners.
   */
  devicesWhere(qb: Kysely<Database>, column: string, right: PortalRight): RawBuilder<boolean> {
    return this.controlRoom ? sql<boolean>`1 = 1` : sql<boolean>`${sql.ref(column)} in (${this.grantedDevices(qb, right)})`;
  }

  /** Scopes with the same key see the same devices (the control room every one; a partner through the grants usable from here). */
  get key(): string {
    return this.controlRoom ? 'control-room' : `${this.account.id}:${this.usableRestricted.join(',')}`;
  }

  /** Of `deviceIds`, those this person may use with `right`; one query for partners. */
  async allowedAmong(qb: Kysely<Database>, right: PortalRight, deviceIds: readonly string[]): Promise<Set<string>> {
    if (this.controlRoom || deviceIds.length === 0) return new Set(this.controlRoom ? deviceIds : []);
    const rows = await this.grantedDevices(qb, right).where('portal_grants.device_id', 'in', [...deviceIds]).execute();
    return new Set(rows.map((r) => r.device_id));
  }

  /** May this person use `right` on `deviceId`? One query for partners. */
  async may(qb: Kysely<Database>, right: PortalRight, deviceId: string): Promise<boolean> {
    if (this.controlRoom) return (await qb.selectFrom('devices').select('id').where('id', '=', deviceId).executeTakeFirst()) !== undefined;
    const row = await this.grantedDevices(qb, right).where('portal_grants.device_id', '=', deviceId).executeTakeFirst();
    return row !== undefined;
  }

  /** Every right this person holds on `deviceId` (what a page offers); one query. */
  async rightsOn(qb: Kysely<Database>, deviceId: string): Promise<Set<PortalRight>> {
    if (this.controlRoom) return new Set(PORTAL_RIGHTS);
    const g = await qb.selectFrom('portal_grants').select(['id', 'rights', 'networks']).where('account_id', '=', this.account.id).where('device_id', '=', deviceId).executeTakeFirst();
    if (!g || (g.networks !== '' && !this.usableRestricted.includes(Number(g.id)))) return new Set();
    return new Set(rightsOf(Number(g.rights)));
  }
}
