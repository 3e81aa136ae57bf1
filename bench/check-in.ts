/**
 * Check-in telegram codec figures (docs/perf.md "## Check-in telegram"):
 * telegrams per second encoded and decoded in-process, for a heartbeat
 * and for a check-in with three events, each beside its baseline from the
 * same run — the bare AES-256-GCM seal and open of the same plaintext with
 * node:crypto (the crypto the contract needs, without our header, JSON or
 * checks) — and the replay-window check alone. Rounds alternate ours and
 * the baseline; the median of 5 is quoted.
 * Run: npx tsc -p . && node dist/bench/check-in.js
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';
import type { CheckInBody } from '../core/check-in-body.js';
import { encodeTelegram, openTelegram } from '../core/check-in-telegram.js';
import { checkReplay, EMPTY_REPLAY_WINDOW, type ReplayWindow } from '../core/replay-window.js';
import { SeededRandom } from '../core/seeded-random.js';
import { cryptoRandom } from '../src/adapters/crypto-random.js';
import { median } from '../test/support/sample-stats.js';
import { bound } from './support/bench-bound.js';

const ROUND_MS = 400;
const ROUNDS = 5;
bound(`check-in codec (${ROUNDS} alternating rounds of ${ROUND_MS} ms per case)`, 30);

const key = new SeededRandom(1).bytes(32);
const now = 1767600000;
const heartbeat: CheckInBody = { status: { kind: 'key-depot', door: 'closed', keys: [1, 2, 3, 4], queue: 0, mains: true, interval: 60 } };
const withEvents: CheckInBody = {
  ...heartbeat,
  events: [
    { seq: 17, time: now - 50, type: 'key-taken', compartment: 3, holder: 'Meier' },
    { seq: 18, time: now - 20, type: 'key-returned', compartment: 3, holder: 'Meier' },
    { seq: 19, time: now - 5, type: 'door-close' },
  ],
};

/** Ours: what a device and the centre each do per telegram — encode with a fresh nonce, then decode and check. */
function ours(body: CheckInBody): () => number {
  let counter = 0;
  return () => {
    const d = encodeTelegram({ type: 'check-in', deviceId: 'SD-0042', counter: counter++, time: now, body }, key, cryptoRandom.bytes(12));
    const r = openTelegram(d, key);
    if (!r.ok) throw new Error(r.reason);
    return d.length;
  };
}

/** Baseline: the same plaintext sealed and opened with the same cipher, AAD and nonce source, nothing else. */
function bare(body: CheckInBody): () => number {
  const plaintext = Buffer.from(JSON.stringify(body));
  const aad = Buffer.alloc(33);
  return () => {
    const nonce = cryptoRandom.bytes(12);
    const c = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: 16 });
    c.setAAD(aad);
    const ct = Buffer.concat([c.update(plaintext), c.final()]);
    const tag = c.getAuthTag();
    const d = createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: 16 });
    d.setAAD(aad);
    d.setAuthTag(tag);
    return Buffer.concat([d.update(ct), d.final()]).length;
  };
}

function rate(fn: () => number, ms: number): number {
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < ms) {
    for (let i = 0; i < 200; i++) fn();
    n += 200;
  }
  return n / ((performance.now() - t0) / 1000);
}

const fmt = (x: number): string => Math.round(x).toLocaleString('en-US');

for (const [name, body] of [['heartbeat', heartbeat], ['3 events', withEvents]] as const) {
  const a = ours(body);
  const b = bare(body);
  rate(a, 200);
  rate(b, 200);
  const oursRates: number[] = [];
  const bareRates: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    oursRates.push(rate(a, ROUND_MS));
    bareRates.push(rate(b, ROUND_MS));
  }
  const o = median(oursRates);
  const base = median(bareRates);
  const size = a();
  process.stdout.write(`${name.padEnd(10)} (${size} B): encode+decode ${fmt(o)} telegrams/s; bare AES-256-GCM seal+open ${fmt(base)}/s; ours/bare ${(o / base).toFixed(2)}\n`);
}

let window: ReplayWindow = EMPTY_REPLAY_WINDOW;
let c = 0;
const replayRates: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  replayRates.push(rate(() => {
    const x = checkReplay(window, c++);
    if (x.fresh) window = x.next;
    return 0;
  }, ROUND_MS));
}
process.stdout.write(`replay window: ${fmt(median(replayRates))} checks/s (each one a fresh counter)\n`);
