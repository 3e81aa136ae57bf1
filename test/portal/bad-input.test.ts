import t from 'tap';
import { rightsMask } from '../../src/database/portal-rights.js';
import type { Database } from '../../src/database/schema.js';
import { FORM_BODY_LIMIT } from '../../src/portal/portal-kit.js';
import { onBothEngines } from '../support/both-engines.js';
import { formBody, PASSWORD, portalRig, type PortalRig } from '../support/portal-rig.js';

/** What a refused request must leave as it was (the audit trail, sessions and the login throttle record the attempt itself). */
const KEPT: ReadonlyArray<keyof Database> = ['devices', 'portal_accounts', 'portal_grants', 'depot_users', 'depot_compartments', 'customer_details', 'invoices', 'device_commands', 'events', 'event_comments', 'supervision_states'];

async function snapshot(rig: PortalRig): Promise<string> {
  const out: Record<string, unknown[]> = {};
  for (const table of KEPT) out[table] = (await rig.db.kysely.selectFrom(table).selectAll().execute()).map((r) => JSON.stringify(r)).sort();
  return JSON.stringify(out);
}

/** SQL and markup in one text: stored, it must come back as text; refused, with a reason. */
const NASTY = `Robert'); DROP TABLE devices;-- <script>alert(1)</script><img src=x onerror=alert(2)>`;
const PIN = '93817264';
const SECRET_PASSWORD = 'Sehr geheimes Passwort 42';

/** Every form of the portal with its text fields and the rest of a valid submission. */
function forms(eventId: number): Array<{ url: string; fields: string[]; valid: Record<string, string | string[]> }> {
  return [
    { url: '/people', fields: ['name', 'displayName', 'password', 'networks'], valid: { name: 'neu', displayName: 'Neu', role: 'installer', password: 'ein gutes Passwort 1', networks: '' } },
    { url: '/people/inst', fields: ['displayName', 'password', 'networks', 'state', 'role'], valid: { displayName: 'Installer', role: 'installer', state: 'active', password: '', networks: '' } },
    { url: '/people/inst/grants', fields: ['devices', 'networks', 'rights'], valid: { devices: 'DEP-2', rights: ['see-status'], networks: '' } },
    { url: '/people/inst/grants/remove', fields: ['device'], valid: { device: 'DEP-1' } },
    { url: `/devices/DEP-1/events/${eventId}/ack`, fields: ['comment'], valid: { comment: 'gesehen' } },
    { url: '/devices/DEP-1/pins', fields: ['user', 'pin', 'compartments'], valid: { user: 'Meier', pin: '4711', compartments: '1, 2' } },
    { url: '/devices/DEP-1/pins/remove', fields: ['user'], valid: { user: 'Meier' } },
    { url: '/devices/DEP-1/compartments', fields: ['number', 'label', 'keyLabel'], valid: { number: '2', label: 'Haupteingang', keyLabel: 'Schlüssel 2' } },
    { url: '/devices/DEP-1/customer', fields: ['contact', 'phone', 'email', 'billingAddress', 'contract', 'notes'], valid: { contact: 'Frau Schulz', phone: '030 123', email: 'schulz@example.org', billingAddress: 'Hauptstr. 1', contract: 'W-1', notes: '' } },
    { url: '/devices/DEP-1/invoices', fields: ['number', 'month', 'amount', 'text'], valid: { number: 'R-2026-1', month: '2026-02', amount: '49.90', text: 'Wartung' } },
    { url: '/login', fields: ['name', 'password'], valid: { name: 'chef', password: PASSWORD } },
  ];
}

/** The pages a person reads back, every one that shows what the forms store. */
const PAGES = ['/fleet', '/devices/DEP-1', '/devices/DEP-1/history?kind=audit', '/devices/DEP-1/history?kind=events', '/people', '/people/inst', '/audit', '/devices/DEP-1/export.csv?kind=audit', '/audit/export.csv'];

async function setUp(t: Parameters<Parameters<typeof onBothEngines>[2]>[0], f: Parameters<Parameters<typeof onBothEngines>[2]>[1]) {
  const rig = await portalRig(t, f);
  for (const id of ['DEP-1', 'DEP-2']) await rig.registry.add(id, 'key-depot', { customerName: `Kunde ${id}` }, { actor: 'cli:test' });
  await rig.addPerson('chef', 'manager');
  const inst = await rig.addPerson('inst', 'partner', 'installer');
  await rig.portal.access.grants.set(inst, 'inst', 'DEP-1', rightsMask(['see-status', 'see-history', 'manage-pins', 'see-customer', 'live']), '', { actor: 'chef' }, rig.clock.now());
  const now = rig.clock.now();
  const eventId = await rig.app.centre.events.add({ deviceId: 'DEP-1', source: 'device', type: 'tamper', occurredAt: now, receivedAt: now });
  return { rig, eventId };
}

const refusedClearly = (r: { status: number; body: string; headers: Record<string, unknown> }) => r.status >= 400 && r.status < 500 && r.body.length > 10 && r.body.length < 5000;

onBothEngines(t, 'bad input at every form: forged cookies, no CSRF token, foreign device ids, huge bodies — refused, nothing changed', async (t, f) => {
  const { rig, eventId } = await setUp(t, f);
  const chef = await rig.login('chef');
  const inst = await rig.login('inst');
  const posts = rig.app.accessTable.filter((r) => r.method === 'POST' && !r.url.startsWith('/api/'));
  t.ok(posts.length >= 12, `every form of the portal (${posts.length})`);
  const url = (u: string) => u.replace(':id', 'DEP-1').replace(':name', 'inst').replace(':eventId', String(eventId));
  const before = await snapshot(rig);

  // A browser with a valid CSRF cookie and token but a session cookie of its own making.
  const forged = await rig.anonymous();
  forged.cookie += `; hcs_session=${'A'.repeat(43)}`;
  for (const route of posts.filter((r) => r.url !== '/login')) {
    const r = await forged.request('POST', url(route.url), { _csrf: forged.csrf });
    t.equal(r.status, 401, `forged session cookie: ${route.url} refused (${r.status})`);
    t.match(r.body, /log in again/, 'saying what to do');
  }
  t.equal((await forged.request('GET', '/fleet')).status, 303, 'a forged cookie on a page leads to the login');

  for (const route of posts) {
    const noToken = await chef.request('POST', url(route.url), forms(eventId).find((x) => x.url === url(route.url))?.valid ?? {});
    t.equal(noToken.status, 403, `no CSRF token: ${route.url} refused (${noToken.status})`);
    t.match(noToken.body, /reload the page/i, 'with a page that says what to do');
    const wrong = await chef.request('POST', url(route.url), { _csrf: 'x'.repeat(40) });
    t.equal(wrong.status, 403, `a wrong CSRF token: ${route.url} refused`);
  }

  for (const path of ['pins', 'pins/remove', 'compartments', 'customer', 'invoices', 'test']) {
    const r = await inst.request('POST', `/devices/DEP-2/${path}`, { _csrf: inst.csrf, user: 'X', pin: '1234', number: '1', contact: 'x' });
    t.equal(r.status, 403, `another user's device id: POST /devices/DEP-2/${path} refused`);
  }
  t.equal((await inst.request('POST', `/devices/DEP-2/events/${eventId}/ack`, { _csrf: inst.csrf })).status, 403, "an event acknowledged under another user's device is refused");
  t.equal((await inst.request('GET', '/devices/DEP-2/export.csv?kind=movements')).status, 403, "another user's device in an export URL is refused");

  const huge = 'a'.repeat(10 * 1024 * 1024);
  for (const route of posts) {
    const r = await rig.app.inject({ method: 'POST', url: url(route.url), headers: { cookie: chef.cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: formBody({ _csrf: chef.csrf, comment: huge }) });
    t.equal(r.statusCode, 413, `a 10 MB form body: ${route.url} refused (${r.statusCode})`);
    t.match(r.body, new RegExp(`${FORM_BODY_LIMIT / 1024} KiB`), 'saying how large a form may be');
  }
  t.equal(await snapshot(rig), before, 'nothing changed');
  t.equal((await chef.request('GET', '/fleet')).status, 200, 'and the portal still answers');
});

onBothEngines(t, 'SQL and HTML in every text field: refused with a reason or stored as text, never run, never markup; secrets never sent back', async (t, f) => {
  const { rig, eventId } = await setUp(t, f);
  const chef = await rig.login('chef');
  for (const form of forms(eventId)) {
    for (const name of form.fields) {
      const client = form.url === '/login' ? await rig.anonymous() : chef;
      await client.request('GET', form.url.startsWith('/devices') ? '/devices/DEP-1' : form.url === '/login' ? '/login' : '/people');
      const before = await snapshot(rig);
      // A new person needs a name of its own each time, or "exists already" would answer for the field under test.
      const valid = form.url === '/people' ? { ...form.valid, name: `neu-${name}` } : form.valid;
      const r = await client.request('POST', form.url, { ...valid, [name]: NASTY, _csrf: client.csrf });
      const location = String(r.headers.location ?? '');
      const problem = /[?&]problem=/.test(location);
      if (form.url === '/login') {
        t.equal(r.status, 401, `login with it in ${name}: refused as wrong name or password`);
        t.notMatch(r.body, /<script>alert|<img src=x/, 'and not echoed as markup');
      } else if (problem || r.status >= 400) {
        t.ok(problem || refusedClearly(r), `${form.url} ${name}: refused with a reason (${decodeURIComponent(location) || r.status})`);
        t.equal(await snapshot(rig), before, `${form.url} ${name}: refused, nothing changed`);
        if (problem) {
          const shown = await client.request('GET', location);
          t.match(shown.body, /class="problem"/, 'the reason is on the page');
          t.notMatch(shown.body, /<script>alert|<img src=x/, 'as text, not markup');
        }
      } else {
        t.equal(r.status, 303, `${form.url} ${name}: taken as text (${location})`);
      }
    }
  }
  t.equal((await rig.registry.list()).length, 2, 'the devices are all there: no statement ran');
  for (const page of PAGES) {
    const r = await chef.request('GET', page);
    t.equal(r.status, 200, `${page} still renders`);
    if (page.includes('.csv')) {
      // A CSV holds the text as it was typed; it is a download the browser never renders as a page.
      t.match([r.headers['content-type'], r.headers['content-disposition'], r.headers['x-content-type-options']], [/^text\/csv/, /^attachment/, 'nosniff'], `${page}: a download, never sniffed as markup`);
    } else t.notMatch(r.body, /<script>alert|<img src=x/, `${page}: what was stored comes back as text`);
  }
  const device = await chef.request('GET', '/devices/DEP-1');
  t.match(device.body, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/, 'the stored text is shown, escaped');

  // Secrets: a password and a PIN set through the portal never come back in a page, an export or a stream.
  const made = await chef.request('POST', '/people', { _csrf: chef.csrf, name: 'geheim', displayName: 'G', role: 'installer', password: SECRET_PASSWORD, networks: '' });
  t.equal(made.status, 303, 'a person with a password');
  await chef.request('GET', '/devices/DEP-1');
  const pin = await chef.request('POST', '/devices/DEP-1/pins', { _csrf: chef.csrf, user: 'Schulz', pin: PIN, compartments: '' });
  t.match(String(pin.headers.location), /done=pin-set/, 'a depot PIN');
  for (const page of [...PAGES, '/people/geheim', '/devices/DEP-1/history?kind=audit', '/devices/DEP-1/export.pdf?kind=audit']) {
    const r = await chef.request('GET', page);
    t.notOk(r.body.includes(PIN) || r.body.includes(SECRET_PASSWORD) || /scrypt\$/.test(r.body), `${page}: neither the PIN, the password nor a hash`);
  }
  const api = await rig.app.inject({ method: 'GET', url: '/api/v1/devices/DEP-1/commands', headers: { cookie: chef.cookie } });
  t.notOk(api.body.includes(PIN), 'nor the commands behind the PIN');
});

onBothEngines(t, '1,000 failed logins: slowed, then held off; the audit trail has them; the person still gets in from elsewhere', async (t, f) => {
  const { rig } = await setUp(t, f);
  const before = await snapshot(rig);
  const statuses = new Map<number, number>();
  const attacker = await rig.anonymous('127.0.0.66');
  let retryAfter = 0;
  for (let n = 0; n < 1000; n++) {
    const r = await attacker.request('POST', '/login', { _csrf: attacker.csrf, name: 'chef', password: `guess ${n}` });
    statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
    if (r.status === 429) retryAfter = Math.max(retryAfter, Number(r.headers['retry-after'] ?? 0));
  }
  t.equal(statuses.get(401), 5 + 1, 'five failures are free, the sixth is still judged');
  t.equal(statuses.get(429), 994, 'every further attempt is held off (429)');
  t.ok(retryAfter >= 1, `with a Retry-After (${retryAfter} s)`);
  t.equal(await snapshot(rig), before, 'nothing changed');
  const trail = await rig.db.kysely.selectFrom('audit_trail').select(['action', 'address']).where('action', 'like', 'login%').execute();
  t.equal(trail.filter((e) => e.action === 'login.failed' && e.address === '127.0.0.66').length, 6, 'each judged attempt is in the audit trail with its address');
  t.ok(trail.some((e) => e.action === 'login.throttled' && e.address === '127.0.0.66'), 'and the held-off ones as throttled');
  const good = await rig.login('chef', PASSWORD, '127.0.0.1');
  t.ok(good.cookie.includes('hcs_session='), 'the real person logs in from their own address');
});
