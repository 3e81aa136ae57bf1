import t from 'tap';
import { LAB_EVENT_NAMES } from '../../src/lab/lab-events.js';
import { ControlTestClient, type ControlMessage } from '../support/control-client.js';
import { startControlLab } from '../support/control-lab.js';

/**
 * The events of docs/control.md over a real socket, each caused the way a
 * rig would cause it, on a virtual-time lab child; with the doc replay
 * this covers every event the lab can send today.
 */
const PBX = 'HSIM-0001';
type Ev = { event: string; time: string; data: Record<string, unknown> };

t.test('events of calls, faults, signaling, callbacks, the log, stations and restarts', async (t) => {
  const lab = await startControlLab(t, { virtualTime: true });
  const c = await ControlTestClient.connect(lab.address);
  t.teardown(() => c.close());
  await c.next();
  const seen: Ev[] = [];
  const run = async (cmd: string, args?: Record<string, unknown>): Promise<unknown> => {
    const { events, reply } = await c.request(cmd, args, 30_000);
    seen.push(...(events as unknown as Ev[]));
    if ('error' in reply) throw new Error(`${cmd}: ${JSON.stringify(reply.error)}`);
    return reply.ok;
  };
  const since = (mark: number, name: string): Ev[] => seen.slice(mark).filter((e) => e.event === name);
  await run('events.subscribe', { events: ['*'] });

  let mark = seen.length;
  await run('pbx.kds-set', { pbx: PBX, path: 'signaling.interval', value: '1' });
  t.match(since(mark, 'log.entry')[0]?.data, { pbx: PBX, user: 'control', circle: 'S', format: 1, command: 'ESIG-INT "1"' }, 'log.entry: the change is logged before it is made');

  // Signaling off: the timer runs out and is skipped.
  mark = seen.length;
  await run('pbx.raise', { pbx: PBX, class: 'B', text: 'first' });
  await run('run-until', { event: 'signaling.skipped', timeout: '2min' });
  t.match(since(mark, 'signaling.skipped')[0]?.data, { pbx: PBX, reason: 'disabled' }, 'signaling.skipped: the flag is off');

  await run('pbx.kds-set', { pbx: PBX, path: 'callback.1.number', value: '00899000' });
  await run('pbx.kds-set', { pbx: PBX, path: 'signaling.enabled', value: 'yes' });
  // Garbled bytes on the centre line: the centre NAKs a frame whose CRC is wrong.
  await run('fault.set', { line: '0899000', spec: 'corrupt=0.004,seed=3' });
  mark = seen.length;
  const nak = (await run('run-until', { event: 'report.nak', timeout: '30min' })) as { matched: boolean };
  t.ok(nak.matched, 'report.nak: the centre refuses a garbled frame');
  t.match(since(mark, 'report.nak')[0]?.data, { modem: 'centre', pbx: PBX }, 'from the centre modem, to the PBX');
  await run('fault.clear', { line: '0899000' });
  await run('run-until', { event: 'report.acknowledged', timeout: '30min' });
  await run('pbx.raise', { pbx: PBX, class: 'B', text: 'second' });

  // The line to the centre cut after 60 bytes: the report call connects and breaks.
  await run('fault.set', { line: '0899000', spec: 'drop-bytes=60' });
  mark = seen.length;
  await run('run-until', { event: 'signaling.failed', timeout: '5min' });
  const call = since(mark, 'call.setup')[0]?.data.call;
  t.ok(call !== undefined, 'call.setup: the signaling call is placed');
  for (const name of ['call.alerting', 'call.answered', 'call.connected']) t.equal(since(mark, name)[0]?.data.call, call, `${name}: the same call`);
  t.match(since(mark, 'fault.applied')[0]?.data, { line: '0899000', fault: 'drop-bytes', call }, 'fault.applied: the cut at byte 60 acted on that call');
  t.match(since(mark, 'call.released')[0]?.data, { call, outcome: 'network', connected: true }, 'call.released: released by the network after connect');

  // The line cut after a time instead.
  await run('fault.clear', { line: '0899000' });
  await run('fault.set', { line: '0899000', spec: { 'drop-after': '50ms' } });
  mark = seen.length;
  await run('run-until', { event: 'fault.applied', timeout: '5min' });
  t.match(since(mark, 'fault.applied')[0]?.data, { line: '0899000', fault: 'drop-after' }, 'fault.applied: drop-after=50ms cut the call 50 ms after connect');

  // Unreachable, then garbled bytes: the centre NAKs a frame.
  await run('fault.clear', { line: '0899000' });
  await run('fault.set', { line: '0899000', spec: 'unreachable' });
  mark = seen.length;
  await run('run-until', { event: 'fault.applied', timeout: '5min' });
  t.match(since(mark, 'fault.applied')[0]?.data, { line: '0899000', fault: 'unreachable' }, 'fault.applied: unreachable');
  t.match(since(mark, 'call.released')[0]?.data, { outcome: 'unreachable', connected: false }, 'call.released: failed before connect as unreachable');
  await run('fault.clear', { line: '0899000' });

  // The function test: a pseudo error every day when on.
  await run('pbx.kds-set', { pbx: PBX, path: 'signaling.functest', value: 'yes' });
  await run('pbx.kds-set', { pbx: PBX, path: 'signaling.functest-days', value: '1' });
  mark = seen.length;
  await run('run-until', { event: 'signaling.function-test', timeout: '25h' });
  t.equal(since(mark, 'signaling.function-test').length, 1, 'signaling.function-test: one pseudo error after a day');
  t.match(since(mark, 'error.raised').find((e) => e.data.pseudo === true)?.data, { class: 'B', pseudo: true }, 'error.raised: the pseudo error is class B');

  // A one-shot cut: of the call that is up now, after 30 more bytes; then, armed, of the next call after 20 ms.
  await run('run-until', { event: 'report.acknowledged', timeout: '1h' });
  await run('pbx.raise', { pbx: PBX, class: 'B', text: 'cut me' });
  await run('run-until', { event: 'call.connected', timeout: '5min' });
  mark = seen.length;
  const now = (await run('line.cut', { line: '0899000', afterBytes: 30 })) as { calls: number; armed: boolean };
  t.same(now, { line: '0899000', calls: 1, armed: false }, 'line.cut acts on the connected report call');
  await run('run-until', { event: 'signaling.failed', timeout: '1min' });
  const cutCall = since(mark, 'fault.applied')[0]?.data;
  t.match(cutCall, { line: '0899000', fault: 'drop-bytes' }, 'fault.applied: cut after the next 30 bytes');
  t.match(since(mark, 'call.released').find((e) => e.data.call === cutCall?.call)?.data, { outcome: 'network', connected: true }, 'that call was released by the network');
  const armed = (await run('line.cut', { line: '0899000', afterTime: '20ms' })) as { calls: number; armed: boolean };
  t.same(armed, { line: '0899000', calls: 0, armed: true }, 'with no call up the cut waits for the next one');
  mark = seen.length;
  await run('run-until', { event: 'fault.applied', timeout: '5min' });
  t.match(since(mark, 'fault.applied')[0]?.data, { line: '0899000', fault: 'drop-after' }, 'the next call is cut 20 ms after it connected');
  mark = seen.length;
  const delivered = (await run('run-until', { event: 'report.stored', timeout: '5min' })) as { matched: boolean };
  t.ok(delivered.matched, 'the cut acted once: the call after it delivers the report');
  t.equal(since(mark, 'fault.applied').length, 0, 'and no fault acted on it');

  // Callback to a modem that does not answer: 20 attempts, then given up.
  await run('pbx.kds-set', { pbx: PBX, path: 'callback.2.number', value: '00897000' });
  mark = seen.length;
  await run('pbx.request-callback', { pbx: PBX, index: 2 });
  await run('run-until', { event: 'callback.given-up', timeout: '2h' });
  t.equal(since(mark, 'callback.registered').length, 1, 'callback.registered');
  t.equal(since(mark, 'callback.attempt').length, 20, 'callback.attempt: 20 attempts (spec §3.3)');
  t.equal(since(mark, 'callback.failed').length, 20, 'callback.failed: each of them');
  t.match(since(mark, 'callback.given-up')[0]?.data, { pbx: PBX, index: 2, attempts: 20 }, 'callback.given-up after the 20th');
  mark = seen.length;
  await run('pbx.request-callback', { pbx: PBX, index: 2 });
  await run('pbx.request-callback', { pbx: PBX, index: 2 });
  t.equal(since(mark, 'callback.cancelled').length, 1, 'callback.cancelled: a new request replaces the pending one');

  // A station's keypad: active DTMF remote administration of the PBX's own DTMF port.
  await run('pbx.kds-set', { pbx: PBX, path: 'dtmf.active', value: 'yes' });
  await run('pbx.kds-set', { pbx: PBX, path: 'dtmf.passive', value: 'yes' });
  await run('pbx.kds-set', { pbx: PBX, path: 'dtmf.password', value: '246810' });
  const keyed = (await run('device.press', { device: `${PBX}:100`, keys: '*996795#' })) as { display: string[] };
  t.ok(keyed.display.join(' ').length > 0, `the station shows the procedure (${keyed.display.join(' | ')})`);
  await run('clock.advance', { by: '10s' });
  const mirrored = (await run('device.display', { device: `${PBX}:100` })) as { lines: string[] };
  t.same(mirrored.lines, ['DTMF remote admin', '*995 + password + #'], "the station's display mirrors the target's enable prompt");
  await run('device.press', { device: `${PBX}:100`, keys: '*995246810#' });
  await run('clock.advance', { by: '10s' });
  const menu = (await run('device.display', { device: `${PBX}:100` })) as { lines: string[] };
  t.notSame(menu.lines, mirrored.lines, `the enable procedure took: the menu shows (${menu.lines.join(' | ')})`);

  // Power and reload.
  mark = seen.length;
  await run('pbx.power-cycle', { pbx: PBX });
  t.match(since(mark, 'pbx.restarted')[0]?.data, { pbx: PBX, tornWrite: false }, 'pbx.restarted');
  t.ok(since(mark, 'log.entry').some((e) => String(e.data.command).startsWith('A2-3')), 'the startup is logged (A2-3)');
  mark = seen.length;
  await run('pbx.reload', { pbx: PBX });
  t.match(since(mark, 'pbx.reloaded')[0]?.data, { pbx: PBX }, 'pbx.reloaded');
  await run('verdict', { name: 'events test', passed: true });
  t.match(seen.filter((e) => e.event === 'verdict.recorded').at(-1)?.data, { name: 'events test', passed: true, detail: '' }, 'verdict.recorded');

  c.sendLine('{"id": "stop", "cmd": "lab.stop"}');
  const rest: ControlMessage[] = [];
  for (;;) {
    try {
      rest.push(await c.next(10_000));
    } catch {
      break;
    }
  }
  seen.push(...(rest.filter((m) => 'event' in m) as unknown as Ev[]));
  t.match(seen.find((e) => e.event === 'lab.stopping')?.data, { reason: 'lab.stop' }, 'lab.stopping says why the lab stops');
  // Covered by the doc replay (stop, resume, the report; a depot's unanswered check-in and power cycle), control-checkin.test.ts (acked, and rejected by a centre whose clock jumps), lan-teleservice-network.test.ts (a LAN teleservice lab: lan.*).
  const elsewhere = new Set(['signaling.resumed', 'signaling.stopped', 'report.stored', 'report.acknowledged', 'callback.refused', 'callback.connected', 'checkin.acked', 'checkin.rejected', 'checkin.unanswered', 'device.restarted', 'lan.connection', 'lan.link']);
  const never = LAB_EVENT_NAMES.filter((n) => !seen.some((e) => e.event === n) && !elsewhere.has(n));
  t.same(never, [], 'every other event was seen here');
});
