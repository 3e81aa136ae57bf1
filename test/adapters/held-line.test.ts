import t from 'tap';
import { HeldLine } from '../../src/adapters/held-line.js';
import { createLinePair } from '../../src/adapters/line-pair.js';

t.test('what the far end sends before anyone listens is handed on, then its close, in that order', async (t) => {
  const pair = createLinePair('held');
  const line = new HeldLine(pair.dte);
  pair.dce.write('banner\r\n');
  pair.dce.write('PIN: ');
  pair.dce.close();
  const got: string[] = [];
  line.onData((d) => got.push(Buffer.from(d).toString('latin1')));
  line.onClose(() => got.push('<closed>'));
  t.same(got, [], 'nothing before the microtask: the caller finishes setting up its listeners first');
  await Promise.resolve();
  t.same(got, ['banner\r\n', 'PIN: ', '<closed>'], 'the held bytes, then the close');
});

t.test('once listened to it passes bytes through at once, both ways', async (t) => {
  const pair = createLinePair('held');
  const line = new HeldLine(pair.dte);
  const got: string[] = [];
  line.onData((d) => got.push(Buffer.from(d).toString('latin1')));
  await Promise.resolve();
  pair.dce.write('OK\r\n');
  t.same(got, ['OK\r\n'], 'delivered synchronously after the hand-over');
  const sent: string[] = [];
  pair.dce.onData((d) => sent.push(Buffer.from(d).toString('latin1')));
  line.write('logout\r');
  t.same(sent, ['logout\r'], 'writes go straight through');
  line.close();
  let closed = false;
  const other = createLinePair('held2');
  const held = new HeldLine(other.dte);
  held.onData(() => undefined);
  held.onClose(() => (closed = true));
  await Promise.resolve();
  held.close();
  t.ok(closed, 'its own close is reported through onClose');
});
