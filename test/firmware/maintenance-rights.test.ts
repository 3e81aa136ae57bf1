import t from 'tap';
import { ALL_CIRCLES, Circle, CIRCLE_NAME } from '../../firmware-sim/circles.js';
import { loginAs, ONE_PER_CIRCLE, pbxWithUsers, SERV } from '../support/firmware-fixtures.js';

/**
 * Every maintenance action (format 6) and the APS load (format 5) × every
 * circle: only System maintenance and Development may run them, and a
 * refused attempt leaves no log entry.
 */
const ACTIONS: Array<[string, string]> = [
  ['errors show', 'B1-1'],
  ['errors delete', 'B1-2'],
  ['trunk service 1 out', 'B2-1'],
  ['station service 101 out', 'B2-1'],
  ['dma read 0x0 16', 'B3-1'],
  ['dma write 0x10000 aa', 'B3-2'],
  ['bs clear-overload all', 'B4-1'],
  ['bs clear-restart all', 'B4-2'],
  ['trunk loopback 1 on', 'B5-1'],
  ['trunk rolling 1 on', 'B6-1'],
  ['trunk status', 'B7-1'],
  ['trunk clear all', 'B8-1'],
  ['aps load', 'A2-1'],
];
const ALLOWED = new Set<Circle>([Circle.SystemMaintenance, Circle.Development]);

t.test('maintenance and APS load × circle', (t) => {
  const { pbx, log } = pbxWithUsers(ONE_PER_CIRCLE);
  for (const circle of ALL_CIRCLES) {
    const term = loginAs(pbx, [SERV, ...ONE_PER_CIRCLE].find((u) => u.circle === circle)!);
    t.equal(term.session.actor?.circle, circle, `logged in as ${CIRCLE_NAME[circle]}`);
    for (const [line, code] of ACTIONS) {
      const before = log.lastSeq();
      const r = term.cmd(line);
      const name = `${line} as ${CIRCLE_NAME[circle]}`;
      // Revision reads the error memory (B1-1) by its own right (seed: "Fehlerspeicher lesen").
      const allowed = ALLOWED.has(circle) || (circle === Circle.Revision && code === 'B1-1');
      if (allowed) {
        t.notOk(r.status.startsWith('ERROR 403'), `${name} is allowed (${r.status})`);
        t.match(log.read(before + 1, 1)[0]?.command ?? '', new RegExp(`^${code}`), `${name} is logged as ${code}`);
        if (line === 'aps load') term.send('\u0003');
      } else {
        t.match(r.status, /^ERROR 403 missing right/, `${name} is refused`);
        t.equal(log.lastSeq(), before, `${name}: a refused action leaves no log entry`);
      }
    }
  }
  t.end();
});
