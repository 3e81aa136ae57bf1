import t from 'tap';
import { armorFrame, FrameType } from '../../firmware-sim/armored-frame.js';
import { buildApsImage } from '../../firmware-sim/aps-image.js';
import { PbxType } from '../../firmware-sim/pbx-type.js';
import { firstLogin, makePbx, AdminTerminal } from '../support/pbx-harness.js';

/** A complete APS load: A2-1 before, the old APS runs during the transfer, A2-2, restart, A2-3 with the new version. */
t.test('APS load over a session', (t) => {
  const { pbx, log } = makePbx();
  const term = new AdminTerminal(pbx);
  firstLogin(term);
  const image = buildApsImage({ version: 'HE300M.00.002.01', type: PbxType.OfficePro, body: Buffer.alloc(50_000, 7) });
  const lines = armorFrame(FrameType.Aps, image);
  const start = log.lastSeq();

  t.match(term.cmd('aps load').text, /SEND FRAME/, 'the PBX asks for the frame');
  t.equal(log.read(start + 1)[0]?.command, 'A2-1 APSXF', 'A2-1 is logged before the first byte');
  term.send(lines.slice(0, -1).map((l) => `${l}\r`).join(''));
  const other = new AdminTerminal(pbx);
  other.login('serv', 'servpw');
  t.match(other.cmd('show system').text, /aps-version: HE300M\.00\.001\.01/, 'the old APS keeps running during the transfer');
  term.take();
  term.send('END\r');
  const done = term.take();
  t.match(done, /APS HE300M\.00\.002\.01 loaded \(was HE300M\.00\.001\.01\); system restarted\r\nOK/, 'the load is confirmed');
  const after = log.read(start + 1).filter((e) => e.format === 5).map((e) => `(${e.format}) ${e.command}`);
  t.same(after, ['(5) A2-1 APSXF', '(5) A2-2 APSXF HE300M.00.002.01', '(5) A2-3-"HE300M.00.002.01"'], 'A2-1, A2-2 and the startup A2-3 with the new version, in this order');
  t.equal(pbx.apsVersion, 'HE300M.00.002.01', 'the PBX runs the new APS');
  t.ok(pbx.aps.activeImage()?.equals(image), 'the image is stored whole');
  t.match(term.cmd('aps show').text, /aps-version: HE300M\.00\.002\.01\r\ntype: OfficePro\r\nstored-image: HE300M\.00\.002\.01 OfficePro 50000 bytes/, 'aps show reports the running and stored APS');
  t.match(term.cmd('show system').text, /aps-version: HE300M\.00\.002\.01/, 'show system too');
  t.end();
});

t.test('the version survives a restart of the process (state store)', (t) => {
  const first = makePbx();
  const term = new AdminTerminal(first.pbx);
  firstLogin(term);
  term.cmd('aps load');
  term.send(armorFrame(FrameType.Aps, buildApsImage({ version: 'HE300M.00.003.00', type: PbxType.OfficePro, body: Buffer.from('x') })).map((l) => `${l}\r`).join(''));
  const again = makePbx({ store: first.store, log: first.log, clock: first.clock });
  t.equal(again.pbx.apsVersion, 'HE300M.00.003.00', 'the saved state names the new APS');
  t.equal(first.log.read(first.log.lastSeq(), 1)[0]?.command, 'A2-3-"HE300M.00.003.00"', 'the next startup logs A2-3 with it');
  t.end();
});
