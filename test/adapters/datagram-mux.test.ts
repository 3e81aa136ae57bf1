import t from 'tap';
import { VirtualClock } from '../../core/clock.js';
import { encodeTelegram } from '../../core/check-in-telegram.js';
import { SeededRandom } from '../../core/seeded-random.js';
import { DatagramMux } from '../../src/adapters/datagram-mux.js';
import { MemoryDatagramNetwork } from '../../src/adapters/memory-datagram-network.js';
import { ScaledClock } from '../../src/adapters/scaled-clock.js';

const key = new SeededRandom(1).bytes(32);
const ack = (id: string): Uint8Array => encodeTelegram({ type: 'ack', deviceId: id, counter: 1, time: 1, body: { counter: 1, serverTime: 1, accepted: [], commands: [] } }, key, new SeededRandom(2).bytes(12));

t.test('many devices on one socket: each gets only the answers that name it', async (t) => {
  const clock = new VirtualClock(0);
  const net = new MemoryDatagramNetwork(clock);
  const shared = net.bind('127.0.0.1', 5000);
  const centre = net.bind('127.0.0.1', 4000);
  const mux = new DatagramMux(shared);
  const got: Record<string, number> = { A: 0, B: 0 };
  const a = mux.port('A');
  const b = mux.port('B');
  a.onMessage(() => got.A++);
  b.onMessage(() => got.B++);
  let from = '';
  centre.onMessage((_d, f) => (from = `${f.host}:${f.port}`));
  a.send(Uint8Array.of(1), centre.address);
  clock.advance(5);
  t.equal(from, '127.0.0.1:5000', 'a device sends from the shared socket');
  for (const id of ['A', 'B', 'B', 'C']) centre.send(ack(id), shared.address);
  centre.send(Uint8Array.of(0x48, 0x53), shared.address);
  clock.advance(5);
  t.same(got, { A: 1, B: 2 }, 'answers reach their device');
  t.equal(mux.strays, 2, 'an answer for nobody and a non-telegram are counted as strays');
  a.close();
  centre.send(ack('A'), shared.address);
  a.send(Uint8Array.of(2), centre.address);
  clock.advance(5);
  t.equal(got.A, 1, 'a closed device port hears nothing more');
  t.equal(mux.strays, 3, 'its answers are strays now');
});

t.test('the scaled clock runs timers faster but reads real time', async (t) => {
  const c = new ScaledClock(100);
  const start = Date.now();
  t.ok(Math.abs(c.now() - start) < 50, 'now() is the wall clock');
  // The clock's timers do not hold the process open (as the real clock's); this one does meanwhile.
  const keepAlive = setTimeout(() => undefined, 5000);
  const fired = await new Promise<number>((resolve) => c.setTimer(2000, () => resolve(Date.now() - start)));
  t.ok(fired < 1000, `a 2 s timer at speed 100 fired after ${fired} ms of real time`);
  const h = c.setTimer(10, () => t.fail('a cancelled timer fired'));
  h.cancel();
  await new Promise((r) => setTimeout(r, 30));
  clearTimeout(keepAlive);
  t.throws(() => new ScaledClock(0), RangeError, 'speed 0 refused');
});
