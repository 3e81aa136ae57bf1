import type { Kds } from './kds.js';
import type { ModemKind, OutgoingModem } from '../core/modem-port.js';

/**
 * The callback indices 1–6 of the KDS (seed: "anhand der Positionen 1-6, den
 * Rückrufindizes, 6 verschiedene Rückrufnummern mit den entsprechenden max.
 * 6-stelligen Zugangcodes … Je Position kann das X.75 Protokoll verwendet
 * werden"). Callback uses any index; error signaling always index 1.
 */
export const CALLBACK_INDICES = 6;

/** The PBX's built-in modems by kind; a kind not fitted is absent. */
export type OutgoingModems = Partial<Record<ModemKind, OutgoingModem>>;

export interface CallbackIndex {
  index: number;
  /** Empty when no number is programmed. */
  number: string;
  /** Stored hash of the access code ('' = none). */
  codeHash: string;
  /** X.75 yes: call over the digital B-channel modem; no: over the IMOD. */
  modem: ModemKind;
}

export function isCallbackIndex(index: number): boolean {
  return Number.isInteger(index) && index >= 1 && index <= CALLBACK_INDICES;
}

export function readCallbackIndex(kds: Kds, index: number): CallbackIndex {
  return {
    index,
    number: kds.get(`callback.${index}.number`) ?? '',
    codeHash: kds.get(`callback.${index}.code`) ?? '',
    modem: kds.flag(`callback.${index}.x75`) ? 'x75' : 'imod',
  };
}
