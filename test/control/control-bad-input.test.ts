import { connect, type Socket } from 'node:net';
import t from 'tap';
import { ControlTestClient } from '../support/control-client.js';
import { startControlLab, type ControlLab } from '../support/control-lab.js';

/**
 * Bad input on the control port of a real `hicom-sim lab` child: every
 * request gets a clear error or the connection is closed, and the lab
 * keeps running with its state as it was.
 */
const PBX = 'HSIM-0001';

async function client(t: { teardown(fn: () => void): void }, lab: ControlLab): Promise<ControlTestClient> {
  const c = await ControlTestClient.connect(lab.address);
  t.teardown(() => c.close());
  await c.next();
  return c;
}

/** The state a test checks is intact afterwards: one error, a fault, the protocol log's last entry. */
async function snapshot(c: ControlTestClient): Promise<unknown> {
  return { errors: await c.ok('pbx.errors', { pbx: PBX }), faults: await c.ok('fault.list'), log: await c.ok('pbx.log', { pbx: PBX, tail: 1 }) };
}

function socketTo(address: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(address.slice('unix:'.length));
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });
}

const closed = (s: Socket): Promise<void> => new Promise((resolve) => (s.destroyed ? resolve() : s.once('close', () => resolve())));

t.test('bad requests get clear errors on an open connection', async (t) => {
  const lab = await startControlLab(t, { virtualTime: true });
  const c = await client(t, lab);
  await c.ok('pbx.raise', { pbx: PBX, class: 'B', text: 'before the bad input' });
  await c.ok('fault.set', { line: '0800200', spec: 'latency=5ms' });
  const before = await snapshot(c);

  const cases: Array<[string, string, RegExp]> = [
    ['{"id": 1, "cmd": ', 'bad-json', /^not JSON: /],
    ['\u00ff\u00fe garbage \u0000', 'bad-json', /^not JSON: /],
    ['[1, 2, 3]', 'bad-request', /a request is a JSON object/],
    ['"pbx.list"', 'bad-request', /a request is a JSON object/],
    ['null', 'bad-request', /a request is a JSON object/],
    ['{"id": {"a": 1}, "cmd": "pbx.list"}', 'bad-request', /"id" is a number or a string/],
    ['{"id": 7}', 'bad-request', /"cmd" is missing or not a string/],
    ['{"id": 8, "cmd": 42}', 'bad-request', /"cmd" is missing or not a string/],
    ['{"id": 9, "cmd": "pbx.list", "argz": {}}', 'bad-request', /unknown field "argz"/],
    ['{"id": 10, "cmd": "pbx.format-disk"}', 'unknown-command', /unknown command "pbx\.format-disk" \("commands" lists them\)/],
    ['{"id": 11, "cmd": "pbx.errors", "args": [1]}', 'bad-args', /^args must be object$/],
    ['{"id": 12, "cmd": "pbx.errors", "args": {"pbx": 5}}', 'bad-args', /^args\.pbx must be string$/],
    ['{"id": 13, "cmd": "pbx.errors", "args": {}}', 'bad-args', /missing "pbx"/],
    ['{"id": 14, "cmd": "pbx.errors", "args": {"pbx": "HSIM-0001", "colour": "red"}}', 'bad-args', /unknown argument "colour"/],
    ['{"id": 15, "cmd": "pbx.raise", "args": {"pbx": "HSIM-0001", "class": "B", "code": 70000}}', 'bad-args', /^args\.code must be <= 65535$/],
    ['{"id": 16, "cmd": "pbx.raise", "args": {"pbx": "HSIM-0001", "class": "B", "text": "bell\\u0007"}}', 'bad-args', /^args\.text must match pattern/],
    ['{"id": 17, "cmd": "clock.advance", "args": {"by": "soon"}}', 'bad-args', /"soon" is not a duration/],
    ['{"id": 18, "cmd": "clock.advance", "args": {"by": -5}}', 'bad-args', /must be >= 0/],
    ['{"id": 19, "cmd": "clock.advance", "args": {"by": "400d"}}', 'bad-args', /at most 366 days/],
    ['{"id": 20, "cmd": "run-until", "args": {"event": "calls.*"}}', 'bad-args', /no event matches "calls\.\*"/],
    ['{"id": 21, "cmd": "events.subscribe", "args": {"events": ["signalling.failed"]}}', 'bad-args', /no event matches "signalling\.failed"/],
    ['{"id": 22, "cmd": "fault.set", "args": {"line": "0800200", "spec": "corrupt=2"}}', 'bad-args', /not a rate between 0 and 1/],
    ['{"id": 23, "cmd": "fault.set", "args": {"line": "0800200", "spec": {"explode": true}}}', 'bad-args', /unknown fault 'explode'/],
    ['{"id": 24, "cmd": "fault.clear", "args": {}}', 'bad-args', /give line, or all: true/],
    ['{"id": 25, "cmd": "device.press", "args": {"device": "HSIM-0001:100", "keys": "12a"}}', 'bad-args', /only 0-9, \* and #/],
    ['{"id": 26, "cmd": "device.press", "args": {"device": "technician", "keys": "1"}}', 'refused', /technician \(modem\) has no keypad/],
    ['{"id": 27, "cmd": "device.power-cycle", "args": {"device": "HSIM-0001:100"}}', 'refused', /has no power switch of its own/],
    ['{"id": 28, "cmd": "pbx.kds-set", "args": {"pbx": "HSIM-0001", "path": "no.such.item", "value": "1"}}', 'not-found', /no KDS item no\.such\.item/],
    ['{"id": 29, "cmd": "pbx.log", "args": {"pbx": "HSIM-0001", "tail": 100000}}', 'bad-args', /must be <= 1000/],
  ];
  for (const [line, code, message] of cases) {
    c.sendLine(line);
    const { reply } = await c.untilReply();
    const error = reply.error as { code: string; message: string } | undefined;
    t.equal(error?.code, code, `${line.slice(0, 60)} → ${code}`);
    t.match(error?.message ?? '', message, `and says why: ${error?.message}`);
  }
  t.same(await snapshot(c), before, 'the lab state is as it was: errors, faults, protocol log');
  t.notOk(c.ended, 'the connection stayed open through all of it');
});

t.test('a line longer than 64 KiB is refused and that connection closed; the others go on', async (t) => {
  const lab = await startControlLab(t, { virtualTime: true });
  const other = await client(t, lab);
  for (const [name, payload] of [['without a newline', 'x'.repeat(70 * 1024)], ['in a JSON request', `{"id": 1, "cmd": "pbx.raise", "args": {"pbx": "${PBX}", "class": "B", "text": "${'y'.repeat(70 * 1024)}"}}\n`]]) {
    const s = await socketTo(lab.address);
    let got = '';
    s.on('data', (b: Buffer) => (got += b.toString('utf8')));
    s.write(payload);
    await closed(s);
    const lines = got.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    t.ok('greeting' in lines[0], `${name}: the greeting came first`);
    t.same(lines[1], { id: null, error: { code: 'line-too-long', message: 'a request line is at most 65536 bytes; closing the connection' } }, `${name}: a clear error, then the lab closed the connection`);
  }
  t.same(await other.ok('pbx.errors', { pbx: PBX }), [], 'nothing of the huge request was acted on');
  t.equal(((await other.ok('lab.describe')) as { pbxs: string[] }).pbxs.length, 2, 'the lab still answers another client (both PBXs described)');
});

t.test('a client that never reads its events is dropped; the lab and the other clients go on', async (t) => {
  const lab = await startControlLab(t, { virtualTime: true });
  const slow = await socketTo(lab.address);
  slow.write('{"id": 1, "cmd": "events.subscribe", "args": {"events": ["*"]}}\n');
  slow.pause();
  const fast = await client(t, lab);
  // Each fault.set sends the slow client a fault.set event (~250 bytes): 40,000 of them is 10 MB, past its 4 MiB allowance and the socket buffers.
  const BATCH = 2000;
  for (let sent = 0; sent < 40_000; sent += BATCH) {
    fast.sendLine(Array.from({ length: BATCH }, (_, i) => JSON.stringify({ id: `f${sent + i}`, cmd: 'fault.set', args: { line: '0800200', spec: `latency=${(sent + i) % 50}ms` } })).join('\n'));
    for (let i = 0; i < BATCH; i++) {
      const { reply } = await fast.untilReply(30_000);
      if (!('ok' in reply)) t.fail(`fault.set ${sent + i} failed: ${JSON.stringify(reply)}`);
    }
  }
  const dropped = closed(slow);
  slow.resume();
  await dropped;
  t.ok(slow.destroyed, 'the lab closed the connection of the client that did not read');
  t.same(await fast.ok('fault.list', { line: '0800200' }), [{ line: '0800200', faults: { latencyMs: 49 } }], 'the last fault.set holds: nothing was lost or reordered for the reading client');
  t.equal(lab.child.proc.exitCode, null, 'the lab is still running');
});

t.test('100 clients at once are all served; the 129th client is told too-many-clients', async (t) => {
  const lab = await startControlLab(t, { virtualTime: true });
  const clients = await Promise.all(Array.from({ length: 100 }, async () => client(t, lab)));
  const replies = await Promise.all(clients.map((c, i) => c.ok('pbx.raise', { pbx: PBX, class: 'C', code: i, text: `client ${i}` })));
  t.equal(new Set(replies.map((r) => (r as { id: number }).id)).size, 100, 'each of 100 concurrent clients got its own error entered');
  const errors = (await clients[0].ok('pbx.errors', { pbx: PBX, class: 'C' })) as Array<{ code: number }>;
  t.same(errors.map((e) => e.code).sort((a, b) => a - b), Array.from({ length: 100 }, (_, i) => i), 'all 100 entries are there, none twice');
  const more = await Promise.all(Array.from({ length: 28 }, async () => client(t, lab)));
  t.equal(more.length, 28, '128 clients are connected');
  const s = await socketTo(lab.address);
  let got = '';
  s.on('data', (b: Buffer) => (got += b.toString('utf8')));
  await closed(s);
  t.same(JSON.parse(got.trim()), { id: null, error: { code: 'too-many-clients', message: 'at most 128 control clients at once' } }, 'one more is refused with a clear error and closed');
  for (const c of clients) c.close();
  // The lab frees a slot when it sees the client's close, a moment after ours: until then a newcomer is still refused.
  let late: ControlTestClient | undefined;
  for (const deadline = Date.now() + 10_000; !late && Date.now() < deadline; ) {
    const candidate = await ControlTestClient.connect(lab.address);
    t.teardown(() => candidate.close());
    if ('greeting' in (await candidate.next())) late = candidate;
    else await new Promise((r) => setTimeout(r, 50));
  }
  if (!late) throw new Error('no slot came free within 10 s of 100 clients leaving');
  t.equal(((await late.ok('pbx.errors', { pbx: PBX })) as unknown[]).length, 100, 'once clients leave, a new one is served and sees the same state');
});

t.test('a real-time lab refuses to skip time, and run-until waits in real time', async (t) => {
  const lab = await startControlLab(t);
  const c = await client(t, lab);
  const greeting = await ControlTestClient.connect(lab.address).then(async (g) => {
    const m = await g.next();
    g.close();
    return m.greeting as { clock: string; capabilities: string[] };
  });
  t.equal(greeting.clock, 'real', 'the greeting says the clock is real');
  t.notOk(greeting.capabilities.includes('virtual-time'), 'and offers no virtual time');
  const { reply } = await c.request('clock.advance', { by: '1h' });
  t.same(reply.error, { code: 'refused', message: 'the lab runs in real time; start it with --virtual-time to advance its clock' }, 'advance is refused with why');
  const started = Date.now();
  const none = (await c.ok('run-until', { event: 'report.stored', timeout: '300ms' })) as { matched: boolean; elapsedMs: number };
  t.equal(none.matched, false, 'no report within 300 ms');
  t.ok(Date.now() - started >= 290, 'run-until waited the time-out in real time');
  const other = await client(t, lab);
  const waiting = c.request('run-until', { event: 'error.raised', match: { text: 'now' }, timeout: '20s' });
  await new Promise((r) => setTimeout(r, 200));
  await other.ok('pbx.raise', { pbx: PBX, class: 'A', text: 'now' });
  const hit = (await waiting).reply.ok as { matched: boolean; event: { data: { text: string } } };
  t.equal(hit.matched, true, 'run-until returns when the event another client caused arrives');
  t.equal(hit.event.data.text, 'now', 'with that event');
});
