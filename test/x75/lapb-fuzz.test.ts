import t from 'tap';
import { SeededRandom } from '../../core/seeded-random.js';
import { LapbPair, payload } from '../support/lapb-harness.js';

t.test('random frames and garbage bytes never crash a station; the link recovers afterwards', async (t) => {
  const rnd = new SeededRandom(4242);
  const pair = new LapbPair();
  pair.establish();
  pair.a.send(payload(4000));
  const addresses = [0x01, 0x03];
  t.doesNotThrow(() => {
    for (let i = 0; i < 20_000; i++) {
      const len = Math.floor(rnd.next() * 8);
      const frame = new Uint8Array(len);
      for (let j = 0; j < len; j++) frame[j] = Math.floor(rnd.next() * 256);
      if (len > 0 && rnd.next() < 0.8) frame[0] = addresses[Math.floor(rnd.next() * 2)];
      (rnd.next() < 0.5 ? pair.a : pair.b).receiveFrame(frame);
      if (i % 50 === 0) pair.run(Math.floor(rnd.next() * 1500));
      if (i % 500 === 0) {
        const garbage = new Uint8Array(300);
        for (let j = 0; j < garbage.length; j++) garbage[j] = Math.floor(rnd.next() * 256);
        pair.framerB.push(garbage);
      }
    }
  }, '20,000 random frames and garbage bursts handled without an exception');
  pair.run(30_000);
  if (!pair.a.isUp) pair.a.connect();
  pair.run(2000);
  t.ok(pair.a.isUp && pair.b.isUp, 'link usable again');
  pair.receivedByB.length = 0;
  pair.a.send(Buffer.from('still alive'));
  pair.run(2000);
  t.equal(Buffer.concat(pair.receivedByB).toString(), 'still alive', 'data flows after the fuzzing');
});
