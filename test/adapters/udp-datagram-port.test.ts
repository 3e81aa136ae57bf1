import t from 'tap';
import { VirtualClock } from '../../core/clock.js';
import { parseDatagramAddress, DatagramAddressError, formatDatagramAddress, type DatagramAddress } from '../../core/datagram-port.js';
import { MemoryDatagramNetwork } from '../../src/adapters/memory-datagram-network.js';
import { UdpDatagramPort } from '../../src/adapters/udp-datagram-port.js';

function nextMessage(port: UdpDatagramPort, timeoutMs = 3000): Promise<{ data: Uint8Array; from: DatagramAddress }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no datagram arrived')), timeoutMs);
    port.onMessage((data, from) => {
      clearTimeout(timer);
      resolve({ data: Uint8Array.from(data), from });
    });
  });
}

t.test('two UDP ports on loopback exchange datagrams whole, with the sender address', async (t) => {
  const a = await UdpDatagramPort.open();
  const b = await UdpDatagramPort.open();
  t.teardown(() => { a.close(); b.close(); });
  t.ok(a.address.port > 0, `port chosen by the system (${a.description})`);
  const got = nextMessage(b);
  const payload = Uint8Array.from({ length: 1200 }, (_, i) => i & 0xff);
  a.send(payload, b.address);
  const m = await got;
  t.same([...m.data], [...payload], 'all 1,200 bytes in one datagram');
  t.same(m.from, a.address, 'the sender address is the port that sent');
  const back = nextMessage(a);
  b.send(Uint8Array.of(1, 2, 3), m.from);
  t.same([...(await back).data], [1, 2, 3], 'a reply to the sender address arrives');
});

t.test('sending never throws: closed port, nobody listening, nonsense address', async (t) => {
  const a = await UdpDatagramPort.open();
  t.doesNotThrow(() => a.send(Uint8Array.of(1), { host: '127.0.0.1', port: 9 }), 'nobody listening on the discard port');
  t.doesNotThrow(() => a.send(Uint8Array.of(1), { host: '127.0.0.1', port: 0 }), 'port 0');
  t.doesNotThrow(() => a.send(Uint8Array.of(1), { host: '127.0.0.1', port: 70000 }), 'port out of range');
  t.doesNotThrow(() => a.send(new Uint8Array(70000), { host: '127.0.0.1', port: 9 }), 'larger than a UDP datagram');
  a.close();
  t.doesNotThrow(() => a.send(Uint8Array.of(1), { host: '127.0.0.1', port: 9 }), 'after close');
  t.doesNotThrow(() => a.close(), 'closing twice');
});

t.test('IPv6 loopback', async (t) => {
  const a = await UdpDatagramPort.open({ host: '::1' });
  const b = await UdpDatagramPort.open({ host: '::1' });
  t.teardown(() => { a.close(); b.close(); });
  const got = nextMessage(b);
  a.send(Uint8Array.of(6), b.address);
  t.same([...(await got).data], [6], 'delivered over ::1');
  t.match(a.description, /^udp \[::1\]:\d+$/, 'IPv6 address in brackets');
});

t.test('binding a port in use is a clear error', async (t) => {
  const a = await UdpDatagramPort.open();
  t.teardown(() => a.close());
  await t.rejects(UdpDatagramPort.open({ port: a.address.port }), /cannot bind udp 127\.0\.0\.1:\d+: address already in use/, 'EADDRINUSE in words');
});

t.test('HOST:PORT addresses', async (t) => {
  t.same(parseDatagramAddress('127.0.0.1:4000'), { host: '127.0.0.1', port: 4000 }, 'IPv4');
  t.same(parseDatagramAddress('[::1]:4000'), { host: '::1', port: 4000 }, 'IPv6 in brackets');
  t.same(parseDatagramAddress('centre.example:53'), { host: 'centre.example', port: 53 }, 'a name');
  for (const bad of ['4000', '127.0.0.1', '::1:4000', '127.0.0.1:0', '127.0.0.1:65536', 'a:b', '']) t.throws(() => parseDatagramAddress(bad), DatagramAddressError, `"${bad}" refused`);
  t.equal(formatDatagramAddress({ host: '::1', port: 5 }), '[::1]:5', 'format round-trips IPv6');
});

t.test('the in-process network delivers after the latency, through the clock', async (t) => {
  const clock = new VirtualClock(0);
  const net = new MemoryDatagramNetwork(clock, { latencyMs: 5 });
  const a = net.bind();
  const b = net.bind('127.0.0.1', 4000);
  const got: Array<[number, number[], string]> = [];
  b.onMessage((d, from) => got.push([clock.now(), [...d], formatDatagramAddress(from)]));
  const data = Uint8Array.of(1, 2);
  a.send(data, b.address);
  data[0] = 9;
  t.same(got, [], 'nothing inside send()');
  clock.advance(5);
  t.same(got, [[5, [1, 2], formatDatagramAddress(a.address)]], 'delivered at +5 ms, the bytes as they were sent');
  a.send(Uint8Array.of(3), { host: '127.0.0.1', port: 1 });
  clock.advance(10);
  t.equal(net.delivered, 1, 'a datagram to nobody is gone');
  net.drop = () => true;
  a.send(Uint8Array.of(4), b.address);
  clock.advance(10);
  t.equal(got.length, 1, 'a dropped datagram never arrives');
  t.throws(() => net.bind('127.0.0.1', 4000), /already in use/, 'one port per address');
  b.close();
  t.doesNotThrow(() => net.bind('127.0.0.1', 4000), 'a closed port frees its address');
});
