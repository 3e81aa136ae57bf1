import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { formatReportText } from '../centre/report-text.js';
import { EVENTS_TOPIC } from '../centre/supervision-store.js';
import type { ErrorReport } from '../../firmware-sim/error-report.js';
import { recordPinSet, recordUserRemoved, DepotRecords } from '../database/depot-records.js';
import { deviceCheckIns } from '../database/check-ins.js';
import { queueCommand } from '../database/device-commands.js';
import type { Device } from '../database/device-registry.js';
import { EventLogError } from '../database/event-log.js';
import type { PortalRight } from '../database/portal-rights.js';
import type { EventsTable } from '../database/schema.js';
import { commandFields } from '../service/api/commands.js';
import { BY_MODEM, TEST_CALL_CALLBACK_MS, TEST_CALL_DIAL_MS, TEST_CALL_EVENT, TEST_CALL_TOPIC } from '../service/modem-test-call.js';
import { fleetOverview, FLEET_STATES, STATE_LABELS, type FleetState } from './fleet-overview.js';
import { historyCsv, historyPdf } from './history-export.js';
import { EXPORT_ROWS, HISTORY_KINDS, HISTORY_LABELS, historyTable, PAGE_ROWS, utc, type HistoryKind } from './history-views.js';
import { dataJson } from './page-renderer.js';
import { heardEvery } from '../centre/supervision-rules.js';
import { modemAccessView } from './modem-access-pages.js';
import { DEVICE_ID_PARAMS, field, FORM_BODY_LIMIT, html, pageContext, pageRoute, periodOf, printable, seeOther, type PortalKit } from './portal-kit.js';
import { deviceRightsOf, personOf } from './session-authenticator.js';
import type { Selectable } from 'kysely';

const DAY_MS = 86_400_000;
const KIND_LABELS = { pbx: 'PBX', 'key-depot': 'Key depot' } as const;
const ALARM_TYPES = new Set(['class-b-error', 'error', 'tamper', 'power-loss', 'door-open', 'wrong-pin', 'queue-overflow', 'settings-lost']);
const idParams = DEVICE_ID_PARAMS;

type EventRow = Selectable<EventsTable>;

/** A line a person reads for an event. */
export function eventText(type: string, data: Record<string, unknown>): string {
  if (type === 'key-taken' || type === 'key-returned') return `compartment ${String(data.compartment)}, ${type === 'key-taken' ? 'taken by' : 'returned by'} ${String(data.holder ?? 'unknown')}`;
  if (type === 'class-b-error' || type === 'error' || type === 'function-test') return `${data.code !== undefined ? `code ${String(data.code)}` : ''}${data.location ? ` at ${String(data.location)}` : ''}${data.text ? `: ${String(data.text)}` : ''}`.trim();
  if (type === 'test') return `self test: ${String(data.result ?? '')}`;
  if (type === TEST_CALL_EVENT) return String(data.text ?? data.outcome ?? '');
  if (type === 'command') return `command ${String(data.command)}: ${String(data.result)}${data.detail ? ` (${String(data.detail)})` : ''}`;
  return Object.entries(data)
    .map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(', ');
}

function eventClass(type: string, life: string): FleetState {
  if (type === 'missing') return 'missing';
  if (type === 'late') return 'late';
  if (type === TEST_CALL_EVENT) return 'ok';
  if (type.includes('test') && type !== 'test') return 'test-overdue';
  return ALARM_TYPES.has(type) && life === 'active' ? 'alarm' : 'ok';
}

/** An event as the live stream sends it. */
export function liveEvent(r: EventRow) {
  const data = JSON.parse(r.data) as Record<string, unknown>;
  // A test call's outcome also tells the waiting page what to do next (wait for the report, or stop).
  const call = r.type === TEST_CALL_EVENT ? { outcome: String(data.outcome), waitMs: Number(data.waitMs ?? 0) } : {};
  return { id: Number(r.id), deviceId: r.device_id, type: r.type, text: eventText(r.type, data), occurredAt: utc(Number(r.occurred_at)), stateClass: eventClass(r.type, r.life), ...call };
}

function stateOf(presence: string | undefined, test: string | undefined, alarms: number): FleetState {
  if (alarms > 0) return 'alarm';
  if (presence === 'missing' || presence === 'late') return presence;
  if (test === 'overdue' || test === 'outside-window') return 'test-overdue';
  return presence === 'ok' ? 'ok' : 'unknown';
}

function duration(ms: number): string {
  if (ms >= 2 * 3600_000 && ms % 3600_000 === 0) return `${ms / 3600_000} h`;
  return ms % 60_000 === 0 ? `${ms / 60_000} min` : `${ms / 1000} s`;
}

/** What the device's presence is judged by, in words (docs/centre-service.md "Supervision"). */
function supervisedBy(device: Device): string {
  if (device.supervise !== 'reports') return `its check-ins, every ${duration(device.checkInIntervalMs)}`;
  const { intervalMs, graceMs } = heardEvery(device);
  return `its reports by modem (late after ${duration(intervalMs + graceMs)} without one)`;
}

/** The fleet overview, the device pages, their history and exports, tests, and the depot's management. */
export async function devicePages(app: FastifyInstance, kit: PortalKit): Promise<void> {
  const { db, commands, registry, events, clock, bus } = app.centre;
  const qb = db.kysely;
  const depots = new DepotRecords(db);
  const who = (request: FastifyRequest) => ({ actor: personOf(request).account.name, address: request.ip });

  app.get<{ Querystring: Record<string, string | undefined> }>('/', pageRoute('public'), async (_request, reply) => seeOther(reply, '/fleet'));

  app.get<{ Querystring: Record<string, string | undefined> }>('/fleet', pageRoute('person'), async (request, reply) => {
    const q = request.query;
    const state = FLEET_STATES.includes(q.state as FleetState) ? (q.state as FleetState) : undefined;
    const kind = q.kind === 'pbx' || q.kind === 'key-depot' ? q.kind : undefined;
    const search = String(q.q ?? '').slice(0, 100);
    const pageNo = Math.max(1, Math.min(1_000_000, Number.parseInt(String(q.page ?? '1'), 10) || 1));
    const person = personOf(request);
    const fleet = await fleetOverview(qb, person.scope, { state, kind, search, page: pageNo });
    const link = (over: Record<string, string | number | undefined>) => {
      const p = new URLSearchParams();
      for (const [k, v] of Object.entries({ q: search || undefined, state, kind, ...over })) if (v !== undefined && v !== '') p.set(k, String(v));
      const s = p.toString();
      return `/fleet${s ? `?${s}` : ''}`;
    };
    const states = FLEET_STATES.map((s) => ({ key: s, label: STATE_LABELS[s], count: fleet.counts[s], href: link({ state: s === state ? undefined : s, page: undefined }), current: s === state }));
    const rows = fleet.rows.map((r) => ({ ...r, stateLabel: STATE_LABELS[r.state], kindLabel: KIND_LABELS[r.kind], lastCheckIn: r.lastCheckInAt === null ? 'never' : utc(r.lastCheckInAt) }));
    const page = kit.pages.render('overview', 'Fleet', pageContext(request, reply, 'fleet'), {
      states,
      rows,
      query: { q: search, state, kind },
      matching: fleet.matching,
      page: fleet.page,
      pages: fleet.pages,
      prev: fleet.page > 1 ? link({ page: fleet.page - 1 }) : undefined,
      next: fleet.page < fleet.pages ? link({ page: fleet.page + 1 }) : undefined,
    });
    return html(reply, page);
  });

  const notFound = (request: FastifyRequest, reply: FastifyReply, id: string) =>
    html(reply, kit.pages.render('message', 'Not found', pageContext(request, reply), { heading: 'No such device', text: `There is no device ${id}.` }), 404);

  app.get<{ Params: { id: string } }>('/devices/:id', { ...pageRoute('see-status'), schema: { params: idParams } }, async (request, reply) => {
    const id = request.params.id;
    const device = await registry.get(id);
    if (!device) return notFound(request, reply, id);
    const rights = deviceRightsOf(request);
    const now = clock.now();
    const sup = await qb.selectFrom('supervision_states').selectAll().where('device_id', '=', id).executeTakeFirst();
    const lastStatus = (await deviceCheckIns(id, { limit: 1 }).execute(qb)).rows[0];
    const open = rights.has('see-history') || rights.has('live')
      ? await qb.selectFrom('events').selectAll().where('device_id', '=', id).where((eb) => eb.or([eb('life', '=', 'active'), eb('ack', '=', 'unacknowledged')])).where('type', 'not in', ['key-taken', 'key-returned', 'present']).orderBy('id', 'desc').limit(50).execute()
      : [];
    const alarms = open.filter((e) => e.life === 'active' && e.ack === 'unacknowledged' && (e.source === 'device' || e.source === 'report')).length;
    const state = stateOf(sup?.presence, sup?.test, alarms);
    const commentsOf = async (eventId: number) => (await events.comments(eventId)).map((c) => `${c.author}, ${utc(c.at)}: ${c.text}`);
    const eventViews = [];
    for (const e of open) {
      let report: string | undefined;
      if (e.report_id !== null) {
        const r = await qb.selectFrom('reports').select(['decoded', 'received_at']).where('id', '=', Number(e.report_id)).executeTakeFirst();
        if (r) report = formatReportText({ report: JSON.parse(r.decoded) as ErrorReport, receivedAt: Number(r.received_at) });
      }
      const data = JSON.parse(e.data) as Record<string, unknown>;
      eventViews.push({
        id: Number(e.id),
        typeLabel: e.type,
        stateClass: eventClass(e.type, e.life),
        when: utc(Number(e.occurred_at)),
        summary: `${eventText(e.type, data)} (${e.life})`,
        report,
        ackText: e.ack === 'acknowledged' ? `Acknowledged by ${e.acknowledged_by ?? '?'} at ${utc(Number(e.acknowledged_at))} UTC` : 'Not acknowledged yet',
        comments: await commentsOf(Number(e.id)),
        canAck: rights.has('live') && e.ack === 'unacknowledged',
      });
    }
    let chartJson = '{}';
    let chartLabel = '';
    if (rights.has('see-history')) {
      const from = now - DAY_MS;
      const checkIns = (await deviceCheckIns(id, { limit: 5000, since: from }).execute(qb)).rows.sort((a, b) => Number(a.received_at) - Number(b.received_at));
      const dayEvents = await qb.selectFrom('events').select(['type', 'occurred_at', 'source', 'data']).where('device_id', '=', id).where('occurred_at', '>=', from).orderBy('occurred_at').limit(5000).execute();
      const gaps: Array<{ x: number; y: string; detail: string }> = [];
      // A gap is a silence longer than the device is expected to be silent (a PBX supervised by its reports: its function-test period).
      const expected = heardEvery(device);
      // Silence before the device was registered is no gap.
      let prev = Math.max(from, device.createdAt);
      for (const c of checkIns) {
        const t = Number(c.received_at);
        if (t - prev > expected.intervalMs + expected.graceMs) gaps.push({ x: prev + (t - prev) / 2, y: 'gaps', detail: `no check-in from ${utc(prev)} to ${utc(t)}` });
        prev = t;
      }
      if (now - prev > expected.intervalMs + expected.graceMs) gaps.push({ x: prev + (now - prev) / 2, y: 'gaps', detail: `no check-in since ${utc(prev)}` });
      const series = [
        { label: 'check-ins', color: '#1d5e20', points: checkIns.map((c) => ({ x: Number(c.received_at), y: 'check-ins', detail: `check-in ${utc(Number(c.received_at))}` })) },
        { label: 'gaps', color: '#9b1c0c', points: gaps },
        { label: 'supervision', color: '#7a4a00', points: dayEvents.filter((e) => e.source === 'supervision').map((e) => ({ x: Number(e.occurred_at), y: 'supervision', detail: `${e.type} ${utc(Number(e.occurred_at))}` })) },
        { label: 'events', color: '#0b4f9c', points: dayEvents.filter((e) => e.source !== 'supervision').map((e) => ({ x: Number(e.occurred_at), y: 'events', detail: `${e.type}: ${eventText(e.type, JSON.parse(e.data) as Record<string, unknown>)}` })) },
      ];
      chartJson = dataJson({ from, to: now, rows: ['check-ins', 'gaps', 'supervision', 'events'], series });
      chartLabel = `supervision of ${id} over the last 24 hours: ${series.map((s) => `${s.points.length} ${s.label}`).join(', ')}`;
    }
    const customer = rights.has('see-customer') ? await depots.customer(id) : undefined;
    const invoices = rights.has('see-customer')
      ? { columns: ['number', 'issued', 'period', 'amount', 'status', 'text'], rows: (await depots.invoices(id)).map((i) => [i.number, utc(i.issuedAt).slice(0, 10), `${utc(i.periodStart).slice(0, 10)} – ${utc(i.periodEnd - 1).slice(0, 10)}`, `${(i.amountCents / 100).toFixed(2)} ${i.currency}`, i.status, i.text]) }
      : undefined;
    let depot;
    if (device.kind === 'key-depot') {
      const status = lastStatus?.status ? (JSON.parse(lastStatus.status) as { keys?: number[] }) : {};
      const labels = await depots.compartments(id);
      const numbers = new Set([...labels.map((c) => c.number), ...(status.keys ?? [])]);
      const compartments = [...numbers].sort((a, b) => a - b).map((n) => {
        const l = labels.find((c) => c.number === n);
        return { number: n, present: status.keys ? (status.keys.includes(n) ? 'yes' : 'no') : 'not reported yet', label: l?.label ?? '', keyLabel: l?.keyLabel ?? '' };
      });
      const users = [];
      for (const u of await depots.users(id)) {
        if (u.state !== 'active') continue;
        const c = u.commandId === null ? undefined : await commands.get(id, u.commandId);
        const delivery = !c ? '' : c.state === 'acknowledged' ? (c.result === 'done' ? 'in the depot' : `refused by the depot: ${c.detail ?? c.result ?? ''}`) : c.state === 'delivered' ? 'sent, waiting for the depot' : c.state === 'queued' ? 'waiting for the next check-in' : c.state;
        users.push({ name: u.name, compartments: u.compartments.length ? u.compartments.join(', ') : 'all', pinSet: `${utc(u.pinSetAt)} by ${u.pinSetBy}`, delivery });
      }
      depot = { compartments, users };
    }
    const tests = rights.has('test') ? (await commands.list(id, 20)).filter((c) => c.type === 'test') : [];
    const pendingTest = tests.find((c) => c.state === 'queued' || c.state === 'delivered');
    const lastTest = tests[0] ? `Last test asked ${utc(tests[0].createdAt)} by ${tests[0].createdBy}: ${tests[0].state}${tests[0].result ? ` (${tests[0].result})` : ''}` : '';
    const channel = await testChannel(device, lastStatus !== undefined);
    const page = kit.pages.render('device', `${KIND_LABELS[device.kind]} ${id}`, pageContext(request, reply, 'fleet'), {
      device,
      kindLabel: KIND_LABELS[device.kind],
      state,
      stateLabel: STATE_LABELS[state],
      lastCheckIn: sup?.last_check_in_at ? `${utc(Number(sup.last_check_in_at))} UTC` : 'never',
      presence: sup?.presence ?? 'unknown',
      test: sup?.test ?? 'unknown',
      supervisedBy: supervisedBy(device),
      status: lastStatus?.status ? eventText('', JSON.parse(lastStatus.status) as Record<string, unknown>) : '',
      rights: { test: rights.has('test'), history: rights.has('see-history'), live: rights.has('live'), customer: rights.has('see-customer'), pins: rights.has('manage-pins'), export: rights.has('export') },
      testHow: channel.how,
      testVia: channel.via,
      testTimeoutMs: channel.via === 'modem' ? channel.callMs : 2 * device.checkInIntervalMs + device.graceMs,
      pendingTest: pendingTest?.commandId,
      lastTest,
      chartJson,
      chartLabel,
      events: eventViews,
      customerFields: customer !== undefined || rights.has('see-customer')
        ? [
            { name: 'contact', label: 'Contact person', value: customer?.contact ?? '' },
            { name: 'phone', label: 'Phone', value: customer?.phone ?? '' },
            { name: 'email', label: 'E-mail', value: customer?.email ?? '' },
            { name: 'billingAddress', label: 'Billing address', value: customer?.billingAddress ?? '' },
            { name: 'contract', label: 'Contract', value: customer?.contract ?? '' },
            { name: 'notes', label: 'Notes', value: customer?.notes ?? '' },
          ]
        : [],
      invoices,
      depot,
      modemAccess: await modemAccessView(app, request, device),
    });
    return html(reply, page);
  });

  const historyQuery = (request: FastifyRequest<{ Querystring: Record<string, string | undefined> }>) => {
    const kind = (HISTORY_KINDS as readonly string[]).includes(String(request.query.kind)) ? (request.query.kind as HistoryKind) : 'events';
    return { kind, period: periodOf(request.query, clock.now()) };
  };

  app.get<{ Params: { id: string }; Querystring: Record<string, string | undefined> }>('/devices/:id/history', { ...pageRoute('see-history'), schema: { params: idParams } }, async (request, reply) => {
    const id = request.params.id;
    const { kind, period } = historyQuery(request);
    const ctx = pageContext(request, reply, 'fleet');
    if (typeof period === 'string') return html(reply, kit.pages.render('message', 'History', { ...ctx, problem: period }, { heading: 'History', text: period, link: `/devices/${encodeURIComponent(id)}/history`, linkLabel: 'Back' }), 400);
    const { table, truncated } = await historyTable(qb, personOf(request).scope, 'see-history', kind, period.period, id, PAGE_ROWS);
    const qs = `kind=${kind}&from=${period.from}&to=${period.to}`;
    const base = `/devices/${encodeURIComponent(id)}`;
    return html(
      reply,
      kit.pages.render('history', table.title, ctx, {
        heading: table.title,
        back: base,
        backLabel: id,
        action: `${base}/history`,
        kinds: HISTORY_KINDS.map((k) => ({ key: k, label: HISTORY_LABELS[k], current: k === kind })),
        from: period.from,
        to: period.to,
        table,
        truncated,
        exports: deviceRightsOf(request).has('export') ? { csv: `${base}/export.csv?${qs}`, pdf: `${base}/export.pdf?${qs}` } : undefined,
      }),
    );
  });

  for (const format of ['csv', 'pdf'] as const) {
    app.get<{ Params: { id: string }; Querystring: Record<string, string | undefined> }>(`/devices/:id/export.${format}`, { ...pageRoute('export'), schema: { params: idParams } }, async (request, reply) => {
      const id = request.params.id;
      const { kind, period } = historyQuery(request);
      if (typeof period === 'string') return reply.code(400).type('text/plain; charset=utf-8').send(period);
      const person = personOf(request);
      const { table } = await historyTable(qb, person.scope, 'export', kind, period.period, id, EXPORT_ROWS);
      table.madeBy = person.account.name;
      await app.centre.audit.record({ at: clock.now(), actor: person.account.name, action: 'export', target: id, detail: { kind, format, from: period.from, to: period.to, rows: table.rows.length }, address: request.ip });
      const name = `${id}-${kind}-${period.from}-${period.to}.${format}`;
      reply.header('content-disposition', `attachment; filename="${name}"`).header('cache-control', 'no-store');
      if (format === 'csv') return reply.type('text/csv; charset=utf-8').send(historyCsv(table));
      return reply.type('application/pdf').send(await historyPdf(table, new Date(clock.now())));
    });
  }

  app.post<{ Params: { id: string; eventId: string } }>(
    '/devices/:id/events/:eventId/ack',
    { ...pageRoute('live', FORM_BODY_LIMIT), schema: { params: { type: 'object', required: ['id', 'eventId'], properties: { id: idParams.properties.id, eventId: { type: 'string', pattern: '^\\d{1,15}$' } } } } },
    async (request, reply) => {
      const { id } = request.params;
      const eventId = Number(request.params.eventId);
      const comment = field(request.body, 'comment', 1000);
      const base = `/devices/${encodeURIComponent(id)}`;
      const e = await events.get(eventId);
      // The event must be this device's: the right was checked on the device in the URL.
      if (!e || e.deviceId !== id) return seeOther(reply, `${base}?problem=${encodeURIComponent(`no event ${eventId} on ${id}`)}`);
      if (!printable(comment)) return seeOther(reply, `${base}?problem=${encodeURIComponent('a comment cannot hold control characters')}`);
      const by = who(request);
      try {
        await events.acknowledge(eventId, by.actor, clock.now());
      } catch (err) {
        if (err instanceof EventLogError) return seeOther(reply, `${base}?problem=${encodeURIComponent(err.message)}`);
        throw err;
      }
      if (comment !== '') await events.comment(eventId, by.actor, comment, clock.now());
      await app.centre.audit.record({ at: clock.now(), ...by, action: 'event.acknowledge', target: id, detail: { event: eventId, comment } });
      await bus.publish({ topic: EVENTS_TOPIC }).catch(() => undefined);
      return seeOther(reply, `${base}?done=ack#event-${eventId}`);
    },
  );

  /**
   * How "test now" reaches a device: a key depot, or a PBX that checks in over
   * the LAN, in the ack to its next check-in; a PBX that never did, by the
   * centre's call to its modem when the centre has its access stored.
   */
  const testChannel = async (device: Device, overLan: boolean): Promise<{ via: 'check-in' | 'modem' | 'queued'; how: string; callMs: number }> => {
    if (device.kind === 'key-depot' || overLan) return { via: 'check-in', how: 'The test rides in the answer to the device\u2019s next check-in; its result appears here as soon as it arrives.', callMs: 0 };
    // Only the number, callback index and user are read from the access here; its secrets stay in the store.
    const access = (await app.centre.deviceAccess?.of([device.id]))?.get(device.id);
    const modem = access?.modem;
    if (!access || !modem) {
      return { via: 'queued', how: 'This PBX has not checked in over the LAN and the centre has no modem access stored for it (hicom-sim maintenance access set … --modem NUMBER): the test is queued and runs when it checks in.', callMs: 0 };
    }
    const how = modem.callbackIndex === undefined ? `dials ${modem.number} with the customer PIN` : `dials ${modem.number} and asks for a callback on index ${modem.callbackIndex}`;
    return {
      via: 'modem',
      how: `This PBX has no LAN check-in: the centre ${how}, logs in as ${access.serviceUser}, enters the function test and hangs up. The PBX reports the test by its error signaling call; each step appears here as it happens.`,
      callMs: kit.testCallWaitMs ?? (modem.callbackIndex === undefined ? TEST_CALL_DIAL_MS : TEST_CALL_CALLBACK_MS),
    };
  };

  app.post<{ Params: { id: string } }>('/devices/:id/test', { ...pageRoute('test', FORM_BODY_LIMIT), schema: { params: idParams } }, async (request, reply) => {
    const id = request.params.id;
    const device = await registry.get(id);
    if (!device) return notFound(request, reply, id);
    const by = who(request);
    const overLan = (await deviceCheckIns(id, { limit: 1 }).execute(qb)).rows.length > 0;
    const { via } = await testChannel(device, overLan);
    const c = await commands.queue(id, { type: 'test', fields: via === 'modem' ? { via: BY_MODEM } : {}, at: clock.now(), by: by.actor, address: by.address });
    // A process of the centre with modems takes the call (this one or another on the database).
    if (via === 'modem') await bus.publish({ topic: TEST_CALL_TOPIC, deviceId: id, commandId: c.commandId });
    return seeOther(reply, `/devices/${encodeURIComponent(id)}?done=${via === 'modem' ? 'test-call' : 'test'}`);
  });

  const depotForm = (right: PortalRight, path: string, handle: (id: string, body: unknown, request: FastifyRequest) => Promise<string>) =>
    app.post<{ Params: { id: string } }>(`/devices/:id/${path}`, { ...pageRoute(right, FORM_BODY_LIMIT), schema: { params: idParams } }, async (request, reply) => {
      const id = request.params.id;
      const device = await registry.get(id);
      if (!device) return notFound(request, reply, id);
      if (right === 'manage-pins' && device.kind !== 'key-depot') return seeOther(reply, `/devices/${encodeURIComponent(id)}?problem=${encodeURIComponent('only key depots have PINs and compartments')}`);
      const outcome = await handle(id, request.body, request);
      return seeOther(reply, `/devices/${encodeURIComponent(id)}?${outcome.startsWith('!') ? `problem=${encodeURIComponent(outcome.slice(1))}` : `done=${outcome}`}`);
    });

  depotForm('manage-pins', 'pins', async (id, body, request) => {
    const user = field(body, 'user', 100);
    const pin = field(body, 'pin', 100);
    const list = field(body, 'compartments', 200);
    if (!/^[\x21-\x7e]([\x20-\x7e]{0,30}[\x21-\x7e])?$/.test(user)) return '!a depot user name is 1–32 printable characters (no spaces at the ends)';
    if (!/^\d{4,8}$/.test(pin)) return '!a PIN is 4 to 8 digits';
    if (!/^[\d,\s]*$/.test(list)) return '!compartments are numbers separated by commas';
    const compartments = [...new Set(list.split(/[,\s]+/).filter((s) => s !== '').map(Number))].sort((a, b) => a - b);
    if (compartments.some((n) => n < 1 || n > 255)) return '!compartments are 1 to 255';
    const by = who(request);
    const at = clock.now();
    const fields = commandFields({ type: 'pin-add', user, pin, ...(compartments.length ? { compartments } : {}) }, kit.pinCost);
    const done = await db.run(function* () {
      const c = yield* queueCommand(qb, id, { type: 'pin-add', fields, at, by: by.actor, address: by.address });
      if (!c) return false;
      yield* recordPinSet(qb, id, user, compartments, c.commandId, by, at);
      return true;
    });
    return done ? 'pin-set' : '!the depot is no longer registered';
  });

  depotForm('manage-pins', 'pins/remove', async (id, body, request) => {
    const user = field(body, 'user', 100);
    const known = await depots.user(id, user);
    if (!known || known.state !== 'active') return `!the depot has no user ${user}`;
    const by = who(request);
    const at = clock.now();
    await db.run(function* () {
      const c = yield* queueCommand(qb, id, { type: 'pin-remove', fields: { user }, at, by: by.actor, address: by.address });
      if (c) yield* recordUserRemoved(qb, id, user, c.commandId, by, at);
    });
    return 'pin-removed';
  });

  depotForm('manage-pins', 'compartments', async (id, body, request) => {
    const n = Number(field(body, 'number', 10));
    const label = field(body, 'label', 100);
    const keyLabel = field(body, 'keyLabel', 100);
    if (!Number.isInteger(n) || n < 1 || n > 255) return '!a compartment is 1 to 255';
    if (!printable(label) || !printable(keyLabel)) return '!labels cannot hold control characters';
    await depots.setCompartment(id, n, label, keyLabel, who(request), clock.now());
    return 'compartment';
  });

  depotForm('see-customer', 'customer', async (id, body, request) => {
    const c = { deviceId: id, contact: field(body, 'contact'), phone: field(body, 'phone'), email: field(body, 'email'), billingAddress: field(body, 'billingAddress'), contract: field(body, 'contract'), notes: field(body, 'notes') };
    if (![c.contact, c.phone, c.email, c.billingAddress, c.contract, c.notes].every(printable)) return '!customer data cannot hold control characters';
    await depots.setCustomer(c, who(request), clock.now());
    return 'customer';
  });

  depotForm('see-customer', 'invoices', async (id, body, request) => {
    const number = field(body, 'number', 40);
    const month = field(body, 'month', 10);
    const amount = field(body, 'amount', 20).replace(',', '.');
    const text = field(body, 'text');
    if (!/^[A-Za-z0-9._/-]{1,40}$/.test(number)) return '!an invoice number is 1–40 letters, digits and . _ / -';
    if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) return '!the period is a month (YYYY-MM)';
    if (!/^\d{1,9}(\.\d{1,2})?$/.test(amount)) return '!the amount is a number of euros with at most two decimals';
    if (!printable(text)) return '!the text cannot hold control characters';
    const start = Date.parse(`${month}-01T00:00:00Z`);
    const end = new Date(start);
    end.setUTCMonth(end.getUTCMonth() + 1);
    try {
      await depots.addInvoice({ deviceId: id, number, issuedAt: clock.now(), periodStart: start, periodEnd: end.getTime(), amountCents: Math.round(Number(amount) * 100), currency: 'EUR', text }, who(request), clock.now());
    } catch (err) {
      return `!${(err as Error).message}`;
    }
    return 'invoice';
  });
}
