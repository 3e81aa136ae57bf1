import type { FastifyInstance } from 'fastify';
import t from 'tap';
import { EVENTS_TOPIC } from '../../src/centre/supervision-store.js';
import { rightsMask } from '../../src/database/portal-rights.js';
import { LIVE_REJUDGE_MS } from '../../src/service/live-feed.js';
import { onBothEngines } from '../support/both-engines.js';
import { pollUntil } from '../support/poll-until.js';
import { portalRig, type PortalRig } from '../support/portal-rig.js';
import { runCliAsync } from '../support/lab-child.js';

/** An open /live stream: what it received, as event ids and whether it was closed. */
class Stream {
  text = '';
  private constructor(readonly destroy: () => void) {}

  static async open(app: FastifyInstance, cookie: string, lastEventId?: number): Promise<Stream> {
    const r = await app.inject({ method: 'GET', url: '/live', headers: { cookie, ...(lastEventId === undefined ? {} : { 'last-event-id': String(lastEventId) }) }, payloadAsStream: true });
    if (r.statusCode !== 200) throw new Error(`/live answered ${r.statusCode}`);
    const s = new Stream(() => r.stream().destroy());
    r.stream().on('data', (d: Buffer) => (s.text += d.toString('utf8')));
    await pollUntil(() => s.text.includes('retry:'), 'the stream to open');
    return s;
  }

  get ids(): number[] {
    return [...this.text.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));
  }

  get devices(): string[] {
    return [...this.text.matchAll(/"deviceId":"([^"]+)"/g)].map((m) => m[1]);
  }

  get closed(): boolean {
    return /event: closed/.test(this.text);
  }
}

async function raise(rig: PortalRig, deviceId: string, code: number): Promise<number> {
  const now = rig.clock.now();
  const id = await rig.app.centre.events.add({ deviceId, source: 'device', type: 'class-b-error', occurredAt: now, receivedAt: now, data: { code } });
  await rig.app.centre.bus.publish({ topic: EVENTS_TOPIC });
  return id;
}

onBothEngines(t, 'one feed for every live stream: each gets its grants\' events once and in order, a resumed stream its gap, a logout ends a stream at once', async (t, f) => {
  const rig = await portalRig(t, f);
  for (const id of ['DEP-1', 'DEP-2']) await rig.registry.add(id, 'key-depot', {}, { actor: 'cli:test' });
  await rig.addPerson('chef', 'manager');
  const inst = await rig.addPerson('inst', 'partner', 'installer');
  await rig.portal.access.grants.set(inst, 'inst', 'DEP-1', rightsMask(['see-status', 'live']), '', { actor: 'chef' }, rig.clock.now());
  await rig.portal.access.grants.set(inst, 'inst', 'DEP-2', rightsMask(['see-status']), '', { actor: 'chef' }, rig.clock.now());
  const chef = await rig.login('chef');
  const a = await rig.login('inst');
  const b = await rig.login('inst');
  const first = await raise(rig, 'DEP-1', 1);
  const streams = { a: await Stream.open(rig.app, a.cookie), b: await Stream.open(rig.app, b.cookie), chef: await Stream.open(rig.app, chef.cookie) };
  t.teardown(() => Object.values(streams).forEach((s) => s.destroy()));
  t.same(streams.a.ids, [], 'a stream without Last-Event-ID starts with what comes next');

  const raised: Array<[number, string]> = [];
  for (let n = 0; n < 6; n++) {
    const device = n % 2 ? 'DEP-2' : 'DEP-1';
    raised.push([await raise(rig, device, 100 + n), device]);
  }
  const mine = raised.filter(([, d]) => d === 'DEP-1').map(([id]) => id);
  await pollUntil(() => streams.chef.ids.length >= 6 && streams.a.ids.length >= 3 && streams.b.ids.length >= 3, 'the events on every stream');
  t.same(streams.chef.ids, raised.map(([id]) => id), 'the control room gets every event once, in order');
  t.same(streams.a.ids, mine, "the installer's stream gets the events of the device with the live right, once, in order");
  t.same(streams.b.ids, mine, 'and so does the same person\'s second browser');
  t.notOk(streams.a.devices.includes('DEP-2'), 'nothing of the device seen without the live right');

  // A browser that reconnects with an older Last-Event-ID while events keep coming gets its gap and the new ones, each once.
  const c = await rig.login('inst');
  const resuming = Stream.open(rig.app, c.cookie, first - 1);
  const during = [await raise(rig, 'DEP-1', 200), await raise(rig, 'DEP-1', 201)];
  const resumed = await resuming;
  t.teardown(() => resumed.destroy());
  const after = await raise(rig, 'DEP-1', 202);
  const expected = [first, ...mine, ...during, after];
  await pollUntil(() => resumed.ids.length >= expected.length, 'the resumed stream to catch up');
  await new Promise((r) => setTimeout(r, 100));
  t.same(resumed.ids, expected, 'the gap since Last-Event-ID, then the new events: none twice, none lost, in order');

  // Logging out ends that session's stream at once (not at the periodic look), the other browser's stays.
  const out = await b.request('POST', '/logout', { _csrf: b.csrf });
  t.equal(out.status, 303, 'logged out');
  const started = Date.now();
  await pollUntil(() => streams.b.closed, 'the logged-out stream to be closed', LIVE_REJUDGE_MS / 2);
  t.ok(Date.now() - started < LIVE_REJUDGE_MS / 2, 'closed as soon as the logout is known');
  t.notOk(streams.a.closed, "the other browser's stream stays open");

  // The grant taken away: nothing more of that device on the open stream.
  const revoke = await chef.request('POST', '/people/inst/grants/remove', { _csrf: chef.csrf, device: 'DEP-1' });
  t.equal(revoke.status, 303, 'the manager removes the grant');
  const seen = streams.a.ids.length;
  const late = await raise(rig, 'DEP-1', 300);
  await pollUntil(() => streams.chef.ids.includes(late), 'the event on the control room stream');
  await new Promise((r) => setTimeout(r, 200));
  t.equal(streams.a.ids.length, seen, 'the installer no longer gets events of the device');
});

onBothEngines(t, 'a change by `hicom-sim centre person update` in another process ends an open stream at once, not at the periodic look', async (t, f) => {
  // The periodic look pushed out of reach: only the change's own notice can end the streams in time.
  const rig = await portalRig(t, f, { liveRejudgeMs: 3600_000 });
  await rig.registry.add('DEP-1', 'key-depot', {}, { actor: 'cli:test' });
  const inst = await rig.addPerson('inst', 'partner', 'installer');
  await rig.portal.access.grants.set(inst, 'inst', 'DEP-1', rightsMask(['see-status', 'live']), '', { actor: 'chef' }, rig.clock.now());
  await rig.addPerson('op', 'operator');
  const streams = { inst: await Stream.open(rig.app, (await rig.login('inst')).cookie), op: await Stream.open(rig.app, (await rig.login('op')).cookie) };
  t.teardown(() => Object.values(streams).forEach((s) => s.destroy()));
  const db = ['--db', f.spec, '-s', f.stateDir, '--log-level', 'warn'];

  const nothing = await runCliAsync(['centre', 'person', 'update', 'inst', ...db]);
  t.equal(nothing.status, 2, `an update that changes nothing is refused (${nothing.stderr.trim()})`);
  t.match(nothing.stderr, /nothing to change/, 'and says why');
  const nobody = await runCliAsync(['centre', 'person', 'update', 'nobody', '--disable', ...db]);
  t.equal(nobody.status, 2, 'an unknown person is refused');
  t.match(nobody.stderr, /no person nobody/, 'by name');

  const moved = await runCliAsync(['centre', 'person', 'update', 'inst', '--networks', '127.0.0.2/32', ...db]);
  t.equal(moved.status, 0, `the allowlist changed from the command line (${moved.stderr.trim()})`);
  t.match(moved.stdout, /updated inst: active, 127\.0\.0\.2\/32/, 'and the command says what it is now');
  let since = Date.now();
  await pollUntil(() => streams.inst.closed, "the installer's stream to end", LIVE_REJUDGE_MS / 2);
  t.ok(Date.now() - since < LIVE_REJUDGE_MS / 2, `the stream from an address no longer allowed ended ${Date.now() - since} ms after the other process's change`);
  t.notOk(streams.op.closed, "another person's stream stays open");

  const disabled = await runCliAsync(['centre', 'person', 'update', 'op', '--disable', ...db]);
  t.equal(disabled.status, 0, `a person disabled from the command line (${disabled.stderr.trim()})`);
  since = Date.now();
  await pollUntil(() => streams.op.closed, "the operator's stream to end", LIVE_REJUDGE_MS / 2);
  t.ok(Date.now() - since < LIVE_REJUDGE_MS / 2, 'the disabled person\'s stream ended at once');
});
