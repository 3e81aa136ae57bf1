import t from 'tap';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, tempDir } from '../support/lab-child.js';
import { LineChild } from '../support/line-child.js';
import { HST1_MAX_DATAGRAM, HST1_TYPE, Hst1Peer, type Hst1From } from './hst1-peer.js';

/**
 * Our firmware's check-in clients — a key depot and a PBX with the LAN
 * option, as `hicom-sim fleet` runs them over real UDP — against a centre
 * written here from spec §5.2 alone (`hst1-peer.ts`). Every datagram is
 * checked against the table; each device is walked through the answers
 * §5.2 gives a device: a clock-skew nak (resync from serverTime, resend at
 * once under a new counter), a replay nak (resend under a new counter),
 * answers it must ignore (an old counter, a wrong key)
 * and an ack that stores none of its events (so it must send them again),
 * then acks that list them (so it must never send them again).
 *
 * At --speed 40 a device checks in every 1.5 s: "at once" is well under that.
 */
const SPEED = 40;
const INTERVAL_MS = 60_000 / SPEED;
const U32 = 0xffffffff;
const dir = tempDir(t, 'hicom-fw-contract-');
const devices = { 'FW-DEPOT': { kind: 'key-depot', key: randomBytes(32) }, 'FW-PBX': { kind: 'pbx', key: randomBytes(32) } } as const;
type Id = keyof typeof devices;
const keysFile = join(dir, 'keys.txt');
writeFileSync(keysFile, Object.entries(devices).map(([id, d]) => `${id} ${d.kind} ${d.key.toString('base64')}`).join('\n') + '\n', { mode: 0o600 });

const centre = await Hst1Peer.bind('127.0.0.1');
t.teardown(() => centre.close());
const nowS = (): number => Math.floor(Date.now() / 1000);

interface Seen {
  at: number;
  counter: number;
  time: number;
  seqs: number[];
}

/** Where each device is in its walk, and what it sent. */
interface Walk {
  step: 'skew' | 'replay' | 'withhold' | 'resend' | 'after' | 'done';
  seen: Seen[];
  withheld: number[];
  acked: Set<number>;
  offsetS: number;
  problems: string[];
  from?: Hst1From;
}
const walks = new Map<Id, Walk>(Object.keys(devices).map((id) => [id as Id, { step: 'skew', seen: [], withheld: [], acked: new Set(), offsetS: 0, problems: [] }]));
const nonces = new Set<string>();
const problems: string[] = [];

/** Every rule of §5.2 a device's datagram must keep; a breach is noted (and asserted below). */
function check(data: Buffer): { id: Id; counter: number; time: number; body: { events?: Array<Record<string, unknown>> } } | undefined {
  const note = (p: string) => void problems.push(p);
  if (data.length > HST1_MAX_DATAGRAM) return note(`a datagram of ${data.length} bytes`);
  if (data.toString('latin1', 0, 4) !== 'HST1' || data[4] !== HST1_TYPE.checkIn) return note(`not a check-in: ${data.subarray(0, 6).toString('hex')}`);
  const id = data.toString('latin1', 6, 6 + data[5]) as Id;
  const dev = devices[id];
  if (!dev) return note(`an id we never gave: ${id}`);
  const o = Hst1Peer.open(data, dev.key);
  if (!o) return note(`${id}: a datagram that does not verify under its key with the header as AAD`);
  const nonce = o.nonce.toString('hex');
  if (nonces.has(nonce)) note(`${id}: nonce ${nonce} used twice`);
  nonces.add(nonce);
  let body: unknown;
  try {
    body = JSON.parse(o.plain.toString('utf8'));
  } catch {
    return note(`${id}: a body that is not JSON`);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return note(`${id}: a body that is not an object`);
  const events = (body as { events?: unknown }).events;
  if (events !== undefined) {
    if (!Array.isArray(events)) return note(`${id}: events is not an array`);
    for (const e of events as Array<Record<string, unknown>>) {
      if (typeof e !== 'object' || e === null || !Number.isInteger(e.seq) || (e.seq as number) < 0 || (e.seq as number) > U32) note(`${id}: an event without a u32 seq: ${JSON.stringify(e)}`);
      for (const [k, v] of Object.entries(e)) if (typeof v === 'number' && /time$/i.test(k) && !Number.isInteger(v)) note(`${id}: event field ${k} is not a whole number: ${v}`);
    }
  }
  return { id, counter: o.counter, time: o.time, body: body as { events?: Array<Record<string, unknown>> } };
}

function answer(id: Id, type: number, counter: number, body: object, to: Hst1From, key: Buffer = devices[id].key): void {
  centre.send(Hst1Peer.seal({ type, id, counter, time: nowS() }, body, key), to);
}

const fleet = new LineChild(process.execPath, [CLI, 'fleet', '--keys', keysFile, '--centre', `udp:127.0.0.1:${centre.address.port}`, '--speed', String(SPEED), '--duration', '30', '--activity', '300', '--sockets', '1', '--json', '--log-level', 'warn']);
t.teardown(async () => {
  if (fleet.proc.exitCode === null && fleet.proc.signalCode === null) fleet.proc.kill('SIGKILL');
  await fleet.exited;
});

const deadline = Date.now() + 20_000;
while ([...walks.values()].some((w) => w.step !== 'done') && Date.now() < deadline) {
  const m = await centre.receive(1000);
  if (!m) continue;
  const c = check(m.data);
  if (!c) continue;
  const w = walks.get(c.id)!;
  const seqs = (c.body.events ?? []).map((e) => e.seq as number);
  const prev = w.seen.at(-1);
  const at = Date.now();
  w.seen.push({ at, counter: c.counter, time: c.time, seqs });
  if (prev && c.counter <= prev.counter) w.problems.push(`counter ${c.counter} after ${prev.counter}: not rising`);
  if (Math.abs(c.time - (nowS() + w.offsetS)) > 3) w.problems.push(`time ${c.time} is ${c.time - nowS()} s from the real clock, expected ${w.offsetS}`);
  for (const s of seqs) if (w.acked.has(s)) w.problems.push(`seq ${s} sent again after an ack listed it`);
  const ack = (accepted: number[]) => {
    answer(c.id, HST1_TYPE.ack, c.counter, { counter: c.counter, serverTime: nowS() + w.offsetS, accepted, commands: [] }, m.from);
    for (const s of accepted) w.acked.add(s);
  };
  const gap = prev ? at - prev.at : 0;
  switch (w.step) {
    case 'skew':
      // Ten minutes ahead of the real clock: the device must take our time.
      w.offsetS = 600;
      answer(c.id, HST1_TYPE.nak, c.counter, { counter: c.counter, reason: 'clock-skew', serverTime: nowS() + w.offsetS }, m.from);
      w.step = 'replay';
      break;
    case 'replay':
      if (gap > INTERVAL_MS / 2) w.problems.push(`the resend after clock-skew came ${gap} ms later, not at once`);
      if (JSON.stringify(seqs) !== JSON.stringify(w.seen.at(-2)!.seqs)) w.problems.push(`the resend after clock-skew carried ${JSON.stringify(seqs)}, not the same events ${JSON.stringify(w.seen.at(-2)!.seqs)}`);
      answer(c.id, HST1_TYPE.nak, c.counter, { counter: c.counter, reason: 'replay', serverTime: nowS() + w.offsetS }, m.from);
      w.step = 'withhold';
      break;
    case 'withhold':
      if (w.seen.length === 3 && gap > INTERVAL_MS / 2) w.problems.push(`the resend after replay came ${gap} ms later, not at once`);
      if (seqs.length === 0) {
        ack([]);
        break;
      }
      // Answers a device must not take, each listing every event: one for its previous counter (an old ack replayed), one under a wrong key.
      // (One naming another device cannot be tried here: the fleet's shared socket hands it to that device.)
      answer(c.id, HST1_TYPE.ack, w.seen.at(-2)!.counter, { counter: w.seen.at(-2)!.counter, serverTime: nowS() + w.offsetS, accepted: seqs, commands: [] }, m.from);
      answer(c.id, HST1_TYPE.ack, c.counter, { counter: c.counter, serverTime: nowS() + w.offsetS, accepted: seqs, commands: [] }, m.from, randomBytes(32));
      ack([]);
      w.withheld = seqs;
      w.step = 'resend';
      break;
    case 'resend': {
      const missing = w.withheld.filter((s) => !seqs.includes(s));
      if (missing.length > 0) w.problems.push(`events ${JSON.stringify(missing)} were not sent again, though no ack listed them`);
      ack(seqs);
      w.step = 'after';
      break;
    }
    case 'after':
      ack(seqs);
      w.step = 'done';
      break;
    case 'done':
      ack(seqs);
      break;
  }
}
fleet.proc.kill('SIGTERM');
const code = await fleet.exited;

t.test('every datagram keeps §5.2: size, magic, type, id, AAD and tag, a JSON object, u32 seqs, fresh nonces', async (t) => {
  t.same(problems, [], 'no datagram broke a rule');
  t.ok(nonces.size >= 10, `${nonces.size} datagrams seen`);
});

for (const [id, w] of walks) {
  t.test(`${id} (${devices[id].kind}) answers each answer as §5.2 asks`, async (t) => {
    t.equal(w.step, 'done', `walked to the end (stopped at ${w.step} after ${w.seen.length} check-ins)`);
    t.same(w.problems, [], 'rising counters; resynced to serverTime and resent at once after clock-skew, with the same events; resent at once after replay; ignored the wrong answers; events sent again until an ack listed them, never after');
    t.ok(w.withheld.length > 0, `an ack that stored nothing was answered for ${w.withheld.length} events`);
  });
}

t.test('the fleet counted what it was told', async (t) => {
  t.equal(code, 0, 'the fleet run ends cleanly');
  const summary = JSON.parse(fleet.lines.find((l) => l.startsWith('{')) ?? '{}') as { naks?: { replay: number; 'clock-skew': number }; ignored?: number };
  t.same(summary.naks, { replay: 2, 'clock-skew': 2 }, 'one nak of each kind per device');
  t.equal(summary.ignored, 4, 'the two wrong answers per device were ignored');
});
