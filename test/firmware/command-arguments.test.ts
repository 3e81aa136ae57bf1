import t from 'tap';
import { paramCount } from '../../firmware-sim/command-params.js';
import { usageOf } from '../../firmware-sim/session-command.js';
import { SESSION_COMMANDS } from '../../firmware-sim/session-commands.js';
import { pbxWithUsers } from '../support/firmware-fixtures.js';

t.test('the parameter notation gives the argument count', async (t) => {
  const cases: Array<[string | undefined, number, number]> = [
    [undefined, 0, 0],
    ['', 0, 0],
    ['<item>', 1, 1],
    ['<item> <value>', 2, 2],
    ['<n> in|out', 2, 2],
    ['<n>|all', 1, 1],
    ['[prefix]', 0, 1],
    ['<address> [length]', 1, 2],
    ['[from <seq>]', 0, 2],
    ['[from <seq>] [last <n>]', 0, 4],
    ['A|B|C <code> <text>...', 3, Infinity],
    ['[command...]', 0, Infinity],
  ];
  for (const [params, min, max] of cases) t.same(paramCount(params), { min, max }, `"${params}" takes ${min}–${max}`);
});

t.test('every command refuses a wrong argument count with its own usage line', async (t) => {
  const { serv } = pbxWithUsers();
  for (const command of SESSION_COMMANDS) {
    const { min, max } = paramCount(command.params);
    const usage = `usage: ${usageOf(command)}`;
    const counts = [...(min > 0 ? [min - 1] : []), ...(Number.isFinite(max) ? [max + 1] : [])];
    for (const n of counts) {
      const line = [...command.words, ...Array.from({ length: n }, (_, i) => `x${i}`)].join(' ');
      const status = serv.cmd(line).status;
      // The archiving commands end their run instead; without one there is nothing to get wrong.
      const expected = command.usageError ? /^ERROR 409 no archiving in progress/ : new RegExp(`^ERROR 400 ${usage.replace(/[[\]|.*+?()]/g, '\\$&')}$`);
      t.match(status, expected, `"${line}" (${n} arguments) is refused before it runs`);
    }
  }
});

t.test('help lists each command with the usage its definition declares', async (t) => {
  const { serv } = pbxWithUsers();
  const r = serv.cmd('help');
  t.equal(r.status, 'OK', 'help answers OK');
  t.equal(r.lines.length - 1, SESSION_COMMANDS.length, 'one line per command');
  for (const c of SESSION_COMMANDS) t.ok(r.lines.some((l) => l.startsWith(`${usageOf(c).padEnd(40)} ${c.help}`)), `help shows "${usageOf(c)}"`);
  t.same(serv.cmd('help trunk service').lines.slice(0, -1), [`${'trunk service <n> in|out'.padEnd(40)} put a trunk in or out of service; calls over it fail while out (B2-1)`], 'help <command> shows that command');
});

t.test('a usage error in an archiving run ends the run and deletes nothing', async (t) => {
  const { serv, log } = pbxWithUsers();
  const count = log.read().length;
  t.match(serv.cmd('log archive begin').status, 'OK', 'a run starts');
  t.match(serv.cmd('log archive next now').status, /^ERROR 400 usage: log archive next; archiving aborted, nothing deleted$/, 'an extra word ends the run with the usage');
  t.match(serv.cmd('log archive next').status, /^ERROR 409 no archiving in progress/, 'the run is over');
  serv.cmd('log archive begin');
  t.match(serv.cmd('log archive commit 1 xyz').status, /^ERROR 400 lastSeq is a sequence number, hashOfLast 64 hex digits; usage: log archive commit <lastSeq> <hashOfLast>; archiving aborted/, 'a malformed commit names what is wrong and the usage');
  t.equal(log.read().length, count, 'nothing logged or deleted');
});
