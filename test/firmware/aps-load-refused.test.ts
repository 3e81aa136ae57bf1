import t, { type Test } from 'tap';
import { armorFrame, FrameType } from '../../firmware-sim/armored-frame.js';
import { buildApsImage } from '../../firmware-sim/aps-image.js';
import { PbxType } from '../../firmware-sim/pbx-type.js';
import { firstLogin, makePbx, AdminTerminal } from '../support/pbx-harness.js';

/**
 * An APS load broken at every phase, or with an image the PBX must refuse:
 * the old APS keeps running, nothing is stored, no A2-2, and the session
 * (where the line survives) goes on.
 */
const GOOD = buildApsImage({ version: 'HE300M.00.002.01', type: PbxType.OfficePro, body: Buffer.alloc(20_000, 3) });

function run(t: Test, name: string, act: (term: AdminTerminal, lines: string[]) => string | undefined, expected?: RegExp): void {
  t.test(name, (t) => {
    const { pbx, log } = makePbx();
    const term = new AdminTerminal(pbx);
    firstLogin(term);
    const start = log.lastSeq();
    t.match(term.cmd('aps load').text, /SEND FRAME/, 'the transfer starts');
    const reply = act(term, armorFrame(FrameType.Aps, GOOD));
    if (expected) t.match(reply ?? '', expected, 'the PBX says why it refused');
    t.equal(pbx.apsVersion, 'HE300M.00.001.01', 'the old APS keeps running');
    t.equal(pbx.aps.active(), undefined, 'nothing was stored');
    // A dropped line also logs the logout (A0-2); nothing else may follow A2-1.
    t.same(log.read(start + 1).map((e) => e.command).filter((c) => c !== 'A0-2'), ['A2-1 APSXF'], 'only A2-1 is in the log: no A2-2, no restart');
    if (!term.session.state.startsWith('closed')) t.equal(term.cmd('show system').status, 'OK', 'the session goes on');
    t.end();
  });
}

const send = (term: AdminTerminal, lines: string[]): string => {
  term.take();
  term.send(lines.map((l) => `${l}\r`).join(''));
  return term.take();
};

run(t, 'line break before the first frame line', (term) => {
  term.dte.close();
  return undefined;
});
run(t, 'line break mid-frame', (term, lines) => {
  send(term, lines.slice(0, Math.floor(lines.length / 2)));
  term.dte.close();
  return undefined;
});
run(t, 'line break after the last frame line, before END (nothing verified yet)', (term, lines) => {
  send(term, lines.slice(0, -1));
  term.dte.close();
  return undefined;
});
run(t, 'interrupt (Ctrl-C) mid-frame', (term, lines) => send(term, [...lines.slice(0, 5), '\u0003']), /ERROR 499 interrupted/);
run(t, 'frame cut short (END too early)', (term, lines) => send(term, [...lines.slice(0, 4), 'END']), /ERROR 422 frame truncated/);
run(t, 'a flipped bit in the frame (CRC)', (term, lines) => {
  const bad = [...lines];
  bad[3] = (bad[3][0] === 'A' ? 'B' : 'A') + bad[3].slice(1);
  return send(term, bad);
}, /ERROR 422 frame CRC mismatch/);
run(t, 'bad signature', (term) => {
  const img = Buffer.from(GOOD);
  img[100] ^= 1;
  return send(term, armorFrame(FrameType.Aps, img));
}, /ERROR 422 APS image signature is not valid; APS HE300M\.00\.001\.01 keeps running/);
run(t, 'corrupt body (checksum)', (term) => {
  const img = Buffer.from(GOOD);
  img[500] ^= 0xff;
  return send(term, armorFrame(FrameType.Aps, img));
}, /ERROR 422 APS image checksum mismatch/);
run(t, 'image for another PBX type', (term) => send(term, armorFrame(FrameType.Aps, buildApsImage({ version: 'HE200M.00.002.01', type: PbxType.OfficeCom, body: Buffer.from('x') }))), /ERROR 422 the APS image is for OfficeCom; this PBX is OfficePro/);
run(t, 'signed with another key', (term) => send(term, armorFrame(FrameType.Aps, buildApsImage({ version: 'HE300M.00.002.01', type: PbxType.OfficePro, body: Buffer.from('x'), key: Buffer.from('not the lab key') }))), /ERROR 422 APS image signature/);
run(t, 'not an APS image at all', (term) => send(term, armorFrame(FrameType.Aps, Buffer.from('hello'))), /ERROR 422 not an APS image/);
run(t, 'a KDS frame instead of an APS frame', (term) => send(term, armorFrame(FrameType.Kds, GOOD)), /ERROR 422/);
