import t from 'tap';
import { armorFrame, FrameType } from '../../firmware-sim/armored-frame.js';
import { frameOf, pbxWithUsers, readImage, writeLines } from '../support/firmware-fixtures.js';

t.test('corrupted and truncated KDS frames: clear error, nothing changed', async (t) => {
  const { pbx, store, log, serv } = pbxWithUsers();
  const image = readImage(serv);
  image.items['station.101.name'] = 'Meier';
  const good = frameOf(image);
  const before = JSON.stringify(store.load());
  const mark = log.lastSeq();
  const flip = (line: string): string => (line[10] === 'A' ? `${line.slice(0, 10)}B${line.slice(11)}` : `${line.slice(0, 10)}A${line.slice(11)}`);
  const cases: Array<[string, string[], RegExp]> = [
    ['one flipped character', [good[0], flip(good[1]), ...good.slice(2)], /^ERROR 422 (frame CRC mismatch|not a frame|frame length mismatch|unknown frame type)/],
    ['a data line missing', [good[0], ...good.slice(2)], /^ERROR 422 frame truncated: BEGIN announced \d+ bytes, got \d+/],
    ['a line with non-base64 garbage', [good[0], '%%%garbage%%%', ...good.slice(1)], /^ERROR 422 frame line is not base64/],
    ['no BEGIN line', good.slice(1), /^ERROR 422 expected "BEGIN <TYPE> <bytes>"/],
    ['a wrong frame type', [good[0].replace('KDS', 'APS'), ...good.slice(1)], /^ERROR 422 frame type Kds does not match BEGIN APS/],
    ['an absurd size', ['BEGIN KDS 999999999', 'END'], /^ERROR 422 frame too large/],
    ['extra data', [good[0], ...good.slice(1, -1), good[1], 'END'], /^ERROR 422 frame longer than announced/],
  ];
  for (const [what, lines, want] of cases) {
    t.match(writeLines(serv, lines), want, `${what}: clear error`);
    t.equal(serv.cmd('get station.101.name').status, 'OK', `${what}: the session is back at the command prompt`);
  }
  t.match(writeLines(serv, armorFrame(FrameType.Kds, Buffer.from('not json'))), /^ERROR 422 the KDS frame does not hold a KDS image/, 'a sound frame without a KDS image: clear error');
  const plainPin = { ...image, items: { ...image.items, pin: '12345' } };
  t.match(writeLines(serv, frameOf(plainPin)), /^ERROR 422 pin: secrets travel only as hashes/, 'a plaintext PIN in an image is refused');
  const badValue = { ...image, items: { ...image.items, 'c2.ring-timeout': '9999' } };
  t.match(writeLines(serv, frameOf(badValue)), /^ERROR 422 c2.ring-timeout: 5–180/, 'an out-of-range value in an image is refused');
  const unknown = { ...image, items: { ...image.items, 'no.such.item': 'x' } };
  t.match(writeLines(serv, frameOf(unknown)), /^ERROR 422 unknown KDS item no.such.item/, 'an unknown item is refused');
  t.equal(JSON.stringify(store.load()), before, 'the stored state is unchanged');
  t.equal(log.lastSeq(), mark, 'nothing was logged');
  t.equal(pbx.kds.get('station.101.name'), '', 'the KDS is unchanged');
  t.equal(writeLines(serv, good), 'OK', 'the good frame still works afterwards');
});
