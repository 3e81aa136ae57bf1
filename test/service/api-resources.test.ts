import t from 'tap';
import { encodeReport } from '../../firmware-sim/error-report.js';
import { verifySecret } from '../../firmware-sim/secret-hash.js';
import { DatabaseReportStore } from '../../src/centre/database-report-store.js';
import { onBothEngines } from '../support/both-engines.js';
import { serviceRig } from '../support/centre-service-rig.js';
import { sampleReport } from '../support/sample-report.js';
import { secretPattern } from '../support/secret-pattern.js';

onBothEngines(t, 'devices: add (key shown once), show (never the key), change, rekey, remove', async (t, f) => {
  const s = await serviceRig(t, f);
  const added = await s.call('POST', '/api/v1/devices', { id: 'SD-0001', kind: 'key-depot', customerName: 'Meier AG', intervalSeconds: 120, testWindow: { start: '02:00', end: '04:00' }, functionTestDays: 1 });
  t.equal(added.status, 201, 'a device is added');
  t.equal(Buffer.from(added.json.key, 'base64').length, 32, 'its 32-byte key comes back once, base64');
  t.same([added.json.device.intervalSeconds, added.json.device.testWindow, added.json.device.functionTestDays], [120, { start: '02:00', end: '04:00' }, 1], 'with its settings');
  t.same(await s.registry.key('SD-0001'), Buffer.from(added.json.key, 'base64'), 'the key shown is the one the intake will use');
  t.equal((await s.call('POST', '/api/v1/devices', { id: 'SD-0001', kind: 'pbx' })).status, 409, 'an id is registered once: 409');
  const shown = await s.call('GET', '/api/v1/devices/SD-0001');
  t.equal(shown.json.customerName, 'Meier AG', 'a device reads back');
  t.notMatch(shown.body, new RegExp(added.json.key.slice(0, 20).replace(/[+/]/g, '.')), 'without its key');
  t.equal((await s.call('GET', '/api/v1/devices/NOPE')).status, 404, 'an unknown device: 404');
  const changed = await s.call('PATCH', '/api/v1/devices/SD-0001', { graceSeconds: 45, siteName: 'Lager 3' });
  t.same([changed.status, changed.json.graceSeconds, changed.json.siteName, changed.json.customerName], [200, 45, 'Lager 3', 'Meier AG'], 'a change changes only what it names');
  const rekeyed = await s.call('POST', '/api/v1/devices/SD-0001/rekey');
  t.same([rekeyed.status, rekeyed.json.device.keyVersion], [200, 2], 'rekey counts the key version up');
  t.not(rekeyed.json.key, added.json.key, 'and shows the new key');
  t.same((await s.call('GET', '/api/v1/devices')).json.map((d: { id: string }) => d.id), ['SD-0001'], 'the list has it');
  t.equal((await s.call('GET', '/api/v1/devices/SD-0001/supervision')).json.presence, 'unknown', 'a new device has a supervision state');
  t.equal((await s.call('DELETE', '/api/v1/devices/SD-0001')).status, 204, 'remove');
  t.equal((await s.call('DELETE', '/api/v1/devices/SD-0001')).status, 404, 'twice: 404');
  const audit = (await s.call('GET', '/api/v1/audit?target=SD-0001')).json.map((a: { action: string }) => a.action).reverse();
  t.same(audit, ['device.add', 'device.update', 'device.rekey', 'device.remove'], 'every change is in the audit trail');
});

onBothEngines(t, 'events: acknowledge once (who and when), clear, comment; reports readable with their raw bytes', async (t, f) => {
  const s = await serviceRig(t, f);
  const report = sampleReport();
  const bytes = encodeReport(report);
  await new DatabaseReportStore(s.db).appendReport(bytes, Date.now());
  const events = (await s.call('GET', '/api/v1/events?device=PBX0001')).json;
  t.same(events.map((e: { type: string; life: string }) => `${e.type}:${e.life}`).sort(), ['class-b-error:active', 'function-test:cleared'], 'a report makes an event per error');
  const err = events.find((e: { type: string }) => e.type === 'class-b-error');
  const ack = await s.call('POST', `/api/v1/events/${err.id}/acknowledge`, undefined, s.tokens.operate);
  t.same([ack.status, ack.json.ack, ack.json.acknowledgedBy], [200, 'acknowledged', 'token:t-operate'], 'acknowledged, by whom');
  t.ok(ack.json.acknowledgedAt > 0, 'and when');
  const again = await s.call('POST', `/api/v1/events/${err.id}/acknowledge`);
  t.equal(again.status, 409, 'a second acknowledgement: 409');
  t.match(again.json.message, /already acknowledged by token:t-operate/, 'saying by whom');
  const c = await s.call('POST', `/api/v1/events/${err.id}/comments`, { text: 'technician sent' }, s.tokens.operate);
  t.same([c.status, c.json.comments.map((x: { text: string; author: string }) => [x.author, x.text])], [201, [['token:t-operate', 'technician sent']]], 'a comment is kept with its author');
  t.equal((await s.call('POST', `/api/v1/events/${err.id}/clear`)).json.life, 'cleared', 'clear');
  t.equal((await s.call('POST', `/api/v1/events/${err.id}/clear`)).status, 409, 'clear twice: 409');
  t.equal((await s.call('POST', '/api/v1/events/999999/acknowledge')).status, 404, 'an unknown event: 404');
  t.same((await s.call('GET', '/api/v1/events?ack=acknowledged')).json.map((e: { id: number }) => e.id), [err.id], 'events filter by acknowledgement');

  const reports = (await s.call('GET', '/api/v1/reports?system=PBX0001')).json;
  t.equal(reports.length, 1, 'the report is listed');
  t.match(reports[0].text, /Trunk 3 no dial tone/, 'readable');
  t.same(Buffer.from(reports[0].rawBase64, 'base64'), Buffer.from(bytes), 'with its raw bytes');
  const raw = await s.app.inject({ method: 'GET', url: `/api/v1/reports/${reports[0].id}/raw`, headers: { authorization: `Bearer ${s.tokens.read}` } });
  t.same([raw.headers['content-type'], raw.rawPayload], ['application/octet-stream', Buffer.from(bytes)], 'and as bytes');
  const audit = (await s.call('GET', '/api/v1/audit')).json.map((a: { action: string }) => a.action);
  for (const a of ['event.acknowledge', 'event.comment', 'event.clear']) t.ok(audit.includes(a), `${a} is audited`);
});

onBothEngines(t, 'commands: a PIN is hashed before it is stored, never shown; devices of the wrong kind are refused', async (t, f) => {
  const s = await serviceRig(t, f);
  await s.call('POST', '/api/v1/devices', { id: 'SD-1', kind: 'key-depot' });
  await s.call('POST', '/api/v1/devices', { id: 'HSIM-1', kind: 'pbx' });
  const pin = await s.call('POST', '/api/v1/devices/SD-1/commands', { type: 'pin-add', user: 'Meier', pin: '4711', compartments: [2] }, s.tokens.operate);
  t.same([pin.status, pin.json.commandId, pin.json.state, pin.json.fields.hash], [201, 1, 'queued', '(hidden)'], 'queued with id 1, its hash hidden');
  t.notMatch(pin.body, secretPattern('4711'), 'the PIN never comes back');
  const stored = await s.db.kysely.selectFrom('device_commands').select('fields').executeTakeFirstOrThrow();
  t.notMatch(stored.fields, secretPattern('4711'), 'nor is it stored');
  t.ok(verifySecret('4711', JSON.parse(stored.fields).hash), 'only its salted scrypt hash');
  t.equal((await s.call('POST', '/api/v1/devices/SD-1/commands', { type: 'pin-add', user: 'Meier', pin: '12' })).status, 400, 'a PIN of 2 digits: 400');
  t.equal((await s.call('POST', '/api/v1/devices/HSIM-1/commands', { type: 'release', compartment: 2 })).status, 400, 'a PBX has no compartments');
  t.equal((await s.call('POST', '/api/v1/devices/HSIM-1/commands', { type: 'test' })).status, 201, 'but runs a test');
  t.equal((await s.call('POST', '/api/v1/devices/NOPE/commands', { type: 'test' })).status, 404, 'an unknown device: 404');
  t.equal((await s.call('POST', '/api/v1/devices/SD-1/commands', { type: 'interval', seconds: 5 })).status, 400, 'an interval below 10 s: 400');
  const cancel = await s.call('DELETE', '/api/v1/devices/SD-1/commands/1', undefined, s.tokens.operate);
  t.same([cancel.status, cancel.json.state], [200, 'cancelled'], 'a queued command can be cancelled');
  t.equal((await s.call('DELETE', '/api/v1/devices/SD-1/commands/1')).status, 409, 'once');
  const audit = (await s.call('GET', '/api/v1/audit?target=SD-1')).json;
  t.notMatch(JSON.stringify(audit), secretPattern('scrypt', '4711'), 'the audit names the command, not the PIN or its hash');
});

onBothEngines(t, 'the OpenAPI document is generated from the route schemas', async (t, f) => {
  const s = await serviceRig(t, f);
  const doc = (await s.call('GET', '/api/v1/openapi.json', undefined, '')).json;
  t.equal(doc.openapi, '3.0.3', 'an OpenAPI 3 document, without a token');
  for (const p of ['/api/v1/devices', '/api/v1/devices/{id}/commands', '/api/v1/events/{id}/acknowledge', '/api/v1/reports/{id}/raw', '/api/v1/audit', '/api/v1/live']) t.ok(doc.paths[p], `it documents ${p}`);
  t.ok(doc.paths['/api/v1/devices'].post.requestBody, 'with request bodies from the schemas');
});
