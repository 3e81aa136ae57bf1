import t from 'tap';
import { AuditTrail } from '../../src/database/audit-trail.js';
import { DeviceRegistry } from '../../src/database/device-registry.js';
import { rightsMask } from '../../src/database/portal-rights.js';
import { hashPassword } from '../../src/portal/password-hash.js';
import { FREE_FAILURES, PersonAccess, SESSION_IDLE_MS, type Person } from '../../src/portal/person-access.js';
import { MasterKey } from '../../src/storage/master-key.js';
import { onBothEngines } from '../support/both-engines.js';

const cli = { actor: 'cli:test' };
const HERE = '127.0.0.1';

onBothEngines(t, 'login, sessions, allowlists and the access filter', async (t, f) => {
  const db = await f.open();
  let now = Date.UTC(2026, 2, 1, 9);
  const clock = { now: () => now };
  const registry = await DeviceRegistry.open(db, MasterKey.load(f.stateDir, {}), clock);
  for (const id of ['DEP-1', 'DEP-2', 'HSIM-1']) await registry.add(id, id.startsWith('DEP') ? 'key-depot' : 'pbx', {}, cli);
  const audit = new AuditTrail(db);
  const access = new PersonAccess(db, audit, clock);
  const hash = await hashPassword('correct horse 1', 1024);
  const mgr = await access.accounts.create({ name: 'chef', displayName: 'Leitstelle', role: 'manager', partnerKind: '', passwordHash: hash, networks: '' }, cli, now);
  const inst = await access.accounts.create({ name: 'inst', displayName: 'Installer', role: 'partner', partnerKind: 'installer', passwordHash: hash, networks: '' }, { actor: mgr.name, address: HERE }, now);
  await access.grants.set(inst.id, inst.name, 'DEP-1', rightsMask(['see-status', 'see-history']), '', { actor: 'chef' }, now);
  await access.grants.set(inst.id, inst.name, 'HSIM-1', rightsMask(['see-status', 'live']), '', { actor: 'chef' }, now);

  const visible = async (p: Person, right: Parameters<Person['scope']['grantedDevices']>[1]) =>
    (await db.kysely.selectFrom('devices').select('id').where(p.scope.devicesWhere(db.kysely, 'devices.id', right)).orderBy('id').execute()).map((r) => r.id);

  const wrong = await access.login('inst', 'not the password', HERE, 'ua');
  t.same(wrong, { ok: false, reason: 'credentials', retryAfterMs: 0 }, 'a wrong password is refused');
  const nobody = await access.login('nobody', 'whatever pass', HERE, 'ua');
  t.equal(nobody.ok === false && nobody.reason, 'credentials', 'an unknown name gets the same answer as a wrong password');
  const good = await access.login('inst', 'correct horse 1', HERE, 'ua');
  if (!good.ok) throw new Error('login failed');
  t.match(good.token, /^[A-Za-z0-9_-]{43}$/, 'the cookie token is 256 random bits');
  t.not((await access.sessions.find(good.person.session.tokenHash))?.tokenHash, good.token, 'the database holds only a hash of the token');
  t.same(await visible(good.person, 'see-status'), ['DEP-1', 'HSIM-1'], 'the installer sees exactly the two granted devices');
  t.same(await visible(good.person, 'live'), ['HSIM-1'], 'and live notifications only where that right is granted');
  t.same(await visible(good.person, 'export'), [], 'and exports nowhere');
  const manager = await access.login('chef', 'correct horse 1', HERE, 'ua');
  if (!manager.ok) throw new Error('manager login failed');
  t.same(await visible(manager.person, 'export'), ['DEP-1', 'DEP-2', 'HSIM-1'], 'the control room sees every device');
  t.same([...(await good.person.scope.rightsOn(db.kysely, 'HSIM-1'))].sort(), ['live', 'see-status'], 'rightsOn reads the grant');

  const trail = await audit.list();
  t.same(
    trail.filter((e) => e.action.startsWith('login')).map((e) => [e.actor, e.action, e.address]).reverse(),
    [['inst', 'login.failed', HERE], ['nobody', 'login.failed', HERE], ['inst', 'login', HERE], ['chef', 'login', HERE]],
    'every attempt is in the audit trail with its address',
  );

  // The account's allowlist names only another address: the open session ends at its next request.
  await access.accounts.update(inst.id, { networks: '127.0.0.2/32' }, { actor: 'chef' }, now);
  t.equal(await access.resolve(good.token, HERE), 'address', 'the open session stops working the moment the list changes');
  t.equal(await access.resolve(good.token, HERE), 'none', 'and stays ended');
  const refused = await access.login('inst', 'correct horse 1', HERE, 'ua');
  t.equal(refused.ok === false && refused.reason, 'address', 'login from elsewhere is refused');
  const there = await access.login('inst', 'correct horse 1', '127.0.0.2', 'ua');
  t.equal(there.ok, true, 'from the listed address it works');
  await access.accounts.update(inst.id, { networks: '127.0.0.0/30 ::1' }, { actor: 'chef' }, now);
  const back = await access.login('inst', 'correct horse 1', HERE, 'ua');
  t.equal(back.ok, true, 'once the list includes the address, login works');
  t.equal((await access.login('inst', 'correct horse 1', '::ffff:127.0.0.1', 'ua')).ok, true, 'an IPv4-mapped IPv6 address counts as its IPv4 address');

  // A grant's own list: that grant counts only from there.
  await access.grants.set(inst.id, inst.name, 'DEP-1', rightsMask(['see-status']), '10.9.9.0/24', { actor: 'chef' }, now);
  if (!back.ok) throw new Error('no session');
  const fresh = await access.resolve(back.token, HERE);
  if (typeof fresh === 'string') throw new Error(fresh);
  t.same(await visible(fresh, 'see-status'), ['HSIM-1'], 'a grant whose list excludes this address shows nothing');
  await access.grants.set(inst.id, inst.name, 'HSIM-1', rightsMask(['see-status']), '10.9.8.0/24', { actor: 'chef' }, now);
  t.equal(await access.resolve(back.token, HERE), 'address', 'when every grant is limited to other networks the account does not work from here');

  // Throttle: free failures, then each attempt must wait; another address is not slowed.
  await access.accounts.update(inst.id, { networks: '' }, { actor: 'chef' }, now);
  await access.grants.set(inst.id, inst.name, 'HSIM-1', rightsMask(['see-status']), '', { actor: 'chef' }, now);
  for (let i = 0; i < FREE_FAILURES; i++) t.equal((await access.login('chef', 'bad', HERE, 'ua')).ok, false, `failure ${i + 1}`);
  const sixth = await access.login('chef', 'bad', HERE, 'ua');
  t.match(sixth, { ok: false, reason: 'credentials' }, 'the sixth failure is still judged');
  const slowed = await access.login('chef', 'correct horse 1', HERE, 'ua');
  t.match(slowed, { ok: false, reason: 'throttled' }, 'then even the right password must wait');
  t.equal((await access.login('chef', 'correct horse 1', '127.0.0.9', 'ua')).ok, true, 'from another address the person is not locked out');
  now += 60_000;
  t.equal((await access.login('chef', 'correct horse 1', HERE, 'ua')).ok, true, 'after the wait the login works and clears the count');

  // Sessions expire when idle; log out everywhere ends them all.
  const a = await access.login('inst', 'correct horse 1', HERE, 'ua');
  const b = await access.login('inst', 'correct horse 1', HERE, 'ua');
  if (!a.ok || !b.ok) throw new Error('login failed');
  t.equal(await access.logoutEverywhere(a.person, HERE) >= 2, true, 'log out everywhere ends every session');
  t.equal(await access.resolve(b.token, HERE), 'none', 'including the other browser');
  const c = await access.login('inst', 'correct horse 1', HERE, 'ua');
  if (!c.ok) throw new Error('login failed');
  now += SESSION_IDLE_MS;
  t.equal(await access.resolve(c.token, HERE), 'expired', 'an idle session expires');
  t.equal(await access.resolve('forged-token', HERE), 'none', 'a forged cookie opens nothing');
});
