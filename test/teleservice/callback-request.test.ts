import t from 'tap';
import type { CallbackEvent } from '../../firmware-sim/callback-scheduler.js';
import { TECH_NUMBER, techTerminal, advanceUntil, configure, record, startTeleserviceLab, viaTrunk, waitFor } from '../support/teleservice-lab.js';

/** Seed (003, Callback): "Nach 10 s initiiert Hicom 150 E Office den Callback". */
const SEED_CALLBACK_DELAY_MS = 10_000;

t.test('CALLBACK at the PIN prompt: registered, hung up, called back after 10 s over the IMOD, login without PIN', async (t) => {
  const tl = await startTeleserviceLab();
  t.teardown(() => tl.close());
  const { pbx, callback } = tl.pbx();
  configure(pbx, { pin: '12345', 'callback.2.number': viaTrunk(TECH_NUMBER), 'callback.2.code': '4711' });
  const events: Array<CallbackEvent & { at: number }> = [];
  callback.onEvent((e) => events.push({ ...e, at: tl.clock.now() }));
  const tech = techTerminal(tl);
  tech.send('ATE0\r');
  tech.send('ATD0301201791\r');
  t.ok(advanceUntil(tl.clock, () => tech.peek().includes('PIN:'), 60_000), 'the PBX asks for the PIN');
  tech.take();
  tech.send('CALLBACK 2 4711\r');
  const reply = waitFor(tl, tech, /NO CARRIER/);
  t.match(reply, /CALLBACK REGISTERED 2[^]*NO CARRIER/, 'the PBX confirms the registration and hangs up');
  const registeredAt = events.find((e) => e.type === 'registered')?.at ?? NaN;
  t.ok(pbx.log.read().some((e) => e.command === 'CALLBACK 2 registered IMOD 0897000'), 'the registration is in the protocol log');
  tech.send('ATS0=1\r');
  tech.take();
  t.ok(advanceUntil(tl.clock, () => tech.peek().includes('User:'), 120_000), 'the callback connects and the session asks for the user');
  const attempt = events.find((e) => e.type === 'attempt');
  t.equal(attempt?.at, registeredAt + SEED_CALLBACK_DELAY_MS, 'the PBX dials exactly 10 s after the registration');
  t.match(attempt, { modem: 'imod', number: viaTrunk(TECH_NUMBER), attempt: 1 }, 'over the IMOD (X.75 no), to the number of index 2');
  const out = tech.take();
  t.match(out, /RING/, 'the technician modem rang');
  t.match(out, /CONNECT/, 'and connected');
  t.notMatch(out, /PIN:/, 'no PIN is asked on a callback');
  t.same(events.map((e) => e.type), ['registered', 'attempt', 'connected'], 'one attempt, connected');
  tech.send('SERVICE\r31994\r');
  t.match(waitFor(tl, tech, /Identity/), /Identity/, 'login proceeds as in a normal remote session (first login of SERVICE)');
});

t.test('bad CALLBACK lines are refused with a usage error', async (t) => {
  const tl = await startTeleserviceLab({ centre: false });
  t.teardown(() => tl.close());
  const { pbx, callback } = tl.pbx();
  configure(pbx, { pin: '12345', 'callback.2.number': viaTrunk(TECH_NUMBER), 'callback.2.code': '4711' });
  const events = record(callback);
  const tech = techTerminal(tl);
  tech.send('ATE0\rATD0301201791\r');
  advanceUntil(tl.clock, () => tech.peek().includes('PIN:'), 60_000);
  tech.take();
  tech.send('CALLBACK\r');
  t.match(waitFor(tl, tech, /PIN:/), /ERROR 400 usage: CALLBACK <index 1-6> <code>/, 'missing arguments');
  tech.send('CALLBACK 7 4711\r');
  t.match(waitFor(tl, tech, /PIN:/), /ERROR 400/, 'index outside 1–6');
  tech.send('12345\r');
  t.match(waitFor(tl, tech, /User:/), /PIN accepted/, 'the PIN still works after refused callback lines');
  t.same(events.map((e) => e.type), ['refused', 'refused'], 'nothing registered');
});
