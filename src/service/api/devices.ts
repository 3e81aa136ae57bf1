import type { FastifyPluginAsync } from 'fastify';
import { DeviceRegistryError, type Device, type DeviceSettings } from '../../database/device-registry.js';
import { CheckIns } from '../../database/check-ins.js';
import { RejectCounters, type RejectCount } from '../../database/reject-counters.js';
import { SupervisionStates, type SupervisionState } from '../../database/supervision-states.js';
import { DEVICE_TOPIC } from '../../centre/check-in-intake.js';
import { auditActor } from '../access.js';
import { conflict, HttpError, notFound } from './http-error.js';
import { deviceId, deviceSettings, idParams, limitQuery, listOf, ref } from './schemas.js';

const hhmm = (min: number) => `${String(Math.floor(min / 60)).padStart(2, '0')}:${String(min % 60).padStart(2, '0')}`;
const minutes = (s: string) => Number(s.slice(0, 2)) * 60 + Number(s.slice(3, 5));
const DAY_MS = 86_400_000;

export function deviceView(d: Device) {
  return {
    id: d.id,
    kind: d.kind,
    customerName: d.customerName,
    customerNumber: d.customerNumber,
    siteName: d.siteName,
    siteAddress: d.siteAddress,
    intervalSeconds: d.checkInIntervalMs / 1000,
    graceSeconds: d.graceMs / 1000,
    missingAfter: d.missingAfter,
    functionTestDays: d.functionTestPeriodMs === null ? null : d.functionTestPeriodMs / DAY_MS,
    testGraceSeconds: d.testGraceMs / 1000,
    testWindow: d.testWindow ? { start: hhmm(d.testWindow.startMin), end: hhmm(d.testWindow.endMin) } : null,
    keyVersion: d.keyVersion,
    createdAt: d.createdAt,
    updatedAt: d.updatedAt,
  };
}

interface SettingsBody {
  customerName?: string;
  customerNumber?: string;
  siteName?: string;
  siteAddress?: string;
  intervalSeconds?: number;
  graceSeconds?: number;
  missingAfter?: number;
  functionTestDays?: number | null;
  testGraceSeconds?: number;
  testWindow?: { start: string; end: string } | null;
}

function settingsOf(b: SettingsBody): Partial<DeviceSettings> {
  const s: Partial<DeviceSettings> = {};
  if (b.customerName !== undefined) s.customerName = b.customerName;
  if (b.customerNumber !== undefined) s.customerNumber = b.customerNumber;
  if (b.siteName !== undefined) s.siteName = b.siteName;
  if (b.siteAddress !== undefined) s.siteAddress = b.siteAddress;
  if (b.intervalSeconds !== undefined) s.checkInIntervalMs = b.intervalSeconds * 1000;
  if (b.graceSeconds !== undefined) s.graceMs = b.graceSeconds * 1000;
  if (b.missingAfter !== undefined) s.missingAfter = b.missingAfter;
  if (b.functionTestDays !== undefined) s.functionTestPeriodMs = b.functionTestDays === null ? null : b.functionTestDays * DAY_MS;
  if (b.testGraceSeconds !== undefined) s.testGraceMs = b.testGraceSeconds * 1000;
  if (b.testWindow !== undefined) s.testWindow = b.testWindow === null ? null : { startMin: minutes(b.testWindow.start), endMin: minutes(b.testWindow.end) };
  return s;
}

/** The supervision view: state plus what was refused since the last accepted check-in. */
export function supervisionView(s: SupervisionState, rejects: readonly RejectCount[]) {
  const since = s.lastCheckInAt ?? 0;
  const rejected: Record<string, number> = {};
  for (const r of rejects) if (r.deviceId === s.deviceId && r.lastAt > since) rejected[r.reason] = r.count;
  return { ...s, rejected };
}

function registryError(err: unknown): never {
  if (err instanceof DeviceRegistryError) {
    if (/^no device /.test(err.message)) throw notFound(err.message);
    if (/already registered/.test(err.message)) throw conflict(err.message);
    throw new HttpError(400, err.message);
  }
  throw err;
}

/** /api/v1/devices: the registry, each device's check-ins, supervision and rejects. */
export const devicesApi: FastifyPluginAsync = async (app) => {
  const { registry, db, bus } = app.centre;
  const checkIns = new CheckIns(db);
  const rejects = new RejectCounters(db);
  const states = new SupervisionStates(db);
  const changed = (id: string) => {
    app.centre.intake?.forget(id);
    bus.publish({ topic: DEVICE_TOPIC, id }).catch(() => undefined);
  };

  app.get('/devices', { config: { access: 'read' }, schema: { tags: ['devices'], summary: 'every registered device', response: { 200: listOf('Device') } } }, async () => (await registry.list()).map(deviceView));

  app.post<{ Body: SettingsBody & { id: string; kind: 'pbx' | 'key-depot' } }>(
    '/devices',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['devices'],
        summary: 'register a device; the reply carries its new key (base64), the only time it is shown',
        body: { type: 'object', required: ['id', 'kind'], additionalProperties: false, properties: { id: deviceId, kind: { type: 'string', enum: ['pbx', 'key-depot'] }, ...deviceSettings } },
        response: { 201: { type: 'object', properties: { device: ref('Device'), key: { type: 'string' } } } },
      },
    },
    async (request, reply) => {
      const { id, kind, ...settings } = request.body;
      const added = await registry.add(id, kind, settingsOf(settings), auditActor(request)).catch(registryError);
      reply.code(201);
      return { device: deviceView(added.device), key: added.key.toString('base64') };
    },
  );

  app.get<{ Params: { id: string } }>('/devices/:id', { config: { access: 'read' }, schema: { tags: ['devices'], summary: 'one device (never its key)', params: idParams, response: { 200: ref('Device') } } }, async (request) => {
    const d = await registry.get(request.params.id);
    if (!d) throw notFound(`no device ${request.params.id}`);
    return deviceView(d);
  });

  app.patch<{ Params: { id: string }; Body: SettingsBody }>(
    '/devices/:id',
    { config: { access: 'admin' }, schema: { tags: ['devices'], summary: "change a device's settings", params: idParams, body: { type: 'object', additionalProperties: false, minProperties: 1, properties: deviceSettings }, response: { 200: ref('Device') } } },
    async (request) => {
      const d = await registry.update(request.params.id, settingsOf(request.body), auditActor(request)).catch(registryError);
      changed(d.id);
      return deviceView(d);
    },
  );

  app.delete<{ Params: { id: string } }>('/devices/:id', { config: { access: 'admin' }, schema: { tags: ['devices'], summary: 'remove a device (its history stays)', params: idParams, response: { 204: { type: 'null' } } } }, async (request, reply) => {
    if (!(await registry.remove(request.params.id, auditActor(request)))) throw notFound(`no device ${request.params.id}`);
    changed(request.params.id);
    reply.code(204);
  });

  app.post<{ Params: { id: string } }>(
    '/devices/:id/rekey',
    { config: { access: 'admin' }, schema: { tags: ['devices'], summary: 'a new key for the device (its counters start afresh); the reply carries it', params: idParams, response: { 200: { type: 'object', properties: { device: ref('Device'), key: { type: 'string' } } } } } },
    async (request) => {
      const r = await registry.rekey(request.params.id, auditActor(request)).catch(registryError);
      changed(request.params.id);
      return { device: deviceView(r.device), key: r.key.toString('base64') };
    },
  );

  app.get<{ Params: { id: string }; Querystring: { limit: number } }>(
    '/devices/:id/check-ins',
    { config: { access: 'read' }, schema: { tags: ['devices'], summary: 'recent accepted check-ins, newest first', params: idParams, querystring: { type: 'object', additionalProperties: false, properties: limitQuery }, response: { 200: listOf('CheckIn') } } },
    async (request) => checkIns.recent(request.params.id, request.query.limit),
  );

  app.get<{ Params: { id: string } }>('/devices/:id/supervision', { config: { access: 'read' }, schema: { tags: ['supervision'], summary: "the device's supervision state", params: idParams, response: { 200: ref('Supervision') } } }, async (request) => {
    const s = await states.get(request.params.id);
    if (!s) throw notFound(`no supervision state for ${request.params.id} (not registered?)`);
    return supervisionView(s, await rejects.list(s.deviceId));
  });

  app.get<{ Params: { id: string } }>('/devices/:id/rejects', { config: { access: 'read' }, schema: { tags: ['devices'], summary: 'telegrams refused under this device id, by reason', params: idParams, response: { 200: listOf('Reject') } } }, async (request) => rejects.list(request.params.id));
};
