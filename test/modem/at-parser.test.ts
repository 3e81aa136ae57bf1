import t from 'tap';
import { parseCommandLine } from '../../modem/at-parser.js';

t.test('several basic commands, case and spaces ignored', async (t) => {
  const r = parseCommandLine('e0 v1 &d2 x4');
  t.same(r, { ok: true, commands: [
    { kind: 'basic', name: 'E', arg: 0 }, { kind: 'basic', name: 'V', arg: 1 },
    { kind: 'basic', name: '&D', arg: 2 }, { kind: 'basic', name: 'X', arg: 4 },
  ] }, 'four commands parsed in order');
});

t.test('S-parameter forms', async (t) => {
  t.same(parseCommandLine('S0=2S7?'), { ok: true, commands: [
    { kind: 'sreg', reg: 0, op: 'set', value: 2 }, { kind: 'sreg', reg: 7, op: 'read', value: 0 },
  ] }, 'Sn=v and Sn? parse');
  t.same(parseCommandLine('S7='), { ok: true, commands: [{ kind: 'sreg', reg: 7, op: 'set', value: 0 }] }, 'omitted value is 0');
  t.equal(parseCommandLine('S7').ok, false, 'Sn without = or ? is an error');
  t.equal(parseCommandLine('S=3').ok, false, 'S without a number is an error');
});

t.test('D takes the rest of the line up to ;', async (t) => {
  t.same(parseCommandLine('DT0800,100;E0'), { ok: true, commands: [
    { kind: 'dial', dialString: 'T0800,100;' }, { kind: 'basic', name: 'E', arg: 0 },
  ] }, 'dial string keeps ; and the next command follows');
  t.same(parseCommandLine('D 030 123 W4'), { ok: true, commands: [{ kind: 'dial', dialString: '030123W4' }] }, 'spaces dropped');
});

t.test('extended commands: set, read, test, action, ; separation', async (t) => {
  t.same(parseCommandLine('+MS=V32B,1,300,14400;+ES?;+DS=?;+GMI'), { ok: true, commands: [
    { kind: 'extended', name: '+MS', op: 'set', args: ['V32B', '1', '300', '14400'] },
    { kind: 'extended', name: '+ES', op: 'read', args: [] },
    { kind: 'extended', name: '+DS', op: 'test', args: [] },
    { kind: 'extended', name: '+GMI', op: 'action', args: [] },
  ] }, 'four extended forms');
  t.same(parseCommandLine('+X="a b,c"'), { ok: true, commands: [{ kind: 'extended', name: '+X', op: 'set', args: ['a b,c'] }] }, 'quoted strings keep spaces and commas');
  t.equal(parseCommandLine('+X="open').ok, false, 'unterminated string is an error');
  t.equal(parseCommandLine('+MS?E0').ok, false, 'junk after an extended command without ; is an error');
  t.equal(parseCommandLine('+').ok, false, 'bare + is an error');
});

t.test('bad input is an error, never a throw', async (t) => {
  t.equal(parseCommandLine('E1234567890').ok, false, 'over-long number');
  t.equal(parseCommandLine('E\u00ff').ok, false, 'non-ASCII byte');
  t.equal(parseCommandLine('&1').ok, false, '& without a letter');
  t.same(parseCommandLine(''), { ok: true, commands: [] }, 'empty body is no commands');
  t.same(parseCommandLine('E0V1!X4'), { ok: false, error: 'unexpected character 0x21', commands: [
    { kind: 'basic', name: 'E', arg: 0 }, { kind: 'basic', name: 'V', arg: 1 },
  ] }, 'an error keeps the commands before it (V.250 §5.6 runs them), not those after');
  t.same(parseCommandLine('S7=3+MS?E0').commands, [{ kind: 'sreg', reg: 7, op: 'set', value: 3 }], 'a malformed extended command is not among them');
});
