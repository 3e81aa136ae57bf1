import type { FastifyInstance, FastifyRequest } from 'fastify';
import { PortalAccountError, type PortalAccount } from '../database/portal-accounts.js';
import { isPortalRight, PORTAL_RIGHTS, RIGHT_LABELS, rightsMask } from '../database/portal-rights.js';
import type { PartnerKind, PortalRole } from '../database/schema.js';
import { ACCESS_TOPIC } from '../service/live-feed.js';
import { historyCsv, historyPdf } from './history-export.js';
import { auditTable, EXPORT_ROWS, PAGE_ROWS, utc } from './history-views.js';
import { AllowlistError, IpAllowlist } from './ip-allowlist.js';
import { hashPassword, passwordProblem } from './password-hash.js';
import { DEVICE_ID, field, fieldList, FORM_BODY_LIMIT, html, pageContext, pageRoute, periodOf, printable, seeOther, type PortalKit } from './portal-kit.js';
import { personOf } from './session-authenticator.js';

/** What the form's role field can say: the control room's two roles and the three kinds of partner (seed 000). */
const ROLES: ReadonlyArray<{ key: string; label: string; role: PortalRole; kind: PartnerKind }> = [
  { key: 'installer', label: 'installer (partner)', role: 'partner', kind: 'installer' },
  { key: 'customer', label: 'end customer (partner)', role: 'partner', kind: 'customer' },
  { key: 'billing', label: 'billing service (partner)', role: 'partner', kind: 'billing' },
  { key: 'operator', label: 'operator (control room: every device)', role: 'operator', kind: '' },
  { key: 'manager', label: 'manager (control room: people and grants too)', role: 'manager', kind: '' },
];
const NAME = /^[A-Za-z0-9._@-]{1,64}$/;

/** A typed allowlist in its stored form, or the error naming the bad entry. */
function allowlistText(text: string): string | AllowlistError {
  try {
    return IpAllowlist.parse(text).toString();
  } catch (err) {
    if (err instanceof AllowlistError) return err;
    throw err;
  }
}

function roleKey(a: PortalAccount): string {
  return a.role === 'partner' ? a.partnerKind || 'customer' : a.role;
}

/** The control room: people, grants and IP lists (manager), the audit trail (manager and operators). */
export async function peoplePages(app: FastifyInstance, kit: PortalKit, options: { hashCost?: number }): Promise<void> {
  const { accounts, grants, sessions } = kit.access;
  const { clock, bus } = app.centre;
  const who = (request: FastifyRequest) => ({ actor: personOf(request).account.name, address: request.ip });
  const changed = () => bus.publish({ topic: ACCESS_TOPIC }).catch(() => undefined);
  const nameParams = { type: 'object', required: ['name'], properties: { name: { type: 'string', pattern: NAME.source } } } as const;
  const problemAt = (path: string, text: string) => `${path}?problem=${encodeURIComponent(text)}`;

  app.get('/people', pageRoute('manager'), async (request, reply) => {
    const people = [];
    for (const a of await accounts.list()) {
      people.push({ name: a.name, displayName: a.displayName, role: ROLES.find((r) => r.key === roleKey(a))?.label ?? a.role, networks: a.networks || 'anywhere', grants: a.role === 'partner' ? String(await grants.count(a.id)) : 'all', lastLogin: a.lastLoginAt ? `${utc(a.lastLoginAt)} from ${a.lastLoginAddress ?? '?'}` : 'never', state: a.state });
    }
    return html(reply, kit.pages.render('people', 'People and grants', pageContext(request, reply, 'people'), { people, roles: ROLES }));
  });

  app.post('/people', pageRoute('manager', FORM_BODY_LIMIT), async (request, reply) => {
    const b = request.body;
    const name = field(b, 'name', 100);
    const displayName = field(b, 'displayName', 100);
    const role = ROLES.find((r) => r.key === field(b, 'role', 20));
    const password = field(b, 'password', 300);
    if (!NAME.test(name)) return seeOther(reply, problemAt('/people', 'a login name is 1–64 letters, digits and . _ @ -'));
    if (!role) return seeOther(reply, problemAt('/people', 'choose a role'));
    if (!printable(displayName)) return seeOther(reply, problemAt('/people', 'a name cannot hold control characters'));
    const weak = passwordProblem(password);
    if (weak) return seeOther(reply, problemAt('/people', weak));
    const networks = allowlistText(field(b, 'networks', 2000));
    if (networks instanceof AllowlistError) return seeOther(reply, problemAt('/people', networks.message));
    try {
      await accounts.create({ name, displayName, role: role.role, partnerKind: role.kind, passwordHash: await hashPassword(password, options.hashCost), networks }, who(request), clock.now());
    } catch (err) {
      if (err instanceof PortalAccountError) return seeOther(reply, problemAt('/people', err.message));
      throw err;
    }
    return seeOther(reply, `/people/${encodeURIComponent(name)}?done=created`);
  });

  app.get<{ Params: { name: string } }>('/people/:name', { ...pageRoute('manager'), schema: { params: nameParams } }, async (request, reply) => {
    const account = await accounts.byName(request.params.name);
    if (!account) return html(reply, kit.pages.render('message', 'Not found', pageContext(request, reply, 'people'), { heading: 'No such person', text: `Nobody is called ${request.params.name}.`, link: '/people', linkLabel: 'Back to people' }), 404);
    const list = (await grants.forAccount(account.id)).map((g) => ({ deviceId: g.deviceId, rights: g.rights.map((r) => RIGHT_LABELS[r]).join(', '), networks: g.networks || 'as the account' }));
    return html(
      reply,
      kit.pages.render('person', account.name, pageContext(request, reply, 'people'), {
        account,
        roles: ROLES.map((r) => ({ ...r, current: r.key === roleKey(account) })),
        grants: list,
        sessions: (await sessions.forAccount(account.id)).length,
        rights: PORTAL_RIGHTS.map((r) => ({ key: r, label: RIGHT_LABELS[r] })),
      }),
    );
  });

  app.post<{ Params: { name: string } }>('/people/:name', { ...pageRoute('manager', FORM_BODY_LIMIT), schema: { params: nameParams } }, async (request, reply) => {
    const path = `/people/${encodeURIComponent(request.params.name)}`;
    const account = await accounts.byName(request.params.name);
    if (!account) return seeOther(reply, problemAt('/people', `nobody is called ${request.params.name}`));
    const b = request.body;
    const role = ROLES.find((r) => r.key === field(b, 'role', 20));
    const displayName = field(b, 'displayName', 100);
    const state = field(b, 'state', 20);
    const password = field(b, 'password', 300);
    if (!role) return seeOther(reply, problemAt(path, 'choose a role'));
    if (!printable(displayName)) return seeOther(reply, problemAt(path, 'a name cannot hold control characters'));
    if (state !== 'active' && state !== 'disabled') return seeOther(reply, problemAt(path, 'the state is active or disabled'));
    if (account.id === personOf(request).account.id && (state !== 'active' || role.role !== 'manager')) return seeOther(reply, problemAt(path, 'you cannot disable yourself or give up being manager here: another manager must do it'));
    const networks = allowlistText(field(b, 'networks', 2000));
    if (networks instanceof AllowlistError) return seeOther(reply, problemAt(path, networks.message));
    if (password !== '') {
      const weak = passwordProblem(password);
      if (weak) return seeOther(reply, problemAt(path, weak));
      await accounts.setPassword(account.id, await hashPassword(password, options.hashCost), who(request), clock.now());
    }
    await accounts.update(account.id, { displayName, role: role.role, partnerKind: role.kind, networks, state }, who(request), clock.now());
    await changed();
    return seeOther(reply, `${path}?done=saved`);
  });

  app.post<{ Params: { name: string } }>('/people/:name/grants', { ...pageRoute('manager', FORM_BODY_LIMIT), schema: { params: nameParams } }, async (request, reply) => {
    const path = `/people/${encodeURIComponent(request.params.name)}`;
    const account = await accounts.byName(request.params.name);
    if (!account) return seeOther(reply, problemAt('/people', `nobody is called ${request.params.name}`));
    const b = request.body;
    const devices = [...new Set(field(b, 'devices', 4000).split(/[\s,]+/).filter((d) => d !== ''))];
    const rights = fieldList(b, 'rights');
    if (devices.length === 0 || !devices.every((d) => DEVICE_ID.test(d))) return seeOther(reply, problemAt(path, 'name the devices by their ids (letters, digits, . _ -), separated by spaces or commas'));
    if (rights.length === 0 || !rights.every(isPortalRight)) return seeOther(reply, problemAt(path, 'choose at least one right'));
    const networks = allowlistText(field(b, 'networks', 2000));
    if (networks instanceof AllowlistError) return seeOther(reply, problemAt(path, networks.message));
    const unknown: string[] = [];
    for (const d of devices) {
      try {
        await grants.set(account.id, account.name, d, rightsMask(rights.filter(isPortalRight)), networks, who(request), clock.now());
      } catch {
        unknown.push(d);
      }
    }
    await changed();
    return seeOther(reply, unknown.length ? problemAt(path, `no such device: ${unknown.join(', ')} (the others were granted)`) : `${path}?done=granted`);
  });

  app.post<{ Params: { name: string } }>('/people/:name/grants/remove', { ...pageRoute('manager', FORM_BODY_LIMIT), schema: { params: nameParams } }, async (request, reply) => {
    const path = `/people/${encodeURIComponent(request.params.name)}`;
    const account = await accounts.byName(request.params.name);
    if (!account) return seeOther(reply, problemAt('/people', `nobody is called ${request.params.name}`));
    const device = field(request.body, 'device', 40);
    const removed = await grants.remove(account.id, account.name, device, who(request), clock.now());
    await changed();
    return seeOther(reply, removed ? `${path}?done=revoked` : problemAt(path, `${account.name} has no grant on ${device}`));
  });

  const auditView = async (request: FastifyRequest<{ Querystring: Record<string, string | undefined> }>, limit: number) => {
    const q = request.query;
    const person = typeof q.person === 'string' ? q.person.trim().slice(0, 64) : '';
    const device = typeof q.device === 'string' ? q.device.trim().slice(0, 64) : '';
    const period = periodOf(q, clock.now());
    if (typeof period === 'string') return { problem: period } as const;
    return { person, device, period, ...(await auditTable(app.centre.db.kysely, { person: person || undefined, device: device || undefined }, period.period, limit)) } as const;
  };

  app.get<{ Querystring: Record<string, string | undefined> }>('/audit', pageRoute('control-room'), async (request, reply) => {
    const v = await auditView(request, PAGE_ROWS);
    const ctx = pageContext(request, reply, 'audit');
    if ('problem' in v) return html(reply, kit.pages.render('message', 'Audit trail', { ...ctx, problem: v.problem }, { heading: 'Audit trail', text: v.problem ?? '', link: '/audit', linkLabel: 'Back' }), 400);
    const qs = new URLSearchParams({ person: v.person, device: v.device, from: v.period.from, to: v.period.to }).toString();
    return html(
      reply,
      kit.pages.render('history', 'Audit trail', ctx, {
        heading: 'Audit trail',
        action: '/audit',
        searchFields: [
          { name: 'person', label: 'Person', value: v.person },
          { name: 'device', label: 'Device', value: v.device },
        ],
        from: v.period.from,
        to: v.period.to,
        table: v.table,
        truncated: v.truncated,
        exports: { csv: `/audit/export.csv?${qs}`, pdf: `/audit/export.pdf?${qs}` },
      }),
    );
  });

  for (const format of ['csv', 'pdf'] as const) {
    app.get<{ Querystring: Record<string, string | undefined> }>(`/audit/export.${format}`, pageRoute('control-room'), async (request, reply) => {
      const v = await auditView(request, EXPORT_ROWS);
      if ('problem' in v) return reply.code(400).type('text/plain; charset=utf-8').send(v.problem);
      v.table.madeBy = personOf(request).account.name;
      reply.header('content-disposition', `attachment; filename="audit-${v.period.from}-${v.period.to}.${format}"`).header('cache-control', 'no-store');
      if (format === 'csv') return reply.type('text/csv; charset=utf-8').send(historyCsv(v.table));
      return reply.type('application/pdf').send(await historyPdf(v.table, new Date(clock.now())));
    });
  }
}
