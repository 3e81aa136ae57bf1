/**
 * The dial string of ATD (V.250 §6.3.1) as digits for the network and the
 * time dialing them takes. Pure: the modem supplies the timing registers.
 */

/**
 * Dial-tone detection (X2/X4, and the W modifier) takes this long when the
 * tone is there (Hayes: the modem listens before it dials).
 */
export const DIAL_TONE_DETECT_MS = 300;
/** Pulse dialing at 10 pulses/s (make/break): 100 ms per pulse … */
const PULSE_MS = 100;
/** … and an inter-digit pause between the pulse trains. */
const PULSE_INTERDIGIT_MS = 700;
/** '!' hook flash: on hook this long (Hayes). */
const FLASH_MS = 500;
/** The digit 0 is ten pulses (decadic dialing). */
const PULSES_FOR_ZERO = 10;

/** What the dial string's timing depends on. */
export interface DialTiming {
  /** ATT / ATP: tone or pulse until a T or P in the string says otherwise. */
  dialMode: 'T' | 'P';
  /** S11: one DTMF tone lasts this long; the gap after it is as long (Hayes). */
  dtmfMs: number;
  /** S8: the ',' pause. */
  commaPauseMs: number;
}

export interface DialPlan {
  /** What the network sees: 0-9, * and # (A–D are dialled as tones but route nowhere); for an address, the address. */
  digits: string;
  /**
   * Set when the dial string is an internet address rather than a number
   * (bridge mode, as tcpser dials: `ATDbbs.example.org:2323`, `ATDT
   * 127.0.0.1`, `ATDhome` for a phone-book name): lower case, without a
   * leading T or P and a trailing ';'.
   */
  address?: string;
  /** Time from the first digit to the last one out, modifiers included. */
  dialMs: number;
  /** A trailing ';': back to command state once dialled (V.250 §6.3.1). */
  voice: boolean;
}

/**
 * Digits to send and the time dialing them takes (V.250 §6.3.1 modifiers:
 * T, P, ',', W, '!', ';'). Anything else (spaces, '-', '(', ')', '@', 'R')
 * does not dial: V.250 §6.3.1 lets the DCE ignore it.
 */
export function parseDialString(dialString: string, timing: DialTiming): DialPlan {
  const address = internetAddress(dialString);
  if (address !== undefined) return { digits: address, address, dialMs: 0, voice: false };
  let mode = timing.dialMode;
  let digits = '';
  let dialMs = 0;
  for (const ch of dialString) {
    if (/[0-9*#A-D]/.test(ch)) {
      if (/[0-9*#]/.test(ch)) digits += ch;
      const pulses = ch === '0' ? PULSES_FOR_ZERO : Number(ch) || 0;
      dialMs += mode === 'P' && pulses ? pulses * PULSE_MS + PULSE_INTERDIGIT_MS : timing.dtmfMs * 2;
    } else if (ch === 'T' || ch === 'P') {
      mode = ch;
    } else if (ch === ',') {
      dialMs += timing.commaPauseMs;
    } else if (ch === 'W') {
      dialMs += DIAL_TONE_DETECT_MS;
    } else if (ch === '!') {
      dialMs += FLASH_MS;
    }
  }
  return { digits, dialMs, voice: dialString.endsWith(';') };
}

/** Letters a phone number may hold (V.250 §6.3.1: DTMF A–D, the T/P/W/R modifiers). */
const NUMBER_LETTER = /[ABCDPTWR]/;
/** A phone-book name: a letter, then letters, digits, '-' or '_' (tcpser's `-nhome=…`). */
const NAME = /^[A-Z][A-Z0-9_-]*$/;

/**
 * A host (with a dot, or `host:port`) or a name with a letter no phone
 * number holds is an address; anything else is a number, whose stray
 * characters are ignored as before.
 */
function internetAddress(dialString: string): string | undefined {
  const body = dialString.replace(/^[TP]+/, '').replace(/;$/, '');
  const isAddress = /[.:]/.test(body) || (NAME.test(body) && [...body].some((ch) => /[A-Z]/.test(ch) && !NUMBER_LETTER.test(ch)));
  return isAddress ? body.toLowerCase() : undefined;
}
