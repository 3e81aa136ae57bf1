import { readFileSync } from 'node:fs';
import t from 'tap';
import { AuditTrail } from '../../src/database/audit-trail.js';
import { DEFAULT_CHECK_IN_INTERVAL_MS, DeviceRegistry } from '../../src/database/device-registry.js';
import { MasterKey } from '../../src/storage/master-key.js';
import { onBothEngines } from '../support/both-engines.js';

const by = { actor: 'test', address: '192.0.2.7' };

onBothEngines(t, 'devices are added, listed, shown, updated, rekeyed and removed', async (t, f) => {
  const db = await f.open();
  let now = Date.UTC(2026, 0, 5, 8);
  const registry = await DeviceRegistry.open(db, MasterKey.load(f.stateDir, {}), { now: () => now });
  const { device, key } = await registry.add('DEP-0001', 'key-depot', { customerName: 'Meier AG', testWindow: { startMin: 120, endMin: 240 }, functionTestPeriodMs: 86_400_000 }, by);
  t.equal(key.length, 32, 'a 32-byte key is made');
  t.equal(device.checkInIntervalMs, DEFAULT_CHECK_IN_INTERVAL_MS, 'settings not given take their defaults');
  await registry.add('HSIM-0001', 'pbx', {}, by);
  t.same((await registry.list()).map((d) => [d.id, d.kind]), [['DEP-0001', 'key-depot'], ['HSIM-0001', 'pbx']], 'both are listed, by id');
  t.same(await registry.get('DEP-0001'), device, 'a device reads back as it was added');
  t.same(await registry.key('DEP-0001'), key, 'its key opens under the master key');
  t.equal(await registry.key('NOPE'), undefined, 'an unknown device has no key');
  await t.rejects(registry.add('DEP-0001', 'pbx', {}, by), { message: 'device DEP-0001 is already registered' }, 'an id is registered once');
  await t.rejects(registry.add('bad id!', 'pbx', {}, by), { message: /is not 1–32 characters of A–Z a–z 0–9 \. _ -/ }, 'an id the telegram cannot carry is refused');
  await t.rejects(registry.add('X'.repeat(33), 'pbx', {}, by), /not 1–32 characters/, 'so is a 33-character id');
  await t.rejects(registry.add('D2', 'pbx', { checkInIntervalMs: 0 }, by), /check-in interval must be a positive/, 'a zero interval is refused');

  now += 1000;
  const updated = await registry.update('DEP-0001', { siteName: 'Lager 3', graceMs: 5000 }, by);
  t.equal(updated.siteName, 'Lager 3', 'update changes what it is given');
  t.equal((await registry.get('DEP-0001'))?.customerName, 'Meier AG', 'and keeps the rest');
  t.equal((await registry.get('DEP-0001'))?.updatedAt, now, 'and records when');

  const rekeyed = await registry.rekey('DEP-0001', by);
  t.not(rekeyed.key.toString('hex'), key.toString('hex'), 'rekey makes a new key');
  t.equal(rekeyed.device.keyVersion, 2, 'and counts the key version up');
  t.same(await registry.key('DEP-0001'), rekeyed.key, 'the new key is the one stored');
  await t.rejects(registry.rekey('NOPE', by), { message: 'no device NOPE' }, 'rekeying an unknown device is refused');

  t.equal(await registry.remove('HSIM-0001', by), true, 'remove says it removed');
  t.equal(await registry.remove('HSIM-0001', by), false, 'and false the second time');
  t.same((await registry.list()).map((d) => d.id), ['DEP-0001'], 'one device left');

  const audit = await new AuditTrail(db).list();
  t.same(audit.map((a) => [a.action, a.target]).reverse(), [['device.add', 'DEP-0001'], ['device.add', 'HSIM-0001'], ['device.update', 'DEP-0001'], ['device.rekey', 'DEP-0001'], ['device.remove', 'HSIM-0001']], 'every change is in the audit trail, refusals are not');
  t.same([audit[0].actor, audit[0].address], ['test', '192.0.2.7'], 'with who and from where');
  t.notMatch(JSON.stringify(audit), new RegExp(rekeyed.key.toString('base64').slice(0, 16).replace(/[+/]/g, '.')), 'and never the key');
});

onBothEngines(t, 'device keys are never stored in clear', async (t, f) => {
  const db = await f.open();
  const registry = await DeviceRegistry.open(db, MasterKey.load(f.stateDir, {}));
  const { key } = await registry.add('DEP-1', 'key-depot', {}, by);
  const row = await db.kysely.selectFrom('devices').select('key_sealed').where('id', '=', 'DEP-1').executeTakeFirstOrThrow();
  t.notOk(Buffer.from(row.key_sealed).includes(key), 'the stored value does not contain the key');
  if (f.location.engine === 'sqlite') {
    await db.close();
    t.notOk(readFileSync(f.location.path).includes(key), 'nor does the database file anywhere');
  }
});

onBothEngines(t, 'another master key is refused before it can seal or open anything', async (t, f) => {
  const db = await f.open();
  await DeviceRegistry.open(db, MasterKey.load(f.stateDir, {}));
  await t.rejects(DeviceRegistry.open(db, MasterKey.load(t.testdir(), {})), { name: 'MasterKeyError', message: /is not the one the device keys in .* were sealed with/ }, 'a second, different key is refused with one line');
});
