import t from 'tap';
import type { LineEndpoint } from '../../core/line-endpoint.js';
import { listenTcpLines } from '../../src/adapters/tcp-line-server.js';
import { EndpointProbe } from '../support/endpoint-probe.js';
import { LineChild } from '../support/line-child.js';

// A real RFC 2217 client: pyserial's rfc2217:// URL handler, driven by commands on stdin.
const CLIENT = `
import sys, time, serial
s = serial.serial_for_url('rfc2217://127.0.0.1:%s' % sys.argv[1], baudrate=19200, timeout=2)
print('open', flush=True)
for line in sys.stdin:
    cmd = line.split()
    if cmd[0] == 'wait':   # wait <cd|ri|dsr|cts> <0|1>: poll the cached state until it matches
        want = cmd[2] == '1'
        end = time.time() + 3
        while getattr(s, cmd[1]) != want and time.time() < end:
            time.sleep(0.02)
        print(cmd[1], int(getattr(s, cmd[1])), flush=True)
    elif cmd[0] == 'dtr':
        s.dtr = cmd[1] == '1'
        print('dtr set', flush=True)
    elif cmd[0] == 'rts':
        s.rts = cmd[1] == '1'
        print('rts set', flush=True)
    elif cmd[0] == 'baud':
        s.baudrate = int(cmd[1])
        print('baud ok', flush=True)
    elif cmd[0] == 'purge':
        s.reset_input_buffer()
        print('purge ok', flush=True)
    elif cmd[0] == 'write':
        s.write(bytes.fromhex(cmd[1]))
        print('written', flush=True)
    elif cmd[0] == 'read':
        n = int(cmd[1])
        print('read', s.read(n).hex(), flush=True)
    elif cmd[0] == 'close':
        s.close()
        print('closed', flush=True)
        break
`;

t.test('pyserial rfc2217:// sees DCD/RI/DSR the device sets and its DTR/RTS reach onControl', async (t) => {
  let resolveEp: (ep: LineEndpoint) => void;
  const gotEndpoint = new Promise<LineEndpoint>((r) => (resolveEp = r));
  const server = await listenTcpLines({ port: 0, onConnection: (ep) => resolveEp(ep) });
  t.teardown(() => server.close());
  const py = LineChild.python(CLIENT, String(server.port));
  t.teardown(() => py.stop());

  await py.expect(/^open$/);
  const ep = await gotEndpoint;
  const probe = new EndpointProbe(ep);

  py.send('wait cd 0');
  t.equal(await py.expect(/^cd /), 'cd 0', 'before any change the client has the initial state: no carrier');
  py.send('wait dsr 1');
  t.equal(await py.expect(/^dsr /), 'dsr 1', 'DSR on from the start (device powered)');

  ep.setLines({ dcd: true });
  py.send('wait cd 1');
  t.equal(await py.expect(/^cd /), 'cd 1', 'DCD on arrives by NOTIFY-MODEMSTATE');
  ep.setLines({ ri: true });
  py.send('wait ri 1');
  t.equal(await py.expect(/^ri /), 'ri 1', 'RI on arrives');
  ep.setLines({ ri: false, dsr: false });
  py.send('wait ri 0');
  t.equal(await py.expect(/^ri /), 'ri 0', 'RI off arrives');
  py.send('wait dsr 0');
  t.equal(await py.expect(/^dsr /), 'dsr 0', 'DSR off arrives');

  py.send('dtr 0');
  await py.expect(/^dtr set$/);
  await probe.waitForControl((l) => !l.dtr);
  t.same(probe.controls.at(-1), { dtr: false, rts: true }, 'dropping DTR reaches onControl, RTS untouched');
  py.send('rts 0');
  await py.expect(/^rts set$/);
  await probe.waitForControl((l) => !l.rts);
  t.same(probe.controls.at(-1), { dtr: false, rts: false }, 'dropping RTS reaches onControl');

  py.send('baud 115200');
  t.equal(await py.expect(/^baud/), 'baud ok', 'a baud change is acknowledged (pyserial raises otherwise)');
  py.send('purge');
  t.equal(await py.expect(/^purge/), 'purge ok', 'a purge is acknowledged');

  py.send('write 41ff0d0a00');
  await py.expect(/^written$/);
  await probe.waitForData(Buffer.from([0x41, 0xff, 0x0d, 0x0a, 0x00]));
  t.ok(probe.received.equals(Buffer.from([0x41, 0xff, 0x0d, 0x0a, 0x00])), 'binary data from the client arrives unchanged (BINARY, IAC unescaped)');
  ep.write(Buffer.from([0xff, 0x0d, 0x42]));
  py.send('read 3');
  t.equal(await py.expect(/^read /), 'read ff0d42', 'binary data to the client arrives unchanged');

  py.send('close');
  await py.expect(/^closed$/);
  await probe.closed;
  t.equal(probe.closeCount, 1, 'client close fires onClose once');
});
