import t from 'tap';
import { SerialPortMock } from 'serialport';
import { SerialLine, type SerialBinding } from '../../src/adapters/serial-line.js';
import { EndpointProbe } from '../support/endpoint-probe.js';
import { MemoryLogger } from '../support/memory-logger.js';
import { pollUntil } from '../support/poll-until.js';

// @serialport/binding-mock ships no types for ESM imports; serialport re-exports the same binding, typed.
const MockBinding = SerialPortMock.binding;
type MockPortBinding = Awaited<ReturnType<typeof MockBinding.open>>;

interface Rig {
  binding: SerialBinding;
  /** The peer's lines as our UART reads them. */
  status: { cts: boolean; dsr: boolean; dcd: boolean };
  /** Every set() the line made. */
  sets: Array<{ dtr?: boolean; rts?: boolean }>;
  gets: number;
  /** Make get()/set() fail the way they do on a pty. */
  ioctlFails: boolean;
}

/** The mock binding with get()/set() we control and record, since the stock mock's are fixed no-ops. */
function rig(path: string): Rig {
  MockBinding.createPort(path, { record: true, echo: false });
  const r: Rig = {
    status: { cts: true, dsr: true, dcd: false },
    sets: [],
    gets: 0,
    ioctlFails: false,
    binding: {
      list: () => MockBinding.list(),
      async open(opts) {
        const port = await MockBinding.open(opts);
        port.get = async () => {
          r.gets++;
          if (r.ioctlFails) throw new Error('Inappropriate ioctl for device, cannot get');
          return { ...r.status };
        };
        port.set = async (o: { dtr?: boolean; rts?: boolean }) => {
          if (r.ioctlFails) throw new Error('Inappropriate ioctl for device, cannot set');
          r.sets.push({ dtr: o.dtr, rts: o.rts });
        };
        return port;
      },
    } as SerialBinding,
  };
  return r;
}

t.beforeEach(() => MockBinding.reset());

function mockPort(line: SerialLine): MockPortBinding {
  return line.port.port as unknown as MockPortBinding;
}

t.test('data flows both ways', async (t) => {
  const r = rig('/dev/ROBOT');
  const line = await SerialLine.open({ path: '/dev/ROBOT', baudRate: 19200, binding: r.binding });
  t.teardown(() => line.close());
  const probe = new EndpointProbe(line);
  t.equal(line.description, 'serial /dev/ROBOT@19200', 'description names device and speed');
  mockPort(line).emitData(Buffer.from([0x41, 0x54, 0x0d, 0xff]));
  await probe.waitForData(Buffer.from([0x41, 0x54, 0x0d, 0xff]));
  t.same([...probe.received], [0x41, 0x54, 0x0d, 0xff], 'the bytes from the device reached onData, each once and unchanged');
  line.write('OK\r\n');
  line.write(Uint8Array.of(0x00, 0xff));
  await pollUntil(() => mockPort(line).recording.length >= 6, 'write');
  t.ok(mockPort(line).recording.equals(Buffer.from([0x4f, 0x4b, 0x0d, 0x0a, 0x00, 0xff])), 'bytes written reached the port');
});

t.test('null-modem wiring: DCD drives our DTR, CTS our RTS; peer DTR/RTS read by polling', async (t) => {
  const r = rig('/dev/ROBOT');
  const line = await SerialLine.open({ path: '/dev/ROBOT', binding: r.binding, pollIntervalMs: 5 });
  t.teardown(() => line.close());
  const probe = new EndpointProbe(line);
  await pollUntil(() => r.sets.length >= 1, 'initial set');
  t.same(r.sets, [{ dtr: false, rts: true }], 'at open: no carrier (DTR off), clear to send (RTS on)');
  line.setLines({ dcd: true });
  line.setLines({ ri: true, dsr: false });
  line.setLines({ cts: false });
  await pollUntil(() => r.sets.length >= 3, 'two more sets');
  t.same(r.sets.slice(1), [{ dtr: true, rts: true }, { dtr: true, rts: false }], 'carrier raises DTR; CTS off drops RTS; RI/DSR change nothing on a UART');
  t.equal(probe.controls.length, 0, 'peer lines as assumed (DTR+RTS on): no onControl');
  r.status = { cts: true, dsr: false, dcd: false };
  await probe.waitForControl((l) => !l.dtr);
  t.same(probe.controls, [{ dtr: false, rts: true }], 'peer dropping DTR (our DSR+DCD) reported once');
  r.status = { cts: false, dsr: false, dcd: true };
  await probe.waitForControl((l) => !l.rts);
  t.same(probe.controls.at(-1), { dtr: true, rts: false }, 'DTR seen on DCD alone (cable wiring only DCD); RTS via CTS');
});

t.test('a port without modem lines (pty): lines absent, logged once at debug, data keeps flowing', async (t) => {
  const r = rig('/dev/PTY');
  r.ioctlFails = true;
  const log = new MemoryLogger();
  const line = await SerialLine.open({ path: '/dev/PTY', binding: r.binding, pollIntervalMs: 5, logger: log.logger });
  t.teardown(() => line.close());
  const probe = new EndpointProbe(line);
  await pollUntil(() => log.lines.length >= 1, 'a log entry');
  line.setLines({ dcd: true });
  const getsAfter = r.gets;
  await new Promise((res) => setTimeout(res, 40)); // several poll periods: polling must have stopped
  t.equal(r.gets, getsAfter, 'no more polling once lines are known absent');
  t.equal(log.lines.filter((l) => String(l.msg).includes('no modem lines')).length, 1, 'logged exactly once');
  t.match(log.lines[0], { level: 20, err: /Inappropriate ioctl/ }, 'at debug, with the reason');
  mockPort(line).emitData('still works');
  await probe.waitForData('still works');
  t.ok(line.port.isOpen, 'the port stays open');
  t.equal(probe.controls.length, 0, 'onControl never fires');
});

t.test('modemLines: false never touches the lines', async (t) => {
  const r = rig('/dev/3WIRE');
  const line = await SerialLine.open({ path: '/dev/3WIRE', binding: r.binding, modemLines: false, pollIntervalMs: 5 });
  line.setLines({ dcd: true });
  await new Promise((res) => setTimeout(res, 20));
  t.equal(r.gets + r.sets.length, 0, 'no get() or set() at all');
  line.close();
});

t.test('open failure is a clear error; close fires onClose once', async (t) => {
  const r = rig('/dev/ROBOT');
  await t.rejects(SerialLine.open({ path: '/dev/NOPE', binding: r.binding }), /cannot open serial port \/dev\/NOPE: /, 'missing device named');
  const line = await SerialLine.open({ path: '/dev/ROBOT', binding: r.binding });
  const probe = new EndpointProbe(line);
  line.close();
  line.close();
  line.write('dropped');
  await probe.closed;
  t.equal(probe.closeCount, 1, 'onClose once');
  await pollUntil(() => !line.port.isOpen, 'port closed');
  t.notOk(line.port.isOpen, 'the port is closed');
});
