import t from 'tap';
import { AuditTrail } from '../../src/database/audit-trail.js';
import { onBothEngines } from '../support/both-engines.js';
import { serviceRig } from '../support/centre-service-rig.js';

onBothEngines(t, 'every request passes the one access hook: no token 401, wrong token 401 audited, too few rights 403', async (t, f) => {
  const s = await serviceRig(t, f);
  t.equal((await s.call('GET', '/api/v1/health', undefined, '')).status, 200, 'health needs no token');
  const none = await s.call('GET', '/api/v1/devices', undefined, '');
  t.equal(none.status, 401, 'no token: 401');
  t.match(none.headers['www-authenticate'], /^Bearer/, 'with a Bearer challenge');
  t.equal((await s.call('GET', '/api/v1/devices', undefined, 'hcs_1_' + 'A'.repeat(43))).status, 401, 'a wrong secret: 401');
  t.equal((await s.call('GET', '/api/v1/devices', undefined, 'nonsense')).status, 401, 'a malformed token: 401');
  t.equal((await s.call('GET', '/api/v1/devices', undefined, s.tokens.read)).status, 200, 'a read token reads');
  const denied = await s.call('POST', '/api/v1/devices', { id: 'SD-1', kind: 'key-depot' }, s.tokens.read);
  t.equal(denied.status, 403, 'a read token may not add a device');
  t.match(denied.json.message, /lacks the right "admin"/, 'and is told which right it lacks');
  t.equal((await s.call('POST', '/api/v1/devices', { id: 'SD-1', kind: 'key-depot' }, s.tokens.operate)).status, 403, 'nor may an operate token');
  t.equal((await s.call('POST', '/api/v1/devices', { id: 'SD-1', kind: 'key-depot' }, s.tokens.admin)).status, 201, 'an admin token may');
  t.equal((await s.call('GET', '/api/v1/nope')).status, 404, 'an unknown route: 404');

  await s.app.centre.tokens.revoke('t-read', { actor: 'test' }, Date.now());
  t.equal((await s.call('GET', '/api/v1/devices', undefined, s.tokens.read)).status, 401, 'a revoked token stops working at once');

  const audit = await new AuditTrail(s.db).list();
  const refused = audit.filter((a) => a.action === 'login.refused');
  t.equal(refused.length, 3, 'each refused authentication is audited');
  t.equal(refused[0].address, '127.0.0.1', 'with the address it came from');
  t.ok(audit.some((a) => a.action === 'login' && a.actor === 'token:t-admin' && a.address === '127.0.0.1'), 'a token used from an address is audited as a login');
  t.ok(audit.some((a) => a.action === 'device.add' && a.actor === 'token:t-admin' && a.target === 'SD-1'), 'and its change with who and where');
});

onBothEngines(t, 'every request is validated against its schema', async (t, f) => {
  const s = await serviceRig(t, f);
  const cases: Array<[string, 'GET' | 'POST' | 'PATCH', string, unknown, RegExp]> = [
    ['unknown field', 'POST', '/api/v1/devices', { id: 'SD-1', kind: 'key-depot', colour: 'red' }, /must NOT have additional properties/],
    ['bad id', 'POST', '/api/v1/devices', { id: 'bad id!', kind: 'key-depot' }, /must match pattern/],
    ['bad kind', 'POST', '/api/v1/devices', { id: 'SD-2', kind: 'toaster' }, /must be equal to one of the allowed values/],
    ['negative interval', 'POST', '/api/v1/devices', { id: 'SD-3', kind: 'pbx', intervalSeconds: -5 }, /must be >= 1/],
    ['bad window', 'POST', '/api/v1/devices', { id: 'SD-4', kind: 'pbx', testWindow: { start: '25:00', end: '04:00' } }, /must match pattern/],
    ['bad query', 'GET', '/api/v1/events?limit=0', undefined, /must be >= 1/],
    ['unknown query', 'GET', '/api/v1/events?colour=red', undefined, /must NOT have additional properties/],
    ['bad event id', 'POST', '/api/v1/events/abc/acknowledge', undefined, /must be integer/],
    ['empty patch', 'PATCH', '/api/v1/devices/SD-9', {}, /must NOT have fewer than 1 properties/],
  ];
  for (const [what, method, url, body, message] of cases) {
    const r = await s.call(method, url, body);
    t.equal(r.status, 400, `${what}: 400`);
    t.match(r.json?.message, message, `${what}: says what is wrong`);
  }
  const notJson = await s.app.inject({ method: 'POST', url: '/api/v1/devices', headers: { authorization: `Bearer ${s.tokens.admin}`, 'content-type': 'application/json' }, payload: '{"id":' });
  t.equal(notJson.statusCode, 400, 'a body that is not JSON: 400');
  t.same(await s.registry.list(), [], 'and nothing was stored by any of them');
});
