import t from 'tap';
import { CallbackScheduler, type CallbackEvent } from '../../firmware-sim/callback-scheduler.js';
import type { IncomingCallInfo } from '../../core/modem-port.js';
import { makePbx } from '../support/pbx-harness.js';
import { ScriptedModem } from '../support/scripted-modem.js';
import { TECH_ISDN_NUMBER, techTerminal, advanceUntil, configure, record, startTeleserviceLab, viaTrunk } from '../support/teleservice-lab.js';

function rig(): { imod: ScriptedModem; x75: ScriptedModem; scheduler: CallbackScheduler; connected: IncomingCallInfo[]; pbx: ReturnType<typeof makePbx>['pbx']; clock: ReturnType<typeof makePbx>['clock'] } {
  const { pbx, clock } = makePbx();
  const imod = new ScriptedModem('imod', clock);
  const x75 = new ScriptedModem('x75', clock);
  const connected: IncomingCallInfo[] = [];
  const scheduler = new CallbackScheduler({ pbx, modems: { imod, x75 }, onConnected: (_line, info) => connected.push(info) });
  configure(pbx, { 'callback.1.number': '0111', 'callback.1.x75': 'yes', 'callback.2.number': '0222', 'callback.2.x75': 'no' });
  return { imod, x75, scheduler, connected, pbx, clock };
}

t.test('X.75 yes calls back over the digital modem, X.75 no over the IMOD', async (t) => {
  const { imod, x75, scheduler, connected, clock } = rig();
  imod.outcomes = ['connect'];
  x75.outcomes = ['connect'];
  scheduler.request(1);
  clock.advance(20_000);
  t.same(x75.dialled.map((d) => d.number), ['0111'], 'index 1 (X.75 yes) dialled on the X.75 modem');
  t.same(imod.dialled, [], 'not on the IMOD');
  scheduler.request(2);
  clock.advance(20_000);
  t.same(imod.dialled.map((d) => d.number), ['0222'], 'index 2 (X.75 no) dialled on the IMOD');
  t.same(connected.map((c) => c.kind), ['x75', 'imod'], 'the session runs on the modem that called');
});

t.test('in the lab: X.75 yes calls back over the X.75 modem to an ISDN terminal adapter', async (t) => {
  const tl = await startTeleserviceLab({ centre: false });
  t.teardown(() => tl.close());
  const { pbx, callback } = tl.pbx();
  configure(pbx, { 'callback.3.number': viaTrunk(TECH_ISDN_NUMBER), 'callback.3.x75': 'yes' });
  const events = record<CallbackEvent>(callback);
  const tech = techTerminal(tl, 'technician-isdn');
  tech.send('ATE0S0=1+BX75=1\r');
  callback.request(3);
  t.ok(advanceUntil(tl.clock, () => /User:/.test(tech.peek()), 120_000), 'the session asks for the user');
  t.match(events, [{ type: 'registered', modem: 'x75' }, { type: 'attempt', modem: 'x75' }, { type: 'connected', modem: 'x75' }], 'dialled and connected over X.75');
  t.match(tech.take(), /CONNECT 64000/, 'the terminal adapter reports a 64 kbit/s connection');
});

t.test('a new request replaces a pending one; stop() forgets it', async (t) => {
  const { imod, x75, scheduler, clock } = rig();
  const events = record<CallbackEvent>(scheduler);
  scheduler.request(1);
  clock.advance(5_000);
  scheduler.request(2);
  clock.advance(10_000);
  t.same(x75.dialled, [], 'the replaced index 1 was never dialled');
  t.equal(imod.dialled.length, 1, 'index 2 was');
  scheduler.stop();
  clock.advance(3600_000);
  t.equal(imod.dialled.length, 1, 'no attempts after stop (power cut)');
  t.ok(events.some((e) => e.type === 'cancelled'), 'the cancellation is reported');
});
