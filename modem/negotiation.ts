import type { LinkInfo } from '../core/call.js';

/**
 * Analog modem negotiation between a caller's and an answerer's
 * capabilities (what AT+MS, AT+ES and AT+DS set): the highest common
 * modulation and rate, error control V.42 (LAPM) or MNP 2-4, compression
 * V.42bis (only over LAPM) or MNP 5 (only over MNP).
 */
export type Modulation = 'V21' | 'V22' | 'V22B' | 'V32' | 'V32B';

/** Rates each modulation can run at (ITU-T V.21, V.22, V.22bis, V.32, V.32bis). */
export const MODULATION_RATES: Record<Modulation, readonly number[]> = {
  V21: [300],
  V22: [1200],
  V22B: [1200, 2400],
  V32: [4800, 9600],
  V32B: [4800, 7200, 9600, 12000, 14400],
};

/** Lowest to highest, the order automode falls back in. */
export const MODULATION_ORDER: readonly Modulation[] = ['V21', 'V22', 'V22B', 'V32', 'V32B'];

/**
 * Typical time from answer tone to carrier up, by modulation. Not set by a
 * standard (it depends on the line); values in the range real modems show,
 * so a scenario's timing looks like a real call.
 */
export const HANDSHAKE_MS: Record<Modulation, number> = {
  V21: 1500, V22: 2000, V22B: 3000, V32: 5000, V32B: 6000,
};
/** V.42 detection phase + LAPM/MNP link set-up added to the handshake. */
export const ERROR_CONTROL_SETUP_MS = 500;

export type ErrorControl = 'LAPM' | 'MNP' | 'NONE';
export type Compression = 'V42BIS' | 'MNP5' | 'NONE';

export interface ModemCapabilities {
  modulations: Modulation[];
  minRateBps: number;
  maxRateBps: number;
  lapm: boolean;
  mnp: boolean;
  /** Hang up rather than connect without error control. */
  errorControlRequired: boolean;
  /** Willing to compress (V.42bis over LAPM, MNP 5 over MNP). */
  compression: boolean;
}

export interface Negotiated {
  modulation: Modulation;
  rateBps: number;
  errorControl: ErrorControl;
  compression: Compression;
}

/** What a V.32bis/V.42/V.42bis modem (the IMOD of spec §3.2, a 1990s PC modem) offers by default. */
export function defaultCapabilities(): ModemCapabilities {
  return { modulations: ['V21', 'V22', 'V22B', 'V32', 'V32B'], minRateBps: 300, maxRateBps: 14400, lapm: true, mnp: true, errorControlRequired: false, compression: true };
}

export function isModemCapabilities(x: unknown): x is ModemCapabilities {
  const c = x as ModemCapabilities | undefined;
  return !!c && Array.isArray(c.modulations) && typeof c.maxRateBps === 'number';
}

/** The best common settings, or null when the two modems cannot connect. */
export function negotiate(a: ModemCapabilities, b: ModemCapabilities): Negotiated | null {
  const min = Math.max(a.minRateBps, b.minRateBps);
  const max = Math.min(a.maxRateBps, b.maxRateBps);
  let best: { modulation: Modulation; rateBps: number } | undefined;
  for (const m of MODULATION_ORDER) {
    if (!a.modulations.includes(m) || !b.modulations.includes(m)) continue;
    for (const r of MODULATION_RATES[m]) {
      if (r >= min && r <= max && (!best || r > best.rateBps)) best = { modulation: m, rateBps: r };
    }
  }
  if (!best) return null;
  // V.42 tries LAPM first and falls back to MNP (V.42 §8 detection phase).
  const errorControl: ErrorControl = a.lapm && b.lapm ? 'LAPM' : a.mnp && b.mnp ? 'MNP' : 'NONE';
  if (errorControl === 'NONE' && (a.errorControlRequired || b.errorControlRequired)) return null;
  const compress = a.compression && b.compression;
  const compression: Compression = !compress ? 'NONE' : errorControl === 'LAPM' ? 'V42BIS' : errorControl === 'MNP' ? 'MNP5' : 'NONE';
  // Named fields, not a spread of `best`: one hidden class for every call's outcome (firmware-sim/error-history.ts).
  return { modulation: best.modulation, rateBps: best.rateBps, errorControl, compression };
}

/** "14400/V42BIS", "9600/LAPM", "2400/MNP5", "2400/MNP", "1200". */
export function connectText(n: Negotiated): string {
  const suffix = n.compression !== 'NONE' ? n.compression : n.errorControl;
  return suffix === 'NONE' ? String(n.rateBps) : `${n.rateBps}/${suffix}`;
}

/**
 * Async serial framing on the analog line carries 10 bits per user byte
 * (start + 8 data + stop), so the path paces at rate/10 bytes/s (spec §4.5).
 */
export const BITS_PER_ASYNC_BYTE = 10;

export function linkFor(n: Negotiated): LinkInfo {
  return {
    rateBps: n.rateBps,
    bytesPerSecond: n.rateBps / BITS_PER_ASYNC_BYTE,
    connectText: connectText(n),
    handshakeMs: HANDSHAKE_MS[n.modulation] + (n.errorControl === 'NONE' ? 0 : ERROR_CONTROL_SETUP_MS),
    details: n,
  };
}
