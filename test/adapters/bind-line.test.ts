import t from 'tap';
import { connect } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SerialPortMock } from 'serialport';
import type { LineEndpoint } from '../../core/line-endpoint.js';
import { bindLine } from '../../src/adapters/bind-line.js';
import { LineSpecError, parseLineSpec } from '../../src/adapters/line-spec.js';
import { EndpointProbe } from '../support/endpoint-probe.js';
import { pollUntil } from '../support/poll-until.js';

t.test('good specs parse to what they say', async (t) => {
  t.same(parseLineSpec('tcp:2323'), { kind: 'tcp', host: '127.0.0.1', port: 2323, telnet: 'auto' }, 'port only: loopback');
  t.same(parseLineSpec('tcp:0.0.0.0:0'), { kind: 'tcp', host: '0.0.0.0', port: 0, telnet: 'auto' }, 'host and ephemeral port');
  t.same(parseLineSpec('tcp:[::1]:23'), { kind: 'tcp', host: '::1', port: 23, telnet: 'auto' }, 'bracketed IPv6');
  t.same(parseLineSpec('telnet:localhost:2323'), { kind: 'tcp', host: 'localhost', port: 2323, telnet: 'always' }, 'telnet: offers options first');
  t.same(parseLineSpec('serial:/dev/ttyUSB0'), { kind: 'serial', path: '/dev/ttyUSB0', baudRate: 9600 }, 'serial default 9600');
  t.same(parseLineSpec('serial:/dev/ttyS1@115200'), { kind: 'serial', path: '/dev/ttyS1', baudRate: 115200 }, 'serial with baud');
  t.same(parseLineSpec('pty:/tmp/hicom'), { kind: 'pty', path: '/tmp/hicom' }, 'pty path');
});

t.test('bad specs give a clear LineSpecError', async (t) => {
  const bad: Array<[string, RegExp]> = [
    ['', /no kind/],
    ['2323', /no kind/],
    ['udp:53', /unknown kind "udp"/],
    ['tcp:', /port "" is not a number/],
    ['tcp:abc', /port "abc" is not a number/],
    ['tcp:70000', /port "70000" is not a number from 0 to 65535/],
    ['tcp::23', /host is empty/],
    ['tcp:::1:23', /unbracketed IPv6/],
    ['serial:', /no device path/],
    ['serial:/dev/ttyS0@fast', /baud rate "fast"/],
    ['serial:/dev/ttyS0@0', /baud rate "0"/],
    ['pty:', /no link path/],
  ];
  for (const [spec, why] of bad) {
    t.throws(() => parseLineSpec(spec), { name: 'LineSpecError', message: why }, `"${spec}" rejected as a LineSpecError that says why`);
  }
  t.throws(() => parseLineSpec('udp:1'), { message: /expected tcp:\[HOST:\]PORT/ }, 'the message lists the accepted forms');
  await t.rejects(bindLine('nope', () => undefined), { name: 'LineSpecError' }, 'bindLine rejects a bad spec too');
  t.ok(new LineSpecError('x', 'y') instanceof Error, 'LineSpecError is an Error the CLI can print');
});

t.test('a line to connect to is judged as one: a port must be named, and the error says connect', async (t) => {
  t.same(parseLineSpec('tcp:pbx.lab:2323', 'connect'), { kind: 'tcp', host: 'pbx.lab', port: 2323, telnet: 'auto' }, 'host and port');
  t.same(parseLineSpec('tcp:2323', 'connect'), { kind: 'tcp', host: '127.0.0.1', port: 2323, telnet: 'auto' }, 'a port alone is on loopback, as for a binding');
  const bad: Array<[string, RegExp]> = [
    ['tcp:host', /^bad line to connect to "tcp:host": no port after the host "host" \(expected tcp:HOST:PORT,/],
    ['tcp:127.0.0.1:0', /port "0" is not a number from 1 to 65535/],
    ['garbage', /^bad line to connect to "garbage": no kind before ":"/],
  ];
  for (const [spec, why] of bad) t.throws(() => parseLineSpec(spec, 'connect'), { name: 'LineSpecError', message: why }, `"${spec}" refused in connect words`);
  t.throws(() => parseLineSpec('tcp:host'), { message: /^bad line binding "tcp:host": port "host" is not a number from 0/ }, 'the same text as a binding is judged as a binding');
});

t.test('tcp binding: one endpoint per client; address in use is a clear error', async (t) => {
  const eps: LineEndpoint[] = [];
  const provider = await bindLine('tcp:0', (ep) => eps.push(ep));
  t.teardown(() => provider.close());
  const port = Number(/:(\d+)$/.exec(provider.description)![1]);
  t.ok(port > 0, `provider says where to connect: ${provider.description}`);
  const a = connect(port, '127.0.0.1');
  const b = connect(port, '127.0.0.1');
  t.teardown(() => (a.destroy(), b.destroy()));
  await pollUntil(() => eps.length >= 2, 'two endpoints');
  t.equal(eps.length, 2, 'two clients, two endpoints');
  await t.rejects(bindLine(`tcp:${port}`, () => undefined), /cannot listen on 127\.0\.0\.1:\d+: address already in use/, 'port clash explained');
  const probe = new EndpointProbe(eps[0]);
  await provider.close();
  await probe.closed;
  t.equal(probe.closeCount, 1, 'closing the provider closes its endpoints');
});

t.test('serial binding: one long-lived endpoint before bindLine resolves', async (t) => {
  SerialPortMock.binding.reset();
  SerialPortMock.binding.createPort('/dev/MOCK0');
  const eps: LineEndpoint[] = [];
  const provider = await bindLine('serial:/dev/MOCK0@2400', (ep) => eps.push(ep), { binding: SerialPortMock.binding, modemLines: false });
  t.equal(eps.length, 1, 'endpoint delivered');
  t.equal(provider.description, 'serial /dev/MOCK0@2400', 'provider description');
  const probe = new EndpointProbe(eps[0]);
  await provider.close();
  await probe.closed;
  t.equal(probe.closeCount, 1, 'closing the provider closes the endpoint');
  await t.rejects(bindLine('serial:/dev/MOCK9', () => undefined, { binding: SerialPortMock.binding }), /cannot open serial port \/dev\/MOCK9/, 'missing device explained');
});

t.test('pty binding: endpoint delivered, provider close removes the link', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bind-line-test-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const eps: LineEndpoint[] = [];
  const provider = await bindLine(`pty:${join(dir, 'port')}`, (ep) => eps.push(ep));
  t.equal(eps.length, 1, 'endpoint delivered');
  t.equal(provider.description, `pty ${join(dir, 'port')}`, 'provider names the link');
  const probe = new EndpointProbe(eps[0]);
  await provider.close();
  t.equal(probe.closeCount, 1, 'endpoint closed');
});
