import type { MasterKey } from '../storage/master-key.js';
import { recordAudit } from './audit-trail.js';
import type { CentreDatabase } from './centre-database.js';
import type { MaintenanceAccessTable } from './schema.js';
import { affected, query } from './work.js';

/**
 * How the centre reaches one PBX for its maintenance visits (spec §5.4,
 * docs/maintenance-plans.md): over the LAN where it has teleservice, else by
 * modem with the customer PIN or the callback its KDS configures.
 */
export interface DeviceAccess {
  deviceId: string;
  /** LAN teleservice: `host`/`port` as the provider network reaches it, and the route from the centre there (`direct`, `bind:ADDR`, `netns:NAME`). */
  lan?: { host: string; port: number; route: string };
  /** The PBX's IMOD number; with `callbackIndex` the PBX calls back on that index (the code is a secret). */
  modem?: { number: string; callbackIndex?: number };
  /** The PBX user the centre logs in as; a plan visits only with its own service user. */
  serviceUser: string;
  /** The customer PIN (the PIN gate of modem and LAN teleservice alike). */
  pin: string;
  password: string;
  callbackCode?: string;
}

/**
 * What an access may hold, checked wherever one is entered (the CLI, the
 * portal's form): the seed's customer PIN is five digits (seed 003), a PBX
 * user name and password are at most 16 characters, a callback code at
 * most six digits, callback indices 1–6.
 */
export const ACCESS_RULES = {
  number: /^[0-9*#]{1,32}$/,
  serviceUser: /^[A-Za-z0-9._-]{1,16}$/,
  pin: /^\d{5}$/,
  password: /^.{1,16}$/u,
  callbackCode: /^\d{1,6}$/,
  callbackIndex: /^[1-6]$/,
} as const;

interface Secrets {
  pin: string;
  password: string;
  callbackCode?: string;
}

export class MaintenanceAccessError extends Error {
  override name = 'MaintenanceAccessError';
}

const sealContext = (deviceId: string): string => `maintenance access ${deviceId}`;

/**
 * The access records, secrets sealed under the centre's master key with
 * the device id as context (spec §5.3: secrets only encrypted at rest), so
 * the database alone reveals no PIN or password.
 */
export class MaintenanceAccess {
  constructor(private readonly db: CentreDatabase, private readonly master: MasterKey) {}

  /** Store (or replace) a device's access; audited without its secrets. */
  async set(access: DeviceAccess, by: { actor: string; address?: string }, at: number): Promise<void> {
    const qb = this.db.kysely;
    const secrets: Secrets = { pin: access.pin, password: access.password, ...(access.callbackCode !== undefined ? { callbackCode: access.callbackCode } : {}) };
    const row: MaintenanceAccessTable = {
      device_id: access.deviceId,
      lan_address: access.lan ? `${access.lan.host.includes(':') ? `[${access.lan.host}]` : access.lan.host}:${access.lan.port}` : null,
      lan_route: access.lan?.route ?? null,
      modem_number: access.modem?.number ?? null,
      callback_index: access.modem?.callbackIndex ?? null,
      service_user: access.serviceUser,
      secrets_sealed: this.master.seal(Buffer.from(JSON.stringify(secrets), 'utf8'), sealContext(access.deviceId)),
      updated_at: at,
    };
    const stored = await this.db.run(function* () {
      const known = yield* query(qb.selectFrom('devices').select('id').where('id', '=', access.deviceId));
      if (known.rows.length === 0) return false;
      yield* query(qb.deleteFrom('maintenance_access').where('device_id', '=', access.deviceId));
      yield* query(qb.insertInto('maintenance_access').values(row));
      yield* recordAudit(qb, { at, ...by, action: 'maintenance.access.set', target: access.deviceId, detail: { lan: row.lan_address, route: row.lan_route, modem: row.modem_number, callbackIndex: row.callback_index, serviceUser: row.service_user } });
      return true;
    });
    if (!stored) throw new MaintenanceAccessError(`device: ${access.deviceId} is not registered (see centre device list)`);
  }

  async remove(deviceId: string, by: { actor: string; address?: string }, at: number): Promise<boolean> {
    const qb = this.db.kysely;
    return this.db.run(function* () {
      const gone = affected(yield* query(qb.deleteFrom('maintenance_access').where('device_id', '=', deviceId)));
      if (gone > 0) yield* recordAudit(qb, { at, ...by, action: 'maintenance.access.remove', target: deviceId });
      return gone > 0;
    });
  }

  /** The access of each device named that has one, secrets opened. */
  async of(deviceIds: readonly string[]): Promise<Map<string, DeviceAccess>> {
    if (deviceIds.length === 0) return new Map();
    const rows = await this.db.kysely.selectFrom('maintenance_access').selectAll().where('device_id', 'in', [...deviceIds]).execute();
    return new Map(rows.map((r) => [r.device_id, this.#accessOf(r)]));
  }

  /** Every device with an access record, without its secrets (for listings). */
  async list(): Promise<Array<Omit<DeviceAccess, 'pin' | 'password' | 'callbackCode'>>> {
    const rows = await this.db.kysely.selectFrom('maintenance_access').selectAll().orderBy('device_id').execute();
    return rows.map((r) => {
      const { pin: _pin, password: _password, callbackCode: _code, ...rest } = this.#accessOf(r);
      return rest;
    });
  }

  #accessOf(r: MaintenanceAccessTable): DeviceAccess {
    const secrets = JSON.parse(this.master.open(Buffer.from(r.secrets_sealed), sealContext(r.device_id)).toString('utf8')) as Secrets;
    const lan = r.lan_address ? splitHostPort(r.lan_address) : undefined;
    return {
      deviceId: r.device_id,
      ...(lan ? { lan: { ...lan, route: r.lan_route ?? 'direct' } } : {}),
      ...(r.modem_number !== null ? { modem: { number: r.modem_number, ...(r.callback_index !== null ? { callbackIndex: Number(r.callback_index) } : {}) } } : {}),
      serviceUser: r.service_user,
      ...secrets,
    };
  }
}

/** `host:port` or `[v6]:port`. */
export function splitHostPort(text: string): { host: string; port: number } | undefined {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text);
  const port = Number(m?.[3]);
  if (!m || port < 1 || port > 65_535) return undefined;
  return { host: m[1] ?? m[2], port };
}
