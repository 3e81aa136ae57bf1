import t from 'tap';
import { logLines } from '../support/firmware-fixtures.js';
import { advanceUntil, configure, startTeleserviceLab, techTerminal, waitFor } from '../support/teleservice-lab.js';

/** Seed: new plus products log in as AMHOST "remote oder lokal"; here over the IMOD, after the customer PIN. */
t.test('a plus product dials in through the IMOD, logs in as AMHOST and changes a hotel item', async (t) => {
  const tl = await startTeleserviceLab({ centre: false });
  t.teardown(() => tl.close());
  const { pbx } = tl.pbx();
  configure(pbx, { pin: '12345' });
  const mark = pbx.log.lastSeq();
  const hotel = techTerminal(tl);
  hotel.send('ATE0\rATD0301201791\r');
  t.ok(advanceUntil(tl.clock, () => hotel.peek().includes('PIN:'), 60_000), 'the IMOD answers with the PIN prompt');
  hotel.send('12345\r');
  t.match(waitFor(tl, hotel, /User: /), /PIN accepted/, 'the customer PIN opens the modem');
  hotel.send('AMHOST\ramhost\r');
  t.match(waitFor(tl, hotel, /hicom> /), /Welcome AMHOST \(no circle\)/, 'AMHOST is logged in remotely');
  hotel.send('set station.102.name "Zimmer 12"\r');
  t.match(waitFor(tl, hotel, /OK\r\n|ERROR/), /station\.102\.name = "Zimmer 12"\r\nOK/, 'the change is made');
  t.same(logLines(pbx.log, mark).filter((l) => l.startsWith('amhost')), ['amhost - (3) A0-1', 'amhost - (1) STN-NAME 102 "Zimmer 12"'], 'login and change are logged under amhost');
});
