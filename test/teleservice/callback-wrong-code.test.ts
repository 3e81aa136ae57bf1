import t from 'tap';
import { TECH_NUMBER, techTerminal, configure, record, startTeleserviceLab, viaTrunk, waitFor } from '../support/teleservice-lab.js';

t.test('wrong callback code: no callback, A0-3 logged, call dropped after 3 tries', async (t) => {
  const tl = await startTeleserviceLab({ centre: false });
  t.teardown(() => tl.close());
  const { pbx, callback } = tl.pbx();
  configure(pbx, { pin: '12345', 'callback.2.number': viaTrunk(TECH_NUMBER), 'callback.2.code': '4711', 'callback.3.code': '999' });
  const events = record(callback);
  const tech = techTerminal(tl);
  tech.send('ATE0\rATD0301201791\r');
  waitFor(tl, tech, /PIN:/, 60_000);
  tech.send('CALLBACK 2 1111\r');
  t.match(waitFor(tl, tech, /PIN:/), /ERROR 401 wrong callback code/, 'first wrong code refused, prompt again');
  tech.send('CALLBACK 3 999\r');
  t.match(waitFor(tl, tech, /PIN:/), /ERROR 404 callback index 3 has no number/, 'an index without a number is refused');
  tech.send('CALLBACK 2 47111\r');
  t.match(waitFor(tl, tech, /NO CARRIER/), /ERROR 401[^]*BYE too many wrong callback requests[^]*NO CARRIER/, 'third wrong try drops the call');
  const a03 = pbx.log.read().filter((e) => e.command.startsWith('A0-3') && e.command.includes('CALLBACK'));
  t.same(a03.map((e) => e.command), ['A0-3 IMOD 0897000 CALLBACK 2 code wrong', 'A0-3 IMOD 0897000 CALLBACK 3 no number', 'A0-3 IMOD 0897000 CALLBACK 2 code wrong'], 'each refused request is logged as unauthorized (A0-3)');
  t.notOk(a03.some((e) => /1111|4711/.test(e.command)), 'codes never reach the log');
  tl.clock.advance(120_000);
  t.notOk(events.some((e) => e.type === 'registered' || e.type === 'attempt'), 'no callback was registered or dialled');
});

t.test('no default codes: an index with a number but no code can never be used', async (t) => {
  const tl = await startTeleserviceLab({ centre: false });
  t.teardown(() => tl.close());
  const { pbx, callback } = tl.pbx();
  configure(pbx, { pin: '12345', 'callback.4.number': viaTrunk(TECH_NUMBER) });
  const events = record(callback);
  const tech = techTerminal(tl);
  tech.send('ATE0\rATD0301201791\r');
  waitFor(tl, tech, /PIN:/, 60_000);
  tech.send('CALLBACK 4 0\r');
  t.match(waitFor(tl, tech, /PIN:/), /ERROR 401 wrong callback code/, 'refused');
  tech.send('CALLBACK 4 \r');
  t.match(waitFor(tl, tech, /PIN:/), /ERROR 400/, 'an empty code is a usage error');
  t.same(events.map((e) => e.type), ['refused', 'refused'], 'nothing registered');
});
