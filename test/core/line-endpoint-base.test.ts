import t from 'tap';
import { LineEndpointBase, lineBytes } from '../../core/line-endpoint-base.js';
import type { DteLines } from '../../core/line-endpoint.js';

/** The smallest endpoint: what it is told to write, it receives back. */
class Loop extends LineEndpointBase {
  readonly description = 'loop';
  write(data: Uint8Array | string): void {
    this.emitData(lineBytes(data));
  }
  close(): void {
    this.markClosed();
  }
  dte(lines: DteLines): void {
    this.emitControl(lines);
  }
}

t.test('every data and control listener hears every event, in order', async (t) => {
  const e = new Loop();
  const a: string[] = [];
  const b: string[] = [];
  e.onData((d) => a.push(Buffer.from(d).toString('latin1')));
  e.onData((d) => b.push(Buffer.from(d).toString('latin1')));
  const lines: DteLines[] = [];
  e.onControl((l) => lines.push(l));
  e.write('ab');
  e.write(Uint8Array.of(0xe9));
  e.dte({ dtr: false, rts: true });
  t.same(a, ['ab', '\u00e9'], 'first listener, strings as Latin-1');
  t.same(b, a, 'second listener the same');
  t.same(lines, [{ dtr: false, rts: true }], 'control change');
});

t.test('close is reported once; nothing is delivered after it', async (t) => {
  const e = new Loop();
  let closes = 0;
  let data = 0;
  e.onClose(() => closes++);
  e.onData(() => data++);
  t.equal(e.closed, false, 'open at first');
  e.close();
  e.close();
  t.equal(closes, 1, 'one close event for two close() calls');
  t.equal(e.closed, true, 'closed');
  e.write('late');
  t.equal(data, 0, 'no data after close');
});

t.test('setLines is a no-op by default (a transport without modem lines)', async (t) => {
  const e = new Loop();
  t.doesNotThrow(() => e.setLines({ dcd: true, ri: true }), 'absent lines are never an error');
});
