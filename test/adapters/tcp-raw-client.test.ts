import t, { type Test } from 'tap';
import { connect, type Socket } from 'node:net';
import type { LineEndpoint } from '../../core/line-endpoint.js';
import { listenTcpLines, type TcpLineServer } from '../../src/adapters/tcp-line-server.js';
import { EndpointProbe } from '../support/endpoint-probe.js';
import { pollUntil } from '../support/poll-until.js';
import { LineChild } from '../support/line-child.js';

/** A server whose endpoints are handed out in connection order. */
async function serve(t: Test, maxClients?: number): Promise<{ server: TcpLineServer; next(): Promise<LineEndpoint> }> {
  const queue: LineEndpoint[] = [];
  const waiting: Array<(ep: LineEndpoint) => void> = [];
  const server = await listenTcpLines({
    port: 0,
    maxClients,
    onConnection: (ep) => {
      const w = waiting.shift();
      if (w) w(ep);
      else queue.push(ep);
    },
  });
  t.teardown(() => server.close());
  return { server, next: () => (queue.length > 0 ? Promise.resolve(queue.shift()!) : new Promise((r) => waiting.push(r))) };
}

function client(t: Test, port: number): Promise<{ sock: Socket; received(): Buffer; closed: Promise<void> }> {
  return new Promise((resolve) => {
    const sock = connect(port, '127.0.0.1');
    let buf = Buffer.alloc(0);
    sock.on('data', (d) => (buf = Buffer.concat([buf, d])));
    const closed = new Promise<void>((r) => sock.on('close', () => r()));
    t.teardown(() => sock.destroy());
    sock.on('connect', () => resolve({ sock, received: () => buf, closed }));
  });
}

t.test('port 0 binds an ephemeral port and reports it', async (t) => {
  const { server } = await serve(t);
  t.ok(server.port > 0, 'a real port number is reported');
  t.equal(server.description, `tcp 127.0.0.1:${server.port}`, 'description says where to connect');
});

t.test('a raw client: every byte passes both ways untouched, 0xFF and CR NUL included', async (t) => {
  const { server, next } = await serve(t);
  const c = await client(t, server.port);
  const ep = await next();
  const probe = new EndpointProbe(ep);
  t.match(ep.description, /^tcp 127\.0\.0\.1:\d+$/, 'endpoint names the client');
  const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
  const sent = Buffer.concat([Buffer.from('AT\r'), all]);
  c.sock.write(sent);
  await probe.waitUntil(() => probe.received.length >= sent.length, 'all bytes');
  t.ok(probe.received.equals(sent), 'the device got exactly the bytes sent (no telnet processing after a non-IAC first byte)');
  ep.write(all);
  ep.write('OK\r\n');
  await pollUntil(() => c.received().length >= 260, 'reply');
  t.ok(c.received().equals(Buffer.concat([all, Buffer.from('OK\r\n')])), 'the client got exactly what the device wrote');
  ep.setLines({ dcd: true, ri: true });
  t.equal(probe.controls.length, 0, 'no control lines exist over raw TCP: onControl never fires');
});

t.test('client disconnect fires onClose once; writes after that are dropped', async (t) => {
  const { server, next } = await serve(t);
  const c = await client(t, server.port);
  const probe = new EndpointProbe(await next());
  c.sock.end();
  await probe.closed;
  probe.endpoint.write('nobody hears this');
  probe.endpoint.close();
  t.equal(probe.closeCount, 1, 'onClose fired exactly once');
  await pollUntil(() => server.clientCount === 0, 'client count to drop');
  t.equal(server.clientCount, 0, 'the server forgot the client');
});

t.test('device close() disconnects the client after flushing output', async (t) => {
  const { server, next } = await serve(t);
  const c = await client(t, server.port);
  const probe = new EndpointProbe(await next());
  probe.endpoint.write('NO CARRIER\r\n');
  probe.endpoint.close();
  await c.closed;
  t.equal(c.received().toString(), 'NO CARRIER\r\n', 'last words arrived before the disconnect');
  t.equal(probe.closeCount, 1, 'onClose fired once');
});

t.test('maxClients: an extra client gets a clear message and is closed; the first keeps working', async (t) => {
  const { server, next } = await serve(t, 1);
  const first = await client(t, server.port);
  const ep = await next();
  const extra = await client(t, server.port);
  await extra.closed;
  t.match(extra.received().toString(), /all 1 connections in use/, 'refused client is told why');
  ep.write('still here');
  await pollUntil(() => first.received().length >= 10, 'data to first client');
  t.equal(first.received().toString(), 'still here', 'first client unaffected');
  t.equal(server.clientCount, 1, 'the refused client is not counted');
});

t.test('server close() closes every client endpoint', async (t) => {
  const { server, next } = await serve(t);
  await client(t, server.port);
  const probe = new EndpointProbe(await next());
  await server.close();
  await probe.closed;
  t.equal(probe.closeCount, 1, 'endpoint closed with the server');
});

t.test('a real socat raw client exchanges data with the device', async (t) => {
  const { server, next } = await serve(t);
  const socat = new LineChild('socat', ['-', `TCP:127.0.0.1:${server.port}`]);
  t.teardown(() => socat.stop());
  const probe = new EndpointProbe(await next());
  socat.send('ATI');
  await probe.waitForData('ATI\n');
  t.equal(probe.received.toString('latin1'), 'ATI\n', 'the line typed into socat reached the device, nothing more');
  probe.endpoint.write('hicom-sim\n');
  t.equal(await socat.expect(/hicom/), 'hicom-sim', 'device output reached socat');
  socat.proc.stdin!.end();
  await probe.closed;
  t.equal(probe.closeCount, 1, 'socat ending closes the endpoint');
});
