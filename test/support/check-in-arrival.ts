import type { CheckInBody } from '../../core/check-in-body.js';
import type { ReplayWindow } from '../../core/replay-window.js';
import type { CheckInArrival } from '../../src/centre/check-in-store.js';

/** A time the store tests take as "now" (ms). */
export const T0 = 1_780_000_000_000;

/** An accepted-tag check-in as the intake hands it to the store (`at` defaults to a minute after T0; `skewS` puts the device clock off). */
export function arrival(deviceId: string, counter: number, window: ReplayWindow | undefined, body: CheckInBody = {}, o: { at?: number; skewS?: number; endsRejects?: boolean } = {}): CheckInArrival {
  const at = o.at ?? T0 + 60_000;
  return { telegram: { type: 'check-in', deviceId, counter, time: Math.floor(at / 1000) + (o.skewS ?? 0), nonce: new Uint8Array(12), body }, receivedAt: at, source: '127.0.0.1:4000', window, endsRejects: o.endsRejects };
}
