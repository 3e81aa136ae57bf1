import t, { type Test } from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { api, cliToken, startCentre } from '../support/centre-child.js';
import { runCliAsync, tempDir } from '../support/lab-child.js';
import { pollUntil } from '../support/poll-until.js';
import { HST1_MAX_DATAGRAM, HST1_TYPE, Hst1Peer, type Hst1Fields } from './hst1-peer.js';

/**
 * Spec §5.2 as another team's suite reads it, rule by rule at its edges,
 * against the real `hicom-sim centre serve` (the built CLI, SQLite in a temp
 * dir, UDP on loopback) with a client that knows only the spec
 * (`hst1-peer.ts`). The reject counters are read where the centre shows
 * them to a script: `GET /api/v1/rejects` and a device's supervision state.
 * One centre for the whole file; each part has devices of its own, so the
 * replay windows and counters of one part do not touch another's.
 */
const dir = tempDir(t, 'hicom-contract-');
const db = `sqlite:${join(dir, 'centre.db')}`;
const token = await cliToken(db, dir, 'contract');
const centre = await startCentre(t, { db, state: dir, extra: ['--no-portal', '--no-maintenance'] });
const to = { address: centre.udp.host, port: centre.udp.port };
const peer = await Hst1Peer.bind('127.0.0.1');
t.teardown(() => peer.close());

const U32 = 0xffffffff;
const now = (): number => Math.floor(Date.now() / 1000);

interface Device {
  id: string;
  key: Buffer;
  /** The next fresh counter (rising). */
  next: number;
}

async function register(id: string, kind: 'key-depot' | 'pbx' = 'key-depot'): Promise<Device> {
  const r = await api(centre.http, token, 'POST', '/devices', { id, kind });
  if (r.status !== 201) throw new Error(`register ${id}: ${r.status} ${JSON.stringify(r.json)}`);
  return { id, key: Buffer.from(r.json.key as string, 'base64'), next: 1 };
}

function checkIn(d: Device, body: unknown, o: Partial<Hst1Fields> = {}): Buffer {
  const counter = o.counter ?? d.next++;
  return Hst1Peer.seal({ type: HST1_TYPE.checkIn, id: d.id, counter, time: o.time ?? now(), ...o }, typeof body === 'string' ? body : JSON.stringify(body), d.key);
}

interface Answer {
  type: number;
  id: string;
  counter: number;
  time: number;
  nonce: Buffer;
  body: Record<string, unknown>;
  bytes: number;
}

/** An answer opened under the device's key; a failure names what was wrong. */
function open(d: Device, data: Buffer | undefined): Answer | string {
  if (data === undefined) return 'no answer';
  const o = Hst1Peer.open(data, d.key);
  if (o === undefined) return `an answer that does not open under ${d.id}'s key (${data.length} bytes)`;
  let body: unknown;
  try {
    body = JSON.parse(o.plain.toString('utf8'));
  } catch {
    return `an answer whose body is not JSON: ${o.plain.toString('utf8')}`;
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return `an answer whose body is not an object: ${o.plain.toString('utf8')}`;
  return { ...o, body: body as Record<string, unknown>, bytes: data.length };
}

async function ask(d: Device, datagram: Buffer): Promise<Answer | string> {
  return open(d, await peer.exchange(datagram, to));
}

/**
 * Sends the datagrams, then a good heartbeat of `sentinel`, and passes only
 * if the one answer that came is the sentinel's ack: nothing answered any of
 * the datagrams (the centre reads one socket in order; the wait after the
 * ack covers an answer that a database lookup delayed).
 */
async function silence(t: Test, sentinel: Device, datagrams: Array<[string, Buffer]>): Promise<void> {
  for (const [, d] of datagrams) peer.send(d, to);
  const counter = sentinel.next;
  const first = open(sentinel, await peer.exchange(checkIn(sentinel, {}), to));
  const late = await peer.receive(150);
  const what = datagrams.map(([w]) => w).join('; ');
  t.ok(typeof first !== 'string' && first.type === HST1_TYPE.ack && first.counter === counter && late === undefined, `no reply to: ${what}`);
}

interface Reject {
  deviceId: string;
  reason: string;
  count: number;
}

async function rejects(): Promise<Map<string, number>> {
  const r = await api(centre.http, token, 'GET', '/rejects');
  return new Map((r.json as Reject[]).map((x) => [`${x.deviceId}|${x.reason}`, x.count]));
}

/** What the counters of `ids` must reach (they are written every 250 ms); compared whole once they do, or after 3 s. */
async function countersOf(t: Test, ids: string[], want: Record<string, number>, what: string): Promise<void> {
  const pick = (m: Map<string, number>) => Object.fromEntries([...m].filter(([k]) => ids.includes(k.split('|')[0])).sort());
  const wanted = Object.fromEntries(Object.entries(want).sort());
  let got: Record<string, number> = {};
  await pollUntil(async () => JSON.stringify((got = pick(await rejects()))) === JSON.stringify(wanted), what, 3000, 50).catch(() => undefined);
  t.same(got, wanted, what);
}

/** A device's "rejected telegrams" events: one active while it is refused; every one cleared once it checks in again (each spell of refusals may raise one). */
async function rejectedEvent(t: Test, id: string, life: 'active' | 'cleared', what: string): Promise<void> {
  let lives: string[] = [];
  const good = () => (life === 'active' ? JSON.stringify(lives) === '["active"]' : lives.length > 0 && lives.every((l) => l === 'cleared'));
  // The reject counters and the event they raise are written every 250 ms; a clear that follows them comes just after.
  await pollUntil(async () => {
    lives = ((await api(centre.http, token, 'GET', `/events?device=${id}&type=rejected-telegrams`)).json as Array<{ life: string }>).map((e) => e.life);
    return good();
  }, what, 2000, 50).catch(() => undefined);
  t.ok(good(), `${what} (${JSON.stringify(lives)})`);
}

/** The '' row (datagrams naming no usable id) is shared by every part: each adds to what it saw. */
let unnamed = 0;

t.test('the client is independent: it imports nothing of ours', async (t) => {
  const src = readFileSync(join(process.cwd(), 'test/clients/hst1-peer.ts'), 'utf8');
  const imports = [...src.matchAll(/^import .* from '([^']+)';$/gm)].map((m) => m[1]);
  t.same(imports, ['node:crypto', 'node:dgram'], 'node:crypto and node:dgram only');
});

t.test('a heartbeat {} is acknowledged; the ack as §5.2 has it', async (t) => {
  const d = await register('CT-ACK');
  const sent = checkIn(d, {}, { counter: 7 });
  const a = await ask(d, sent);
  if (typeof a === 'string') return t.fail(a);
  t.equal(a.type, HST1_TYPE.ack, 'type 0x81 ack');
  t.equal(a.id, 'CT-ACK', 'the device id in the header');
  t.equal(a.counter, 7, 'the header answers counter 7');
  t.same(Object.keys(a.body).sort(), ['accepted', 'commands', 'counter', 'serverTime'], 'body fields: counter, serverTime, accepted, commands');
  t.equal(a.body.counter, 7, 'the body echoes the counter');
  t.ok(Number.isInteger(a.body.serverTime) && Math.abs((a.body.serverTime as number) - now()) <= 2, `serverTime is the centre clock in Unix seconds (${a.body.serverTime})`);
  t.equal(a.time, a.body.serverTime, 'the header time is the centre clock, as serverTime');
  t.same(a.body.accepted, [], 'a heartbeat stores no events: accepted []');
  t.same(a.body.commands, [], 'no commands queued: commands []');
  t.notSame(a.nonce, sent.subarray(21, 33), 'a nonce of its own, not the check-in\'s');
  t.ok(a.bytes <= HST1_MAX_DATAGRAM, 'at most 1,200 bytes');
});

t.test('accepted lists exactly the events stored, a resent one included; commands ride along', async (t) => {
  const d = await register('CT-EVENTS');
  const ev = (seq: number) => ({ seq, time: now(), type: 'door-open' });
  const a1 = await ask(d, checkIn(d, { status: { door: 'open' }, events: [ev(5), ev(6)] }));
  t.same(typeof a1 !== 'string' && a1.body.accepted, [5, 6], 'two events: both listed');
  const a2 = await ask(d, checkIn(d, { events: [ev(5), ev(7), ev(7)] }));
  t.same(typeof a2 !== 'string' && [...(a2.body.accepted as number[])].sort((x, y) => x - y), [5, 7], 'a resent seq is listed again, a seq twice in one telegram once');
  const a3 = await ask(d, checkIn(d, { events: [ev(0), ev(U32)] }));
  t.same(typeof a3 !== 'string' && [...(a3.body.accepted as number[])].sort((x, y) => x - y), [0, U32], 'seq 0 and 2^32-1 are u32 seqs');
  const stored = await api(centre.http, token, 'GET', '/events?device=CT-EVENTS');
  t.same((stored.json as Array<{ deviceSeq: number }>).map((e) => e.deviceSeq).sort((x, y) => x - y), [0, 5, 6, 7, U32], 'the database holds each seq once: what the acks listed');
  const q = await api(centre.http, token, 'POST', '/devices/CT-EVENTS/commands', { type: 'release', compartment: 2 });
  t.equal(q.status, 201, 'a command queued through the API');
  const a4 = await ask(d, checkIn(d, {}));
  const cmds = typeof a4 !== 'string' ? (a4.body.commands as Array<Record<string, unknown>>) : [];
  t.same(cmds.map((c) => [c.type, c.compartment, Number.isInteger(c.id)]), [['release', 2, true]], 'the next ack carries it, with a u32 id');
});

t.test('an ack stays within 1,200 bytes however many commands wait, for a 32-character id too; the rest follow', async (t) => {
  const d = await register('CT-COMMANDS.0123456789abcdefghij');
  t.equal(d.id.length, 32, '32 characters');
  const queued: number[] = [];
  for (let i = 0; i < 14; i++) {
    const r = await api(centre.http, token, 'POST', `/devices/${d.id}/commands`, { type: 'pin-add', user: `user-${String(i).padStart(2, '0')}-with-a-long-name`, pin: '4711', compartments: [1, 2, 3, 4] });
    if (r.status !== 201) return t.fail(`queue: ${r.status} ${JSON.stringify(r.json)}`);
    queued.push(r.json.commandId as number);
  }
  const delivered = new Set<number>();
  let report: number[] = [];
  for (let round = 1; round <= 24 && delivered.size < queued.length; round++) {
    // Report the commands of the last ack as done, as a depot would, so the centre stops repeating them.
    const a = await ask(d, checkIn(d, { events: report.map((id) => ({ seq: 1000 + id, time: now(), type: 'command', command: id, result: 'done', detail: '' })) }));
    if (typeof a === 'string') return t.fail(a);
    t.ok(a.bytes <= HST1_MAX_DATAGRAM, `ack ${round}: ${a.bytes} bytes, at most 1,200`);
    report = (a.body.commands as Array<{ id: number }>).map((c) => c.id);
    if (report.length === 0) break;
    for (const id of report) delivered.add(id);
  }
  t.same([...delivered].sort((x, y) => x - y), queued, 'every queued command arrived, in acks that each fit one datagram');
});

t.test('the id: 1 and 32 characters are ids; 0, 33 and bytes outside [A-Za-z0-9._-] get no reply', async (t) => {
  const one = await register('Z');
  const a1 = await ask(one, checkIn(one, {}));
  t.ok(typeof a1 !== 'string' && a1.type === HST1_TYPE.ack && a1.id === 'Z', `a 1-character id checks in (${typeof a1 === 'string' ? a1 : a1.id})`);
  const long = await register('a.b_c-D.0123456789ABCDEFGHIJKLMN');
  t.equal(long.id.length, 32, '32 characters');
  const a32 = await ask(long, checkIn(long, {}));
  t.ok(typeof a32 !== 'string' && a32.type === HST1_TYPE.ack && a32.id === long.id, 'a 32-character id checks in');
  const s = await register('CT-ID');
  const key = s.key;
  const bad: Array<[string, Buffer]> = [
    ['n = 0', Hst1Peer.seal({ type: 1, id: '', counter: 1, time: now() }, '{}', key)],
    ['n = 33', Hst1Peer.seal({ type: 1, id: 'A'.repeat(33), counter: 1, time: now() }, '{}', key)],
    ...[' ', '/', ':', '+', '\u00e9', '\u0000', '\u007f', '*'].map((c): [string, Buffer] => [`id byte 0x${c.charCodeAt(0).toString(16)}`, Hst1Peer.seal({ type: 1, id: `CT${c}ID`, counter: 1, time: now() }, '{}', key)]),
  ];
  await silence(t, s, bad);
  unnamed += bad.length;
  await countersOf(t, [''], { '|malformed': unnamed }, 'each counted as malformed (no id that could be trusted)');
  // Ids are bytes: another case is another id.
  await silence(t, s, [['CT-ID\'s telegram under the id ct-id', Hst1Peer.seal({ type: 1, id: 'ct-id', counter: s.next++, time: now() }, '{}', key)]]);
  await countersOf(t, ['ct-id'], { 'ct-id|unknown-device': 1 }, 'ids are case-sensitive: ct-id is an unknown device, not CT-ID');
});

t.test('the magic and the type byte', async (t) => {
  const d = await register('CT-MAGIC');
  const good = checkIn(d, {});
  const variants: Array<[string, Buffer]> = [];
  for (const magic of ['HST0', 'HST2', 'hst1', 'TSH1']) {
    const b = Buffer.from(good);
    b.write(magic, 0, 'latin1');
    variants.push([`magic ${magic}`, b]);
  }
  for (const type of [0x00, 0x02, 0x80, 0x83, 0xff]) variants.push([`type 0x${type.toString(16)}`, Hst1Peer.seal({ type, id: d.id, counter: d.next++, time: now() }, '{}', d.key)]);
  await silence(t, d, variants);
  unnamed += 4;
  // An ack or a nak that a device (or a reflector) sends to the centre is authentic and well formed, but not for the centre.
  const answers: Array<[string, Buffer]> = [
    ['an ack sent to the centre', Hst1Peer.seal({ type: HST1_TYPE.ack, id: d.id, counter: d.next++, time: now() }, { counter: d.next - 1, serverTime: now(), accepted: [], commands: [] }, d.key)],
    ['a nak sent to the centre', Hst1Peer.seal({ type: HST1_TYPE.nak, id: d.id, counter: d.next++, time: now() }, { counter: d.next - 1, reason: 'replay', serverTime: now() }, d.key)],
  ];
  await silence(t, d, answers);
  await countersOf(t, ['', d.id], { '|malformed': unnamed, 'CT-MAGIC|malformed': 5 + 2 }, 'a wrong magic: malformed under no id (not HST1 at all); an unknown type byte or an answer type: malformed under the id the header names');
  await rejectedEvent(t, d.id, 'cleared', 'its "rejected telegrams" event is cleared: its last check-in (the sentinel) was accepted');
});

t.test('size: a datagram of exactly 1,200 bytes is a telegram, 1,201 is not', async (t) => {
  const d = await register('CT-SIZE');
  // 42 + n + c bytes: c = 1200 - 42 - 7 = 1151 bytes of body, {"pad":"…"} is 10 + the pad.
  const pad = (len: number) => ({ pad: 'x'.repeat(len) });
  const at = checkIn(d, pad(1151 - 10));
  t.equal(at.length, 1200, 'built to 1,200 bytes');
  const a = await ask(d, at);
  t.ok(typeof a !== 'string' && a.type === HST1_TYPE.ack, `1,200 bytes: acknowledged (${typeof a === 'string' ? a : 'ack'})`);
  const over = checkIn(d, pad(1152 - 10));
  t.equal(over.length, 1201, 'built to 1,201 bytes');
  await silence(t, d, [['1,201 bytes', over]]);
  await countersOf(t, [d.id], { 'CT-SIZE|malformed': 1 }, 'the oversized one is counted as malformed under the id its header names');
});

t.test('the AAD is the whole clear header, nonce included: any header byte changed gets no reply', async (t) => {
  const d = await register('CT-AAD');
  const n = d.id.length;
  const good = checkIn(d, { events: [{ seq: 1, time: now(), type: 'tamper' }] });
  // Counter, time and nonce (bytes 6+n … 25+n): the header still parses, only the tag can tell.
  const flips: Array<[string, Buffer]> = [];
  for (let i = 6 + n; i < 26 + n; i++) {
    const b = Buffer.from(good);
    b[i] ^= 0x01;
    flips.push([`byte ${i}`, b]);
  }
  await silence(t, d, flips);
  // The id's bytes: another valid id (unknown) — and one that is another registered device's.
  const other = await register('CT-AAE');
  const renamed = Buffer.from(good);
  renamed.write('CT-AAE', 6, 'latin1');
  const unknown = Buffer.from(good);
  unknown.write('CT-AAX', 6, 'latin1');
  await silence(t, d, [['the id changed to another registered device', renamed], ['the id changed to an unknown one', unknown]]);
  const tagOff = Buffer.from(good);
  tagOff[tagOff.length - 1] ^= 0x80;
  const bodyOff = Buffer.from(good);
  bodyOff[26 + n] ^= 0x01;
  const wrongKey = Hst1Peer.seal({ type: 1, id: d.id, counter: d.next++, time: now() }, '{}', Buffer.alloc(32, 7));
  const cut1 = good.subarray(0, good.length - 1);
  await silence(t, d, [['a tag bit flipped', tagOff], ['a ciphertext bit flipped', bodyOff], ['a wrong key', wrongKey], ['the tag cut by a byte', cut1]]);
  await countersOf(t, [d.id, other.id, 'CT-AAX'], { 'CT-AAD|bad-tag': 20 + 4, 'CT-AAE|bad-tag': 1, 'CT-AAX|unknown-device': 1 }, 'every one counted under the id its header names: bad tag, or unknown device');
  const a = await ask(d, good);
  t.ok(typeof a !== 'string' && a.type === HST1_TYPE.ack && JSON.stringify(a.body.accepted) === '[1]', 'the untouched telegram is still fresh: none of its forgeries used up its counter');
  await rejectedEvent(t, d.id, 'cleared', 'the "rejected telegrams" event these raised is cleared by the accepted check-ins after them');
  const sup = await api(centre.http, token, 'GET', '/devices/CT-AAD/supervision');
  t.equal(sup.json.presence, 'ok', 'and the device is present, not offline');
});

t.test('a datagram too short for its tag, and an unknown device', async (t) => {
  const d = await register('CT-SHORT');
  const good = checkIn(d, {});
  // {} is 2 bytes: 26 + n + 2 + 16. Cut 3: fewer than 16 bytes after the header.
  const short = good.subarray(0, good.length - 3);
  const headerOnly = good.subarray(0, 26 + d.id.length);
  const stranger = Hst1Peer.seal({ type: 1, id: 'CT-NOBODY', counter: 1, time: now() }, '{}', Buffer.alloc(32, 1));
  await silence(t, d, [['no room for a tag', short], ['the header alone', headerOnly], ['an unknown device', stranger]]);
  await countersOf(t, [d.id, 'CT-NOBODY'], { 'CT-SHORT|malformed': 2, 'CT-NOBODY|unknown-device': 1 }, 'too short: malformed under its id; unknown device under the unknown id');
});

t.test('bodies that verify but are no check-in: no reply, malformed under the id', async (t) => {
  const d = await register('CT-BODY');
  const bodies = ['hello', '', '{', '[]', '[{}]', '"x"', '1', 'null', 'true', '{"events":"no"}', '{"events":{}}', '{"events":[1]}', '{"events":[{}]}', '{"events":[{"seq":-1}]}', '{"events":[{"seq":1.5}]}', '{"events":[{"seq":"3"}]}', `{"events":[{"seq":${U32 + 1}}]}`, '{"events":[null]}'];
  const sealed: Array<[string, Buffer]> = bodies.map((b) => [JSON.stringify(b), checkIn(d, b)]);
  sealed.push(['a body that is not UTF-8', Hst1Peer.seal({ type: 1, id: d.id, counter: d.next++, time: now() }, Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]), d.key)]);
  await silence(t, d, sealed);
  await countersOf(t, [d.id], { 'CT-BODY|malformed': sealed.length }, 'each counted as malformed under the id');
  const stored = (await api(centre.http, token, 'GET', '/events?device=CT-BODY')).json as Array<{ type: string }>;
  t.same(stored.map((e) => e.type).filter((type) => type !== 'rejected-telegrams'), [], 'nothing of them stored');
  await rejectedEvent(t, d.id, 'cleared', 'the "rejected telegrams" event they raised is cleared: the device\'s next check-in was accepted');
  // §5.2 is silent on whether a refused telegram uses up its counter; ours does not (docs/check-in-telegram.md §5): only an answered one does.
  const refused = d.next;
  peer.send(checkIn(d, 'not json', { counter: refused }), to);
  const a = await ask(d, checkIn(d, {}, { counter: refused }));
  t.ok(typeof a !== 'string' && a.type === HST1_TYPE.ack && a.counter === refused, 'a counter whose telegram got no answer is still fresh: the same counter with a good body is acknowledged');
});

t.test('what a receiver must take: unknown keys, events with a seq only, whitespace around the object', async (t) => {
  const d = await register('CT-LENIENT');
  const cases: Array<[string, string, number[]]> = [
    ['unknown keys beside status and events', JSON.stringify({ status: { kind: 'rig' }, events: [{ seq: 1, time: now(), type: 'door-open' }], firmware: 'x', extra: [1] }), [1]],
    ['an event with nothing but its seq', '{"events":[{"seq":2}]}', [2]],
    ['an empty events list', '{"events":[]}', []],
    ['whitespace around the object', ' \n\t{ "events" : [ { "seq" : 3 } ] }\r\n ', [3]],
    ['status alone', '{"status":{"door":"closed"}}', []],
  ];
  for (const [what, body, accepted] of cases) {
    const a = await ask(d, checkIn(d, body));
    t.same(typeof a === 'string' ? a : [a.type, a.body.accepted], [HST1_TYPE.ack, accepted], `${what}: acknowledged, accepted ${JSON.stringify(accepted)}`);
  }
});

t.test('a depot with a wrong key shows up as rejecting, not offline', async (t) => {
  const d = await register('CT-WRONGKEY');
  const s = await register('CT-SENTINEL');
  const wrong = Buffer.alloc(32, 9);
  const forged = [1, 2, 3].map((c): [string, Buffer] => [`wrong key #${c}`, Hst1Peer.seal({ type: 1, id: d.id, counter: c, time: now() }, '{}', wrong)]);
  await silence(t, s, forged);
  await countersOf(t, [d.id], { 'CT-WRONGKEY|bad-tag': 3 }, 'counted as bad tags under its id');
  const sup = await api(centre.http, token, 'GET', '/devices/CT-WRONGKEY/supervision');
  t.same(sup.json.rejected, { 'bad-tag': 3 }, 'its supervision state lists what was refused');
  await rejectedEvent(t, d.id, 'active', 'an active "rejected telegrams" event');
  const status = await runCliAsync(['centre', 'status', '--db', db, '-s', dir, '--log-level', 'warn']);
  t.match(status.stdout, /^.*CT-WRONGKEY.*REJECTING.*$/m, '`centre status` shows it REJECTING, not offline');
  const fixed = Hst1Peer.seal({ type: 1, id: d.id, counter: 4, time: now() }, '{}', d.key);
  const a = await ask(d, fixed);
  t.ok(typeof a !== 'string' && a.type === HST1_TYPE.ack, 'with the right key it checks in');
  await rejectedEvent(t, d.id, 'cleared', 'and the event is cleared');
});

t.test('the 64-wide replay window, counters at the u32 edges, the same telegram twice', async (t) => {
  const d = await register('CT-WINDOW');
  const reason = async (counter: number) => {
    const a = await ask(d, checkIn(d, {}, { counter }));
    if (typeof a === 'string') return a;
    if (a.counter !== counter || a.body.counter !== counter) return `answer for counter ${a.counter}/${String(a.body.counter)}`;
    return a.type === HST1_TYPE.ack ? 'ack' : a.type === HST1_TYPE.nak ? `nak ${String(a.body.reason)}` : `type ${a.type}`;
  };
  t.equal(await reason(1000), 'ack', '1000: the first, acknowledged');
  t.equal(await reason(1000), 'nak replay', '1000 again (the highest): replay');
  t.equal(await reason(937), 'ack', 'highest − 63, never seen: inside the window, acknowledged');
  t.equal(await reason(937), 'nak replay', '… and seen now: replay');
  t.equal(await reason(936), 'nak replay', 'highest − 64: below the window, replay');
  t.equal(await reason(0), 'nak replay', '0, far below: replay');
  t.equal(await reason(1_000_000), 'ack', 'far above: acknowledged, the window jumps');
  t.equal(await reason(1000), 'nak replay', 'the old highest is now far below: replay');
  t.equal(await reason(999_990), 'ack', 'just below the new highest, never seen: acknowledged');
  t.equal(await reason(U32), 'ack', '2^32 − 1: acknowledged');
  t.equal(await reason(U32), 'nak replay', '2^32 − 1 again: replay');
  t.equal(await reason(U32 - 63), 'ack', '2^32 − 64 (highest − 63): acknowledged');
  t.equal(await reason(U32 - 64), 'nak replay', '2^32 − 65 (highest − 64): replay');

  const z = await register('CT-ZERO');
  const a0 = await ask(z, checkIn(z, {}, { counter: 0 }));
  t.ok(typeof a0 !== 'string' && a0.type === HST1_TYPE.ack, `counter 0 is a u32 and a fresh device's first may be 0 (${typeof a0 === 'string' ? a0 : a0.type})`);
  const r0 = await ask(z, checkIn(z, {}, { counter: 0 }));
  t.ok(typeof r0 !== 'string' && r0.type === HST1_TYPE.nak && r0.body.reason === 'replay', 'and 0 again is a replay');

  const twice = await register('CT-TWICE');
  const same = checkIn(twice, { events: [{ seq: 9, time: now(), type: 'door-open' }] });
  const first = await ask(twice, same);
  const second = await ask(twice, same);
  t.ok(typeof first !== 'string' && first.type === HST1_TYPE.ack && JSON.stringify(first.body.accepted) === '[9]', 'the same datagram: first an ack listing its event');
  if (typeof second === 'string') return t.fail(second);
  t.equal(second.type, HST1_TYPE.nak, 'then a nak');
  t.same(Object.keys(second.body).sort(), ['counter', 'reason', 'serverTime'], 'nak body fields: counter, reason, serverTime');
  t.same([second.body.reason, second.body.counter, second.counter], ['replay', 1, 1], 'replay, answering its counter in body and header');
  t.ok(Math.abs((second.body.serverTime as number) - now()) <= 2, 'with the centre time');
  t.equal(((await api(centre.http, token, 'GET', '/events?device=CT-TWICE')).json as unknown[]).length, 1, 'the event is stored once');
  // Both copies at once, so they meet in one group commit: still exactly one ack.
  const burst = checkIn(twice, { events: [{ seq: 10, time: now(), type: 'door-close' }] });
  peer.send(burst, to);
  peer.send(burst, to);
  const answers = [await peer.receive(2000), await peer.receive(2000)].map((m) => open(twice, m?.data));
  t.same(answers.map((a) => (typeof a === 'string' ? a : a.type === HST1_TYPE.ack ? 'ack' : `nak ${String(a.body.reason)}`)).sort(), ['ack', 'nak replay'], 'the same datagram twice back to back: one ack, one replay nak');
  t.equal(((await api(centre.http, token, 'GET', '/events?device=CT-TWICE')).json as unknown[]).length, 2, 'its event stored once');
  await countersOf(t, [d.id, z.id, twice.id], { 'CT-WINDOW|replay': 7, 'CT-ZERO|replay': 1, 'CT-TWICE|replay': 2 }, 'naks counted per device and reason');
});

t.test('clock skew: ±120 s is on time, ±121 s a nak; the device resyncs and resends under a new counter', async (t) => {
  const d = await register('CT-CLOCK');
  let skews = 0;
  const tally = (a: Answer | string) => {
    if (typeof a !== 'string' && a.type === HST1_TYPE.nak && a.body.reason === 'clock-skew') skews++;
    return a;
  };
  /** The centre's second must be the one the time was taken in: retried (new counter) when a second ended in between. */
  const verdict = async (offset: number) => {
    for (let attempt = 0; attempt < 5; attempt++) {
      const before = now();
      const counter = d.next;
      const a = tally(await ask(d, checkIn(d, {}, { time: before + offset })));
      if (now() !== before) continue;
      if (typeof a === 'string') return a;
      if (a.counter !== counter) return `answer for counter ${a.counter}`;
      return a.type === HST1_TYPE.ack ? 'ack' : `nak ${String(a.body.reason)}`;
    }
    return 'no attempt within one second';
  };
  t.equal(await verdict(-120), 'ack', '120 s behind: on time');
  t.equal(await verdict(+120), 'ack', '120 s ahead: on time');
  t.equal(await verdict(-121), 'nak clock-skew', '121 s behind: clock-skew');
  t.equal(await verdict(+121), 'nak clock-skew', '121 s ahead: clock-skew');
  for (const time of [0, U32]) {
    const counter = d.next;
    const a = tally(await ask(d, checkIn(d, {}, { time })));
    t.ok(typeof a !== 'string' && a.type === HST1_TYPE.nak && a.body.reason === 'clock-skew' && a.counter === counter, `time ${time}: clock-skew`);
  }

  // A depot whose clock is ten minutes slow, with an event queued.
  let offset = -600;
  const skewed = d.next;
  const nak = tally(await ask(d, checkIn(d, { events: [{ seq: 3, time: now() + offset, type: 'tamper' }] }, { time: now() + offset })));
  if (typeof nak === 'string') return t.fail(nak);
  t.same([nak.type, nak.body.reason, nak.body.counter, nak.counter], [HST1_TYPE.nak, 'clock-skew', skewed, skewed], 'nak clock-skew for the counter sent, encrypted under the device key');
  t.same(Object.keys(nak.body).sort(), ['counter', 'reason', 'serverTime'], 'nak body fields: counter, reason, serverTime');
  t.equal(((await api(centre.http, token, 'GET', '/events?device=CT-CLOCK')).json as unknown[]).length, 0, 'the event of the refused telegram is not stored');
  offset = (nak.body.serverTime as number) - now();
  const again = await ask(d, checkIn(d, {}, { counter: skewed, time: now() + offset }));
  t.ok(typeof again !== 'string' && again.type === HST1_TYPE.nak && again.body.reason === 'replay', 'the skewed counter is used up: sent again, a replay');
  const resent = await ask(d, checkIn(d, { events: [{ seq: 3, time: now() + offset, type: 'tamper' }] }, { time: now() + offset }));
  t.ok(typeof resent !== 'string' && resent.type === HST1_TYPE.ack && JSON.stringify(resent.body.accepted) === '[3]', 'resynced from serverTime, under a new counter: acknowledged with its event');
  const both = await ask(d, checkIn(d, {}, { counter: skewed, time: now() + 600 }));
  t.ok(typeof both !== 'string' && both.type === HST1_TYPE.nak && both.body.reason === 'replay', 'a counter seen and a clock off: replay (the window is checked first)');
  await countersOf(t, [d.id], { 'CT-CLOCK|clock-skew': skews, 'CT-CLOCK|replay': 2 }, 'clock-skew naks counted per device');
  const sup = await api(centre.http, token, 'GET', '/devices/CT-CLOCK/supervision');
  t.equal(sup.json.presence, 'ok', 'present after the resync');
});
