import t from 'tap';
import { isSecretHash } from '../../firmware-sim/secret-hash.js';
import { pbxWithUsers } from '../support/firmware-fixtures.js';

t.test('callback indices 1–6: number, code of up to 6 digits, X.75 flag', async (t) => {
  const { pbx, serv } = pbxWithUsers();
  for (const bad of ['0', '7', '-1', 'x', '1.5']) {
    t.match(serv.cmd(`callback number ${bad} 0301234`).status, /^ERROR 422 callback index is 1–6/, `number: index ${bad} refused`);
    t.match(serv.cmd(`callback x75 ${bad} yes`).status, /^ERROR 422 callback index is 1–6/, `x75: index ${bad} refused`);
    t.match(serv.cmd(`callback code ${bad}`).status, /^ERROR 422 callback index is 1–6/, `code: index ${bad} refused`);
  }
  for (let i = 1; i <= 6; i++) {
    t.equal(serv.cmd(`callback number ${i} 030123${i}`).status, 'OK', `index ${i}: number set`);
    t.equal(pbx.kds.get(`callback.${i}.number`), `030123${i}`, `index ${i}: stored`);
  }
  t.match(serv.cmd('callback number 2 03x').status, /^ERROR 422 callback.2.number: digits only/, 'a number with letters refused');
  t.equal(serv.cmd('callback x75 3 yes').status, 'OK', 'X.75 flag set');
  t.equal(pbx.kds.get('callback.3.x75'), 'yes', 'stored yes');
  t.match(serv.cmd('callback x75 3 maybe').status, /^ERROR 422 .*yes or no/, 'a non-boolean refused');
  serv.cmd('callback code 5');
  serv.cmd('1234567');
  t.match(serv.cmd('1234567').status, /^ERROR 422 callback.5.code: 1–6 digits/, 'a 7-digit code refused');
  serv.cmd('callback code 5');
  serv.cmd('123456');
  t.equal(serv.cmd('123456').status, 'OK', 'a 6-digit code accepted');
  t.ok(isSecretHash(pbx.kds.get('callback.5.code') ?? ''), 'stored as a hash');
  t.equal(pbx.kds.get('callback.1.code'), '', 'no default codes');
  const shown = serv.cmd('callback show').text;
  t.match(shown, /callback\.5\.code = <set>/, 'callback show says a code is set');
  t.match(shown, /callback\.1\.code = <default>/, 'and which are not');
  t.notMatch(shown, /123456/, 'never the code');
});
