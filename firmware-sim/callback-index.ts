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

/** The KDS paths of each index, built once: error signaling reads index 1 at every attempt. */
const INDEX_PATHS = Array.from({ length: CALLBACK_INDICES + 1 }, (_, index) => indexPaths(index));

function indexPaths(index: number): { number: string; code: string; x75: string } {
  return { number: `callback.${index}.number`, code: `callback.${index}.code`, x75: `callback.${index}.x75` };
}

export function readCallbackIndex(kds: Kds, index: number): CallbackIndex {
  const paths = INDEX_PATHS[index] ?? indexPaths(index);
  return {
    index,
    number: kds.get(paths.number) ?? '',
    codeHash: kds.get(paths.code) ?? '',
    modem: kds.flag(paths.x75) ? 'x75' : 'imod',
  };
}
