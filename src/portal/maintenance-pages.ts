import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { MaintenancePlans } from '../maintenance/maintenance-plans.js';
import { utc } from './history-views.js';
import { describePlan, MaintenanceViews, NIGHT_PAGE_ROWS, RIGHT } from './maintenance-views.js';
import { DEVICE_ID_PARAMS, html, pageContext, pageRoute, type PortalKit } from './portal-kit.js';
import { personOf } from './session-authenticator.js';

const PLAN_NAME = /^[A-Za-z0-9._-]{1,64}$/;
const idParams = DEVICE_ID_PARAMS;
const nameParams = { type: 'object', required: ['name'], properties: { name: { type: 'string', pattern: PLAN_NAME.source } } } as const;

/**
 * The maintenance pages (docs/portal.md, "Maintenance"): the plans, a
 * plan's last night per device and step with failures first, and a
 * device's visit history. The list and a plan's page are open to every
 * person and filtered by their grants (right "see maintenance results");
 * a device's history needs that right on the device.
 */
export async function maintenancePages(app: FastifyInstance, kit: PortalKit): Promise<void> {
  const { db, clock } = app.centre;
  const views = new MaintenanceViews(db);
  const notFound = (request: FastifyRequest, reply: FastifyReply, what: string) =>
    html(reply, kit.pages.render('message', 'Not found', pageContext(request, reply, 'maintenance'), { heading: 'Not found', text: what, link: '/maintenance', linkLabel: 'Back to maintenance' }), 404);

  app.get('/maintenance', pageRoute('person'), async (request, reply) => {
    const plans = await views.plans(personOf(request).scope, clock.now());
    return html(reply, kit.pages.render('maintenance', 'Maintenance', pageContext(request, reply, 'maintenance'), { plans }));
  });

  app.get<{ Params: { name: string }; Querystring: Record<string, string | undefined> }>('/maintenance/plans/:name', { ...pageRoute('person'), schema: { params: nameParams } }, async (request, reply) => {
    const scope = personOf(request).scope;
    const plan = await views.plan(request.params.name);
    const devices = plan ? await views.visibleDevices(scope, plan) : 0;
    const last = plan ? await views.lastWindow(scope, plan.id) : undefined;
    // A partner learns nothing of a plan that visits none of their devices, not even that it exists.
    if (!plan || (!scope.controlRoom && devices === 0 && last === undefined)) return notFound(request, reply, `There is no maintenance plan ${request.params.name} for your devices.`);
    const page = Math.max(1, Math.min(100_000, Number.parseInt(String(request.query.page ?? '1'), 10) || 1));
    const night = last === undefined ? undefined : await views.night(scope, plan.id, last, page);
    const counts = last === undefined ? {} : await views.nightCounts(scope, plan.id, last);
    const pages = night ? Math.max(1, Math.ceil(night.matching / NIGHT_PAGE_ROWS)) : 1;
    const href = (p: number) => `/maintenance/plans/${encodeURIComponent(plan.name)}?page=${p}`;
    return html(reply, kit.pages.render('maintenance-plan', `Maintenance plan ${plan.name}`, pageContext(request, reply, 'maintenance'), {
      plan: { ...describePlan(plan), retries: plan.maxRetries, serviceUser: plan.serviceUser, targetAps: plan.targetAps ?? '', loadAps: plan.loadAps, retention: plan.backupRetention },
      windows: MaintenancePlans.windows(plan, clock.now(), 3).map((w) => `${utc(w.start)} – ${utc(w.end)}`),
      devices,
      lastNight: last === undefined ? undefined : utc(last),
      counts: ['failed', 'cut', 'running', 'done'].map((s) => ({ state: s, n: counts[s] ?? 0 })),
      rows: night?.rows ?? [],
      matching: night?.matching ?? 0,
      page,
      pages,
      prev: page > 1 ? href(page - 1) : undefined,
      next: page < pages ? href(page + 1) : undefined,
    }));
  });

  app.get<{ Params: { id: string } }>('/devices/:id/maintenance', { ...pageRoute(RIGHT), schema: { params: idParams } }, async (request, reply) => {
    const id = request.params.id;
    const device = await app.centre.registry.get(id);
    if (!device) return notFound(request, reply, `There is no device ${id}.`);
    const visits = await views.deviceHistory(id, await views.planNames());
    return html(reply, kit.pages.render('device-maintenance', `Maintenance of ${id}`, pageContext(request, reply, 'maintenance'), { id, visits }));
  });
}
