import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { api, cliDevice, cliToken, startCentre } from '../support/centre-child.js';
import { runCliAsync, tempDir } from '../support/lab-child.js';

/**
 * The whole path as an operator runs it: devices registered with
 * `centre device add`, their keys collected into a keys file as docs/fleet.md
 * shows, `centre serve` running, and `hicom-sim fleet` with those keys — the
 * depots' and PBXs' firmware against the real intake over real UDP.
 */
t.test('hicom-sim fleet against hicom-sim centre serve: every check-in acknowledged, events stored', async (t) => {
  const dir = tempDir(t);
  const state = join(dir, 'state');
  const db = `sqlite:${join(dir, 'centre.db')}`;
  const lines: string[] = [];
  for (let i = 1; i <= 6; i++) {
    const kind = i % 2 ? 'key-depot' : 'pbx';
    const key = await cliDevice(db, state, `FC-${i}`, kind);
    lines.push(`FC-${i} ${kind} ${key.toString('base64')}`);
  }
  const keys = join(dir, 'keys.txt');
  writeFileSync(keys, `${lines.join('\n')}\n`);
  const centre = await startCentre(t, { db, state });
  const r = await runCliAsync(['fleet', '--keys', keys, '--centre', `udp:${centre.udp.host}:${centre.udp.port}`, '--speed', '60', '--duration', '4', '--activity', '600', '--json'], { timeoutMs: 60_000 });
  t.equal(r.status, 0, `the fleet ran (${r.stderr.trim()})`);
  const s = JSON.parse(r.stdout) as { sent: number; acks: number; naks: Record<string, number>; timeouts: number; eventsAccepted: number };
  t.ok(s.sent >= 6 * 3, `every device checked in about once a second (${s.sent})`);
  t.ok(s.acks >= s.sent - 6, `the centre acknowledged them (${s.acks} of ${s.sent}; the last ones may be on their way at the end)`);
  t.same([s.naks.replay, s.naks['clock-skew'], s.timeouts], [0, 0, 0], 'no naks, no timeouts: keys, counters and clocks as the centre expects');
  t.ok(s.eventsAccepted > 0, `events were accepted (${s.eventsAccepted})`);
  const token = await cliToken(db, state, 'fleet-test');
  for (const id of ['FC-1', 'FC-2']) {
    const sup = await api(centre.http, token, 'GET', `/devices/${id}/supervision`);
    t.equal(sup.json.presence, 'ok', `${id} is present at the centre`);
  }
  t.equal(await centre.stop(), 0, 'the centre stops cleanly');
});
