import t from 'tap';
import type { DteLines } from '../../core/line-endpoint.js';
import { ComPortCommand, ComPortServer, MODEMSTATE_CTS, MODEMSTATE_DCD, MODEMSTATE_DELTA_DCD, MODEMSTATE_DSR, MODEMSTATE_RI } from '../../src/adapters/com-port-server.js';
import { silentLogger } from '../../src/logger.js';

function harness() {
  const sent: number[][] = [];
  const controls: DteLines[] = [];
  const flows: boolean[] = [];
  const cp = new ComPortServer(
    { send: (p) => sent.push([...p]), control: (l) => controls.push(l), flow: (s) => flows.push(s) },
    { dcd: false, ri: false, dsr: true, cts: true },
    silentLogger,
  );
  return { cp, sent, controls, flows };
}

t.test('start reports the current modem state; changes are notified with delta bits', async (t) => {
  const h = harness();
  h.cp.setLines({ dcd: true, ri: false, dsr: true, cts: true });
  t.same(h.sent, [], 'nothing is sent before the option is agreed');
  h.cp.start();
  t.same(h.sent, [[107, MODEMSTATE_DCD | MODEMSTATE_DSR | MODEMSTATE_CTS]], 'initial NOTIFY-MODEMSTATE with the present lines');
  h.sent.length = 0;
  h.cp.setLines({ dcd: false, ri: false, dsr: true, cts: true });
  t.same(h.sent, [[107, MODEMSTATE_DELTA_DCD | MODEMSTATE_DSR | MODEMSTATE_CTS]], 'carrier loss carries the delta-DCD bit');
  h.sent.length = 0;
  h.cp.setLines({ dcd: false, ri: true, dsr: true, cts: true });
  t.same(h.sent, [[107, MODEMSTATE_RI | MODEMSTATE_DSR | MODEMSTATE_CTS]], 'RI rising is notified');
});

t.test('SET-MODEMSTATE-MASK filters what is notified and is acknowledged', async (t) => {
  const h = harness();
  h.cp.start();
  h.sent.length = 0;
  h.cp.handle(Uint8Array.of(ComPortCommand.SetModemstateMask, MODEMSTATE_DCD | MODEMSTATE_DELTA_DCD));
  t.same(h.sent, [[111, MODEMSTATE_DCD | MODEMSTATE_DELTA_DCD]], 'mask acknowledged with its value');
  h.sent.length = 0;
  h.cp.setLines({ dcd: false, ri: false, dsr: false, cts: true });
  t.same(h.sent, [], 'a DSR change outside the mask is not notified');
  h.cp.setLines({ dcd: true, ri: false, dsr: false, cts: true });
  t.same(h.sent, [[107, MODEMSTATE_DCD | MODEMSTATE_DELTA_DCD]], 'a DCD change is notified, masked');
});

t.test('port settings are acknowledged with the value in effect; 0 asks for it', async (t) => {
  const h = harness();
  h.cp.handle(Uint8Array.of(ComPortCommand.SetBaudrate, 0, 0, 0x96, 0x00));
  h.cp.handle(Uint8Array.of(ComPortCommand.SetBaudrate, 0, 0, 0, 0));
  h.cp.handle(Uint8Array.of(ComPortCommand.SetDatasize, 7));
  h.cp.handle(Uint8Array.of(ComPortCommand.SetDatasize, 9));
  h.cp.handle(Uint8Array.of(ComPortCommand.SetParity, 3));
  h.cp.handle(Uint8Array.of(ComPortCommand.SetStopsize, 2));
  h.cp.handle(Uint8Array.of(ComPortCommand.PurgeData, 3));
  h.cp.handle(Uint8Array.of(ComPortCommand.SetControl, 3));
  h.cp.handle(Uint8Array.of(ComPortCommand.SetControl, 0));
  h.cp.handle(Uint8Array.of(ComPortCommand.Signature));
  t.same(
    h.sent,
    [[101, 0, 0, 0x96, 0], [101, 0, 0, 0x96, 0], [102, 7], [102, 7], [103, 3], [104, 2], [112, 3], [105, 3], [105, 3], [100, ...Buffer.from('hicom-sim')]],
    'each setting answered: 38400 kept, invalid data size keeps 7, hardware flow control, signature',
  );
  h.cp.handle(Uint8Array.of(ComPortCommand.SetBaudrate, 1));
  t.equal(h.sent.length, 10, 'a truncated baud-rate command is ignored, not answered with garbage');
});

t.test('SET-CONTROL DTR/RTS reach onControl only on change; requests report state', async (t) => {
  const h = harness();
  h.cp.handle(Uint8Array.of(ComPortCommand.SetControl, 8)); // DTR on: already on
  h.cp.handle(Uint8Array.of(ComPortCommand.SetControl, 9)); // DTR off
  h.cp.handle(Uint8Array.of(ComPortCommand.SetControl, 7)); // request DTR
  h.cp.handle(Uint8Array.of(ComPortCommand.SetControl, 12)); // RTS off
  t.same(h.controls, [{ dtr: false, rts: true }, { dtr: false, rts: false }], 'two real changes reported');
  t.same(h.sent, [[105, 8], [105, 9], [105, 9], [105, 12]], 'each acknowledged; the DTR request answers "off"');
  h.cp.handle(Uint8Array.of(ComPortCommand.FlowcontrolSuspend));
  h.cp.handle(Uint8Array.of(ComPortCommand.FlowcontrolResume));
  t.same(h.flows, [true, false], 'flow-control suspend/resume passed to the transport');
});
