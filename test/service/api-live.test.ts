import type { FastifyInstance } from 'fastify';
import t from 'tap';
import { EVENTS_TOPIC } from '../../src/centre/supervision-store.js';
import { onBothEngines } from '../support/both-engines.js';
import { pollUntil } from '../support/poll-until.js';
import { portalRig } from '../support/portal-rig.js';

/** An open SSE stream (inject): the ids it received. */
async function openStream(app: FastifyInstance, url: string, headers: Record<string, string>) {
  const r = await app.inject({ method: 'GET', url, headers, payloadAsStream: true });
  if (r.statusCode !== 200) throw new Error(`${url} answered ${r.statusCode}`);
  let text = '';
  r.stream().on('data', (d: Buffer) => (text += d.toString('utf8')));
  await pollUntil(() => text.length > 0, `${url} to open`);
  return { ids: () => [...text.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1])), text: () => text, destroy: () => r.stream().destroy() };
}

onBothEngines(t, "/api/v1/live streams ride the process's one live feed with the portal's: every event once and in order, a resumed stream its gap first", async (t, f) => {
  const rig = await portalRig(t, f);
  await rig.registry.add('DEP-1', 'key-depot', {}, { actor: 'cli:test' });
  await rig.addPerson('chef', 'manager');
  const { secret } = await rig.app.centre.tokens.create('script', ['read'], { actor: 'cli:test' }, rig.clock.now());
  const auth = { authorization: `Bearer ${secret}` };
  const raise = async (code: number) => {
    const now = rig.clock.now();
    const id = await rig.app.centre.events.add({ deviceId: 'DEP-1', source: 'device', type: 'class-b-error', occurredAt: now, receivedAt: now, data: { code } });
    await rig.app.centre.bus.publish({ topic: EVENTS_TOPIC });
    return id;
  };
  const first = await raise(1);
  const feed = rig.app.centre.live;
  const api = [await openStream(rig.app, '/api/v1/live', auth), await openStream(rig.app, '/api/v1/live', auth), await openStream(rig.app, `/api/v1/live?after=${first - 1}`, auth)];
  const portal = await openStream(rig.app, '/live', { cookie: (await rig.login('chef')).cookie });
  t.teardown(() => [...api, portal].forEach((s) => s.destroy()));
  t.equal(feed.streams, 4, 'the three API streams and the portal stream are subscribers of the one feed (no stream reads events on its own)');

  const raised = [await raise(2), await raise(3), await raise(4)];
  await pollUntil(() => api.every((s) => s.ids().length >= 3) && portal.ids().length >= 3, 'the events on every stream');
  await new Promise((r) => setTimeout(r, 100));
  t.same(api[0].ids(), raised, 'an API stream gets each new event once, in order');
  t.same(api[1].ids(), raised, 'and so does a second one');
  t.same(api[2].ids(), [first, ...raised], 'a stream opened with ?after= gets its gap first, then the new events, none twice');
  t.same(portal.ids(), raised, 'the portal stream on the same feed gets them too');
  t.match(api[0].text(), /"deviceId":"DEP-1"/, 'as the API\'s event JSON');


  // Over a real socket: a client that goes away leaves the feed.
  const origin = await rig.app.listen({ host: '127.0.0.1', port: 0 });
  const controller = new AbortController();
  const res = await fetch(`${origin}/api/v1/live`, { headers: auth, signal: controller.signal });
  t.equal(res.status, 200, 'a client opens the stream over HTTP');
  await pollUntil(() => feed.streams === 5, 'the HTTP stream to join the feed');
  controller.abort();
  await pollUntil(() => feed.streams === 4, 'the closed stream to leave the feed');
  t.equal(feed.streams, 4, 'and leaves it when the client goes away');
});
