import t from 'tap';
import { rightsMask, type PortalRight } from '../../src/database/portal-rights.js';
import type { RouteAccess } from '../../src/service/access.js';
import { onBothEngines } from '../support/both-engines.js';
import { portalRig, type Browserless } from '../support/portal-rig.js';

/** A live stream never ends: its status, then the stream is closed. */
async function streamStatus(app: import('fastify').FastifyInstance, url: string, cookie: string) {
  const r = await app.inject({ method: 'GET', url, headers: { cookie }, payloadAsStream: true });
  r.stream().destroy();
  return { status: r.statusCode, headers: r.headers, body: '' };
}

const DEVICES = ['DEP-1', 'DEP-2', 'HSIM-1'];
type User = 'manager' | 'operator' | 'installer' | 'customer';
/** The installer's grants; the customer has none. */
const GRANTS: Record<string, PortalRight[]> = { 'DEP-1': ['see-status', 'see-history', 'live', 'export', 'manage-pins', 'see-customer', 'test'], 'HSIM-1': ['see-status', 'see-maintenance'] };
const API_RIGHTS: Record<User, string[]> = { manager: ['read', 'operate', 'admin'], operator: ['read', 'operate'], installer: [], customer: [] };

/** What the rules say: may `user` pass the hook on a route needing `access` for `device`? */
function allowed(user: User, access: RouteAccess, device: string | undefined): boolean {
  const controlRoom = user === 'manager' || user === 'operator';
  if (access === 'public' || access === 'person') return true;
  if (access === 'control-room') return controlRoom;
  if (access === 'manager') return user === 'manager';
  if (access === 'read' || access === 'operate' || access === 'admin') return API_RIGHTS[user].includes(access);
  if (controlRoom) return true;
  if (device === undefined) return true;
  return user === 'installer' && (GRANTS[device] ?? []).includes(access);
}

onBothEngines(t, 'users × devices × rights × every registered route: the hook lets through exactly what the grants say', async (t, f) => {
  const rig = await portalRig(t, f);
  for (const id of DEVICES) await rig.registry.add(id, id.startsWith('DEP') ? 'key-depot' : 'pbx', { customerName: `Kunde ${id}` }, { actor: 'cli:test' });
  await rig.addPerson('chef', 'manager');
  await rig.addPerson('op', 'operator');
  const inst = await rig.addPerson('inst', 'partner', 'installer');
  await rig.addPerson('kunde', 'partner', 'customer');
  for (const [d, rights] of Object.entries(GRANTS)) await rig.portal.access.grants.set(inst, 'inst', d, rightsMask(rights), '', { actor: 'chef' }, rig.clock.now());
  const clients: Record<User, Browserless> = { manager: await rig.login('chef'), operator: await rig.login('op'), installer: await rig.login('inst'), customer: await rig.login('kunde') };

  const routes = rig.app.accessTable.filter((r) => r.method !== 'HEAD' && !r.url.includes('*') && r.url !== '/login');
  t.ok(routes.length > 40, `the table covers every registered route (${routes.length})`);
  t.same(routes.filter((r) => r.access === undefined).map((r) => `${r.method} ${r.url}`), [], 'every route declares its access');
  t.same(routes.filter((r) => r.url.includes('/modem-access')).map((r) => `${r.method} ${r.url} ${r.access}`), ['POST /devices/:id/modem-access manager', 'POST /devices/:id/modem-access/remove manager'], 'the modem access forms are the manager\'s alone');
  for (const route of routes) {
    const namesDevice = route.url.includes(':id') && !route.url.startsWith('/api/v1/events') && !route.url.startsWith('/api/v1/reports');
    for (const device of namesDevice ? DEVICES : [undefined]) {
      const url = route.url.replace(':id', device ?? '1').replace(':name', 'inst').replace(':eventId', '1').replace(':commandId', '1');
      for (const user of Object.keys(clients) as User[]) {
        const c = clients[user];
        if (route.url === '/logout' || route.url === '/logout-everywhere') continue;
        const isApi = url.startsWith('/api/');
        const r = url.endsWith('/live')
          ? await streamStatus(rig.app, url, c.cookie)
          : isApi ? await c.request(route.method as 'GET', url, undefined, route.method === 'GET' ? {} : { 'content-type': 'application/json' }) : await c.request(route.method as 'GET', url, route.method === 'POST' ? { _csrf: c.csrf } : undefined);
        const refused = r.status === 401 || r.status === 403 || (r.status === 303 && String(r.headers.location).startsWith('/login'));
        const expect = allowed(user, route.access!, device);
        t.equal(!refused, expect, `${user} ${route.method} ${url} (${route.access}): ${expect ? 'passes' : 'refused'} (got ${r.status})`);
      }
    }
  }
});

onBothEngines(t, 'what passes shows only granted devices: overview, history, exports, live stream', async (t, f) => {
  const rig = await portalRig(t, f);
  for (const id of DEVICES) await rig.registry.add(id, id.startsWith('DEP') ? 'key-depot' : 'pbx', {}, { actor: 'cli:test' });
  const inst = await rig.addPerson('inst', 'partner', 'installer');
  await rig.portal.access.grants.set(inst, 'inst', 'DEP-1', rightsMask(['see-status', 'see-history', 'export', 'live']), '', { actor: 'chef' }, rig.clock.now());
  await rig.portal.access.grants.set(inst, 'inst', 'HSIM-1', rightsMask(['see-status']), '', { actor: 'chef' }, rig.clock.now());
  for (const id of DEVICES) await rig.app.centre.events.add({ deviceId: id, source: 'device', type: 'key-taken', occurredAt: rig.clock.now(), receivedAt: rig.clock.now(), data: { compartment: 2, holder: `holder-of-${id}` } });
  const c = await rig.login('inst');
  const overview = await c.request('GET', '/fleet');
  t.same([...overview.body.matchAll(/data-device="([^"]+)"/g)].map((m) => m[1]).sort(), ['DEP-1', 'HSIM-1'], 'the overview lists exactly the two granted devices');
  const csv = await c.request('GET', '/devices/DEP-1/export.csv?kind=movements');
  t.equal(csv.status, 200, 'the export of a granted device');
  t.match(csv.body, /holder-of-DEP-1/, 'holds its movements');
  t.notMatch(csv.body, /holder-of-DEP-2|holder-of-HSIM-1/, 'and nothing of other devices');
  t.equal((await c.request('GET', '/devices/HSIM-1/export.csv?kind=events')).status, 403, 'no export where the grant lacks the right');
  t.equal((await c.request('GET', '/devices/DEP-2')).status, 403, "another user's device id in the URL is refused");
  const live = await rig.app.inject({ method: 'GET', url: '/live', headers: { cookie: c.cookie, 'last-event-id': '0' }, payloadAsStream: true });
  const seen = await new Promise<string>((resolve) => {
    let text = '';
    live.stream().on('data', (d: Buffer) => {
      text += d.toString();
      if (/event: event/.test(text)) setTimeout(() => resolve(text), 200);
    });
    setTimeout(() => resolve(text), 2000);
  });
  live.stream().destroy();
  t.match(seen, /"deviceId":"DEP-1"/, 'the live stream resumed from Last-Event-ID 0 carries the granted device');
  t.notMatch(seen, /DEP-2|HSIM-1/, 'and no event of a device without the live right');
});
