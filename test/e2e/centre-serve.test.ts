import t from 'tap';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { onBothEngines } from '../support/both-engines.js';
import { api, cliDevice, cliToken, startCentre } from '../support/centre-child.js';
import { runCliAsync, tempDir } from '../support/lab-child.js';
import { TelegramProbe } from '../support/telegram-probe.js';

onBothEngines(t, 'centre serve: a device added by the CLI checks in over UDP and its event shows in the API', async (t, f) => {
  const centre = await startCentre(t, { db: f.spec, state: f.stateDir });
  const key = await cliDevice(f.spec, f.stateDir, 'SD-0042');
  const token = await cliToken(f.spec, f.stateDir, 'script');
  const probe = await TelegramProbe.open(centre.udp);
  t.teardown(() => probe.close());
  const now = Math.floor(Date.now() / 1000);
  const ack = await probe.checkIn('SD-0042', key, 1, { status: { kind: 'key-depot', door: 'closed' }, events: [{ seq: 5, time: now, type: 'tamper' }] });
  t.same(ack?.type === 'ack' && ack.body.accepted, [5], 'the running service acks a device another process registered a moment ago');
  const events = await api(centre.http, token, 'GET', '/events?device=SD-0042');
  t.same(events.json.map((e: { type: string; life: string }) => `${e.type}:${e.life}`), ['tamper:active'], 'the tamper event is in the API, active');
  const sup = await api(centre.http, token, 'GET', '/devices/SD-0042/supervision');
  t.equal(sup.json.presence, 'ok', 'and the device is present');
  t.equal((await api(centre.http, 'hcs_9_' + 'x'.repeat(43), 'GET', '/events')).status, 401, 'a wrong token is refused over HTTP too');
  t.equal(await centre.stop(), 0, 'SIGTERM stops it cleanly');
  t.match(centre.child.lines.join('\n'), /centre stopped/, 'saying so');
});

t.test('a database that cannot be opened is one line and a non-zero exit', async (t) => {
  const dir = tempDir(t);
  const notDb = join(dir, 'notes.txt');
  writeFileSync(notDb, 'not a database, just some text that is long enough to have a header\n'.repeat(20));
  const cases: Array<[string, string, RegExp, number]> = [
    ['an SQLite path that is not a database', `sqlite:${notDb}`, /^hicom-sim: cannot open SQLite database .*notes\.txt: the file is not an SQLite database$/, 2], // bad input (docs/exit-codes.md)
    ['a PostgreSQL server that is not there', 'postgres://centre:secret@127.0.0.1:1/centre', /^hicom-sim: cannot open PostgreSQL database postgres:\/\/centre:\*\*\*@127\.0\.0\.1:1\/centre: connection refused/, 3], // no connection
    ['a --db that is neither', 'mysql://x/y', /^hicom-sim: --db mysql:\/\/x\/y: not sqlite:PATH or postgres:/, 2],
  ];
  for (const [what, db, line, code] of cases) {
    const r = await runCliAsync(['centre', 'serve', '--db', db, '-s', dir, '--udp', '127.0.0.1:0', '--http', '127.0.0.1:0'], { timeoutMs: 30_000 });
    t.equal(r.status, code, `${what}: exit ${code}`);
    const lines = r.stderr.trim().split('\n');
    t.equal(lines.length, 1, `${what}: one line on stderr (${r.stderr.trim()})`);
    t.match(lines[0], line, `${what}: says why`);
    t.notMatch(r.stderr, /secret/, `${what}: never the password`);
  }
});
