/**
 * Letter entry on a 12-key DTMF keypad ("multi-tap", as on mobile phones):
 * press a key n times for the n-th character of its group; another key, or
 * the confirm-letter key `*`, takes the pending character. Letters follow
 * the ITU-T E.161 keypad (2 = ABC … 9 = WXYZ); after the upper-case letters
 * each key gives its own digit, then the lower-case letters. See
 * docs/dtmf-admin.md for the table.
 */
export const MULTI_TAP_KEYS: Readonly<Record<string, string>> = {
  '1': '1.-_',
  '2': 'ABC2abc',
  '3': 'DEF3def',
  '4': 'GHI4ghi',
  '5': 'JKL5jkl',
  '6': 'MNO6mno',
  '7': 'PQRS7pqrs',
  '8': 'TUV8tuv',
  '9': 'WXYZ9wxyz',
  '0': ' 0',
};

/** What one key press did to the field. */
export type TapResult = 'typing' | 'done' | 'back';

/**
 * One text field being keyed in. Keys: `0`–`9` multi-tap; `*` takes the
 * pending character, or with none pending deletes the last one, or on an
 * empty field leaves it ('back'); `#` takes the pending character and ends
 * the field ('done').
 */
export class MultiTapField {
  #text = '';
  #key: string | undefined;
  #count = 0;

  constructor(readonly maxLength: number) {}

  /** The confirmed text. */
  get text(): string {
    return this.#text;
  }

  /** The character shown under the cursor, not yet taken. */
  get pending(): string {
    return this.#key === undefined ? '' : this.#charOf(this.#key, this.#count);
  }

  press(key: string): TapResult {
    if (key === '#') {
      this.#take();
      return 'done';
    }
    if (key === '*') {
      if (this.#key !== undefined) this.#take();
      else if (this.#text.length > 0) this.#text = this.#text.slice(0, -1);
      else return 'back';
      return 'typing';
    }
    if (!(key in MULTI_TAP_KEYS)) return 'typing';
    if (this.#key === key) {
      this.#count++;
    } else {
      this.#take();
      if (this.#text.length >= this.maxLength) return 'typing';
      this.#key = key;
      this.#count = 0;
    }
    return 'typing';
  }

  #take(): void {
    if (this.#key !== undefined && this.#text.length < this.maxLength) this.#text += this.#charOf(this.#key, this.#count);
    this.#key = undefined;
    this.#count = 0;
  }

  #charOf(key: string, count: number): string {
    const group = MULTI_TAP_KEYS[key];
    return group[count % group.length];
  }
}

/** The key presses that type `text` (for tests and scripts); throws on a character no key gives. */
export function multiTapKeys(text: string): string {
  let out = '';
  let last = '';
  for (const ch of text) {
    const entry = Object.entries(MULTI_TAP_KEYS).find(([, group]) => group.includes(ch));
    if (!entry) throw new RangeError(`'${ch}' cannot be typed on the keypad`);
    const [key, group] = entry;
    // Same key twice in a row: '*' takes the first character before the second starts.
    if (key === last) out += '*';
    out += key.repeat(group.indexOf(ch) + 1);
    last = key;
  }
  return `${out}#`;
}
