import t from 'tap';
import { COUNTRY_PROFILES } from '../../firmware-sim/country-profile.js';
import { AdminTerminal, firstLogin } from '../support/pbx-harness.js';
import { advanceUntil, configure, startTeleserviceLab, techTerminal, waitFor } from '../support/teleservice-lab.js';

t.test('resetting the IMOD option drops the call through it; the modem takes the next one', async (t) => {
  const tl = await startTeleserviceLab({ centre: false });
  t.teardown(() => tl.close());
  const { pbx, imod } = tl.pbx();
  configure(pbx, { pin: '12345' });
  const local = new AdminTerminal(pbx);
  firstLogin(local);
  const tech = techTerminal(tl);
  tech.send('ATE0\rATD0301201791\r');
  t.ok(advanceUntil(tl.clock, () => tech.peek().includes('PIN:'), 60_000), 'the technician is connected to the IMOD');
  t.equal(imod.channelsInUse, 1, 'one IMOD channel in use');
  const r = local.cmd('special reset-options imod');
  t.equal(r.status, 'OK', 'the IMOD is reset');
  t.equal(r.lines[0], 'imod: 1 calls dropped', 'naming the call it dropped');
  t.match(waitFor(tl, tech, /NO CARRIER/), /NO CARRIER/, 'the technician\'s modem loses the carrier');
  t.equal(imod.channelsInUse, 0, 'the channel is free again');
  tech.send('ATD0301201791\r');
  t.ok(advanceUntil(tl.clock, () => tech.peek().includes('PIN:'), 60_000), 'the IMOD answers the next call');
  t.same(local.cmd('special reset-options').lines.slice(0, 3), ['dect: 8 base stations restarted', 'imod: 1 calls dropped', 'x75: 0 calls dropped'], 'all options: the base stations and both modems');
});

t.test('country initialisation reaches the network model: ringing cadence and outside-line prefix', async (t) => {
  const tl = await startTeleserviceLab({ centre: false });
  t.teardown(() => tl.close());
  const { pbx, node } = tl.pbx();
  const local = new AdminTerminal(pbx);
  firstLogin(local);
  t.same(node.ringCadenceMs, [1000, 4000], 'delivered (DE): 1 s on, 4 s off');
  t.equal(local.cmd('special country GB').status, 'OK', 'country GB');
  t.same(node.ringCadenceMs, COUNTRY_PROFILES.GB.tones.ringing.cadenceMs, 'the PBX\'s ports ring with the UK double ring');
  t.equal(node.outsideLinePrefix, '9', 'and the PBX dials out with 9');
  t.equal(local.cmd('set c1.outside-prefix 0').status, 'OK', 'the prefix set by hand');
  t.equal(node.outsideLinePrefix, '0', 'follows the KDS');
});
