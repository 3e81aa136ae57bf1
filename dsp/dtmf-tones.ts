/**
 * The DTMF signalling alphabet of ITU-T Q.23 §2 (Figure 1): each digit is one
 * low-group ("row") plus one high-group ("column") frequency.
 */
export const DTMF_ROW_FREQUENCIES_HZ = [697, 770, 852, 941] as const;
export const DTMF_COLUMN_FREQUENCIES_HZ = [1209, 1336, 1477, 1633] as const;

/** Q.23 Figure 1 keypad layout, rows × columns. */
const KEYPAD = ['123A', '456B', '789C', '*0#D'] as const;

export type DtmfDigit = '0' | '1' | '2' | '3' | '4' | '5' | '6' | '7' | '8' | '9' | 'A' | 'B' | 'C' | 'D' | '*' | '#';

export const DTMF_DIGITS: readonly DtmfDigit[] = '123A456B789C*0#D'.split('') as DtmfDigit[];

/** Digit at (row, column) of the keypad. */
export function digitAt(row: number, column: number): DtmfDigit {
  return KEYPAD[row][column] as DtmfDigit;
}

/** Row and column index of a digit. */
export function digitPosition(digit: DtmfDigit): { row: number; column: number } {
  for (let row = 0; row < 4; row++) {
    const column = KEYPAD[row].indexOf(digit);
    if (column >= 0) return { row, column };
  }
  throw new DtmfDigitError(`'${digit}' is not a DTMF digit`);
}

export class DtmfDigitError extends Error {
  override name = 'DtmfDigitError';
}

/**
 * Parses a digit string (0-9, A-D, a-d, *, #). Throws `DtmfDigitError` naming the
 * first bad character and its position.
 */
export function parseDtmfDigits(text: string): DtmfDigit[] {
  if (text.length === 0) throw new DtmfDigitError('no DTMF digits given');
  return [...text].map((ch, i) => {
    const d = ch.toUpperCase();
    if (!DTMF_DIGITS.includes(d as DtmfDigit)) {
      throw new DtmfDigitError(`'${ch}' at position ${i + 1} is not a DTMF digit (use 0-9, A-D, * and #)`);
    }
    return d as DtmfDigit;
  });
}
