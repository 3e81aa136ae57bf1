import { encodeTelegram, openAfterHeader, readTelegramHeader } from '../../core/check-in-telegram.js';
import { unixSeconds } from '../../core/check-in-verdict.js';
import { cryptoRandom } from '../../src/adapters/crypto-random.js';

/**
 * The ceiling's codec layer (bench/support/ceiling-process.ts): the sealed
 * ack to one check-in, or undefined for silence (what the centre does with
 * a reject): header, key, tag and body, an ack with a fresh nonce. No
 * replay window, nothing stored.
 */
export function ceilingSeal(data: Uint8Array, keys: ReadonlyMap<string, Uint8Array>): Uint8Array | undefined {
  const head = readTelegramHeader(data);
  if (!head.ok) return undefined;
  const key = keys.get(head.header.deviceId);
  if (!key) return undefined;
  const r = openAfterHeader(data, head, key);
  if (!r.ok) return undefined;
  const { deviceId, counter } = r.telegram;
  const nowS = unixSeconds(Date.now());
  return encodeTelegram({ type: 'ack', deviceId, counter, time: nowS, body: { counter, serverTime: nowS, accepted: [], commands: [] } }, key, cryptoRandom.bytes(12));
}
