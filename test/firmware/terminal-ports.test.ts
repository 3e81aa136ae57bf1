import t from 'tap';
import { AdminTerminal } from '../support/pbx-harness.js';
import { logLines, pbxWithUsers, SERV } from '../support/firmware-fixtures.js';

t.test('terminal administration only on the first two UP0/E ports', async (t) => {
  const { pbx, log } = pbxWithUsers();
  for (const port of ['UP0E-1', 'UP0E-2']) {
    const term = new AdminTerminal(pbx, { port, stationPort: port });
    t.match(term.login(SERV.name, SERV.password), /Welcome serv/, `${port}: login works`);
  }
  for (const port of ['UP0E-3', 'UP0E-24', 'a/b-1', 'S0-1']) {
    const term = new AdminTerminal(pbx, { port, stationPort: port });
    const mark = log.lastSeq();
    t.match(term.login(SERV.name, SERV.password), new RegExp(`ERROR 403 terminal administration is possible only on the first two UP0/E ports, not on ${port.replace('/', '\\/')}`), `${port}: refused`);
    t.equal(term.session.actor, undefined, `${port}: nobody logged in`);
    const lines = logLines(log, mark);
    t.notOk(lines.some((l) => l.includes('A0-1')), `${port}: no login logged`);
    t.ok(lines.includes('serv - (3) A0-3'), `${port}: the refused attempt is logged as unauthorized`);
  }
  const v24 = new AdminTerminal(pbx, { port: 'V.24' });
  t.match(v24.login(SERV.name, SERV.password), /Welcome serv/, 'the V.24 service port (no station) is not restricted');
});
