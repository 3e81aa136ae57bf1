import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ACCESS_RULES, type DeviceAccess } from '../database/maintenance-access.js';
import type { Device } from '../database/device-registry.js';
import { utc } from './history-views.js';
import { DEVICE_ID_PARAMS, field, FORM_BODY_LIMIT, pageRoute, seeOther, type PortalKit } from './portal-kit.js';
import { personOf } from './session-authenticator.js';

/** Audit actions of the access store (`MaintenanceAccess`): the last one says who set or removed it, and when. */
const SET_ACTION = 'maintenance.access.set';
const REMOVE_ACTION = 'maintenance.access.remove';

/** What the device page shows of a PBX's modem access: never a secret, only that one is stored and since when. */
export interface ModemAccessView {
  /** The centre has an access store in this process (`centre serve` has one: the master key). */
  available: boolean;
  /** The manager may change it here. */
  editable: boolean;
  number: string;
  callbackIndex: string;
  serviceUser: string;
  /** One line: how the centre calls, or that it cannot. */
  summary: string;
  /** "PIN, password stored, set … by …", or empty. */
  stored: string;
}

/**
 * The control room's view of how the centre reaches a PBX by modem (the
 * `maintenance_access` the test calls and the maintenance visits use), for
 * the device page; undefined for anyone else and for key depots.
 */
export async function modemAccessView(app: FastifyInstance, request: FastifyRequest, device: Device): Promise<ModemAccessView | undefined> {
  const role = personOf(request).account.role;
  if (device.kind !== 'pbx' || (role !== 'manager' && role !== 'operator')) return undefined;
  const store = app.centre.deviceAccess;
  const editable = role === 'manager' && store !== undefined;
  if (!store) return { available: false, editable, number: '', callbackIndex: '', serviceUser: '', summary: 'This centre process has no access store (run the portal in hicom-sim centre serve).', stored: '' };
  const access = (await store.of([device.id])).get(device.id);
  const last = await app.centre.db.kysely
    .selectFrom('audit_trail')
    .select(['actor', 'at', 'action'])
    .where('target', '=', device.id)
    .where('action', 'in', [SET_ACTION, REMOVE_ACTION])
    .orderBy('at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  const modem = access?.modem;
  const when = last ? `${utc(Number(last.at))} UTC by ${last.actor}` : '';
  if (!access || !modem) {
    return { available: true, editable, number: '', callbackIndex: '', serviceUser: access?.serviceUser ?? '', summary: 'No modem access stored: the centre cannot call this PBX.', stored: when ? `Last changed ${when}.` : '' };
  }
  const how = modem.callbackIndex === undefined ? `dials ${modem.number} with the customer PIN` : `dials ${modem.number} and asks for a callback on index ${modem.callbackIndex}`;
  const secrets = ['PIN', 'password', ...(access.callbackCode !== undefined ? ['callback code'] : [])].join(', ');
  return {
    available: true,
    editable,
    number: modem.number,
    callbackIndex: modem.callbackIndex === undefined ? '' : String(modem.callbackIndex),
    serviceUser: access.serviceUser,
    summary: `The centre ${how} and logs in as ${access.serviceUser}.`,
    stored: `${secrets.charAt(0).toUpperCase()}${secrets.slice(1)} stored${when ? `, set ${when}` : ''}.`,
  };
}

/**
 * The modem access from the form, merged with what is stored: a secret left
 * empty keeps the stored one (secrets are write-only), the LAN part of the
 * access is kept. A string is the reason it is refused.
 */
function accessFrom(deviceId: string, body: unknown, stored: DeviceAccess | undefined): DeviceAccess | string {
  const number = field(body, 'number', 40);
  const index = field(body, 'callbackIndex', 2);
  const serviceUser = field(body, 'serviceUser', 40);
  // Secrets are taken as typed (a password may begin or end with a space).
  const secret = (name: string) => {
    const v = (body as Record<string, unknown> | undefined)?.[name];
    return typeof v === 'string' ? v.slice(0, 40) : '';
  };
  const pin = secret('pin') || stored?.pin || '';
  const password = secret('password') || stored?.password || '';
  const callbackCode = index === '' ? undefined : secret('callbackCode') || stored?.callbackCode;
  if (!ACCESS_RULES.number.test(number)) return 'the number to dial is digits (and * #), up to 32';
  if (index !== '' && !ACCESS_RULES.callbackIndex.test(index)) return 'the callback index is 1–6, or empty to dial in with the PIN';
  if (!ACCESS_RULES.serviceUser.test(serviceUser)) return 'the service user is a PBX user name (letters, digits . _ -, up to 16)';
  if (!ACCESS_RULES.pin.test(pin)) return stored ? 'the customer PIN is 5 digits' : 'the customer PIN (5 digits) is needed the first time';
  if (!ACCESS_RULES.password.test(password)) return stored ? "the service user's password is 1–16 characters" : "the service user's password is needed the first time";
  if (index !== '' && !ACCESS_RULES.callbackCode.test(callbackCode ?? '')) return 'with a callback index the callback code (1–6 digits) is needed';
  return {
    deviceId,
    ...(stored?.lan ? { lan: stored.lan } : {}),
    modem: { number, ...(index !== '' ? { callbackIndex: Number(index) } : {}) },
    serviceUser,
    pin,
    password,
    ...(callbackCode !== undefined ? { callbackCode } : {}),
  };
}

/**
 * The manager's form on a PBX's page (issue 12): set, change or remove how
 * the centre reaches the PBX by modem. PIN, password and callback code go
 * into the access store sealed under the master key and never come back to
 * a browser; every change is in the audit trail (the store records it, by
 * the person and address, without the secrets).
 */
export async function modemAccessPages(app: FastifyInstance, _kit: PortalKit): Promise<void> {
  const { registry, clock } = app.centre;
  const who = (request: FastifyRequest) => ({ actor: personOf(request).account.name, address: request.ip });
  const back = (id: string, outcome: string) => `/devices/${encodeURIComponent(id)}?${outcome.startsWith('!') ? `problem=${encodeURIComponent(outcome.slice(1))}` : `done=${outcome}`}#modem-access-h`;

  const form = (path: string, handle: (device: Device, body: unknown, request: FastifyRequest) => Promise<string>) =>
    app.post<{ Params: { id: string } }>(`/devices/:id/${path}`, { ...pageRoute('manager', FORM_BODY_LIMIT), schema: { params: DEVICE_ID_PARAMS } }, async (request, reply) => {
      const device = await registry.get(request.params.id);
      if (!device || device.kind !== 'pbx') return seeOther(reply, back(request.params.id, '!only a registered PBX has a modem access'));
      if (!app.centre.deviceAccess) return seeOther(reply, back(device.id, '!this centre process has no access store'));
      return seeOther(reply, back(device.id, await handle(device, request.body, request)));
    });

  form('modem-access', async (device, body, request) => {
    const store = app.centre.deviceAccess!;
    const access = accessFrom(device.id, body, (await store.of([device.id])).get(device.id));
    if (typeof access === 'string') return `!${access}`;
    await store.set(access, who(request), clock.now());
    return 'modem-access';
  });

  form('modem-access/remove', async (device, _body, request) => {
    const store = app.centre.deviceAccess!;
    const stored = (await store.of([device.id])).get(device.id);
    if (!stored?.modem) return '!no modem access is stored';
    // The LAN teleservice part of the access stays; only the modem way goes.
    if (stored.lan) await store.set({ ...stored, modem: undefined }, who(request), clock.now());
    else await store.remove(device.id, who(request), clock.now());
    return 'modem-access-removed';
  });
}
