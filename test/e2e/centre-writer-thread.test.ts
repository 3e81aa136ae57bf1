import t from 'tap';
import { CheckIns } from '../../src/database/check-ins.js';
import { engineFixture } from '../support/both-engines.js';
import { cliDevice, startCentre } from '../support/centre-child.js';
import { runCliAsync } from '../support/lab-child.js';
import { TelegramProbe } from '../support/telegram-probe.js';

t.test('centre serve --writer-thread --no-http: check-ins committed in the writer thread are acknowledged and stored, a replay nakked', async (t) => {
  const f = await engineFixture(t, 'sqlite');
  const centre = await startCentre(t, { db: f.spec, state: f.stateDir, http: false, extra: ['--writer-thread'] });
  const key = await cliDevice(f.spec, f.stateDir, 'WT-E2E');
  const probe = await TelegramProbe.open(centre.udp);
  t.teardown(() => probe.close());
  const now = Math.floor(Date.now() / 1000);
  const ack = await probe.checkIn('WT-E2E', key, 1, { events: [{ seq: 3, time: now, type: 'door-open' }] });
  t.same(ack?.type === 'ack' && ack.body.accepted, [3], 'acknowledged, listing its event');
  const db = await f.open();
  t.equal((await new CheckIns(db).recent('WT-E2E')).length, 1, 'the check-in is in the database once the ack is out');
  const again = await probe.checkIn('WT-E2E', key, 1, {});
  t.same(again?.type === 'nak' && again.body.reason, 'replay', 'the same counter again: nak replay');
  t.equal(await centre.stop(), 0, 'SIGTERM stops it cleanly, thread and all');
});

t.test('--writer-thread with an HTTP side is refused: the live feed would take its commits for another process', async (t) => {
  const f = await engineFixture(t, 'sqlite');
  const r = await runCliAsync(['centre', 'serve', '--db', f.spec, '-s', f.stateDir, '--udp', '127.0.0.1:0', '--http', '127.0.0.1:0', '--writer-thread'], { timeoutMs: 30_000 });
  t.equal(r.status, 2, 'exit 2 (usage)');
  t.match(r.stderr.trim(), /^hicom-sim: centre serve: --writer-thread is for an intake-only process: give --no-http too$/, 'one line saying what to do');
});
