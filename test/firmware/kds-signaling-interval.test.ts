import t from 'tap';
import { logLines, pbxWithUsers } from '../support/firmware-fixtures.js';

t.test('signaling interval: 1–15 min, out of range becomes the default 15 with a note', async (t) => {
  const { pbx, log, serv } = pbxWithUsers();
  for (const v of ['1', '7', '15']) {
    const out = serv.cmd(`signaling set interval ${v}`);
    t.equal(out.status, 'OK', `${v} accepted`);
    t.equal(pbx.kds.get('signaling.interval'), v, `${v} stored as is`);
  }
  for (const v of ['0', '16', '-3', '999']) {
    serv.cmd('signaling set interval 7');
    const out = serv.cmd(`signaling set interval ${v}`);
    t.equal(out.status, 'OK', `${v} accepted`);
    t.match(out.text, new RegExp(`${v} is outside 1–15; the default 15 was set`), `${v}: the note says the default was set`);
    t.equal(pbx.kds.get('signaling.interval'), '15', `${v} stored as 15`);
    t.equal(logLines(log).at(-1), 'serv S (1) ESIG-INT "15"', `${v}: the stored value is logged`);
  }
  for (const v of ['abc', '1.5', '']) {
    t.match(serv.cmd(`signaling set interval "${v}"`).status, /^ERROR 422 signaling.interval: a whole number/, `"${v}" is not a number: clear error`);
  }
  t.match(serv.cmd('signaling set functest-days 8').status, /^ERROR 422 .*1–7/, 'function-test days have no default rule: 8 refused');
});
