/**
 * Parses the body of one AT command line (after "AT", before S3) into
 * commands, per V.250 §5.3–§5.4: basic commands (letter, `&`/`\`/`%` +
 * letter) with an optional number, `D` taking the rest of the line up to
 * `;`, S-parameters (`Sn=v`, `Sn?`), and extended commands (`+NAME`,
 * `+NAME=v,…`, `+NAME?`, `+NAME=?`) ended by `;`. Case does not matter and
 * spaces are ignored outside quoted strings.
 */
export type AtCommand =
  | { kind: 'basic'; name: string; arg: number | undefined }
  | { kind: 'dial'; dialString: string }
  | { kind: 'sreg'; reg: number; op: 'set' | 'read'; value: number }
  | { kind: 'extended'; name: string; op: 'set' | 'read' | 'test' | 'action'; args: string[] };

/**
 * On an error, `commands` holds the commands before the bad one: V.250
 * §5.6 executes a line's commands in order up to the one in error, so
 * those still run before ERROR.
 */
export type ParseResult = { ok: true; commands: AtCommand[] } | { ok: false; error: string; commands: AtCommand[] };

/** Prefix characters that introduce a two-character basic command (`&D`, `\N`, `%C`). */
const BASIC_PREFIXES = new Set(['&', '\\', '%']);
const EXTENDED_NAME = /[A-Z0-9!%\-./:_]/;
/** Numbers longer than this cannot be valid parameter values; reject rather than lose precision. */
const MAX_NUMBER_DIGITS = 9;

/** Uppercase and drop spaces, except inside double-quoted strings (V.250 §5.3.1). */
function normalise(body: string): string {
  let out = '';
  let quoted = false;
  for (const ch of body) {
    if (ch === '"') quoted = !quoted;
    if (quoted || ch === '"') out += ch;
    else if (ch !== ' ') out += ch.toUpperCase();
  }
  return out;
}

class Cursor {
  i = 0;
  constructor(readonly s: string) {}
  get done(): boolean {
    return this.i >= this.s.length;
  }
  peek(): string {
    return this.s[this.i] ?? '';
  }
  next(): string {
    return this.s[this.i++] ?? '';
  }
  number(): number | undefined | null {
    const start = this.i;
    while (/[0-9]/.test(this.peek())) this.i++;
    const digits = this.s.slice(start, this.i);
    if (!digits) return undefined;
    return digits.length > MAX_NUMBER_DIGITS ? null : Number(digits);
  }
}

export function parseCommandLine(body: string): ParseResult {
  const c = new Cursor(normalise(body));
  const commands: AtCommand[] = [];
  const failed = (error: string): ParseResult => ({ ok: false, error, commands });
  while (!c.done) {
    const ch = c.next();
    if (ch === ';') continue;
    if (ch === 'D') {
      const end = c.s.indexOf(';', c.i);
      const dialString = end < 0 ? c.s.slice(c.i) : c.s.slice(c.i, end + 1);
      c.i += dialString.length;
      commands.push({ kind: 'dial', dialString });
    } else if (ch === 'S') {
      const r = parseSRegister(c);
      if ('error' in r) return failed(r.error);
      commands.push(r);
    } else if (ch === '+') {
      const r = parseExtended(c);
      if ('error' in r) return failed(r.error);
      commands.push(r);
    } else if (BASIC_PREFIXES.has(ch)) {
      const letter = c.next();
      if (!/[A-Z]/.test(letter)) return failed(`'${ch}' must be followed by a letter`);
      const arg = c.number();
      if (arg === null) return failed('number too long');
      commands.push({ kind: 'basic', name: ch + letter, arg });
    } else if (/[A-Z]/.test(ch)) {
      const arg = c.number();
      if (arg === null) return failed('number too long');
      commands.push({ kind: 'basic', name: ch, arg });
    } else {
      return failed(`unexpected character 0x${ch.charCodeAt(0).toString(16)}`);
    }
  }
  return { ok: true, commands };
}

function parseSRegister(c: Cursor): AtCommand | { error: string } {
  const reg = c.number();
  if (reg === undefined || reg === null) return { error: 'S needs a register number' };
  if (c.peek() === '?') {
    c.next();
    return { kind: 'sreg', reg, op: 'read', value: 0 };
  }
  if (c.peek() !== '=') return { error: `S${reg} needs '=' or '?'` };
  c.next();
  // V.250 §5.3.2: an omitted value means 0.
  const value = c.number();
  if (value === null) return { error: 'number too long' };
  return { kind: 'sreg', reg, op: 'set', value: value ?? 0 };
}

function parseExtended(c: Cursor): AtCommand | { error: string } {
  let name = '+';
  while (!c.done && EXTENDED_NAME.test(c.peek())) name += c.next();
  if (name.length < 2) return { error: "'+' must be followed by a command name" };
  if (c.peek() === '?') {
    c.next();
    return endExtended(c, { kind: 'extended', name, op: 'read', args: [] });
  }
  if (c.peek() !== '=') return endExtended(c, { kind: 'extended', name, op: 'action', args: [] });
  c.next();
  if (c.peek() === '?') {
    c.next();
    return endExtended(c, { kind: 'extended', name, op: 'test', args: [] });
  }
  const args: string[] = [];
  let current = '';
  let quoted = false;
  while (!c.done && (quoted || c.peek() !== ';')) {
    const ch = c.next();
    if (ch === '"') quoted = !quoted;
    else if (ch === ',' && !quoted) {
      args.push(current);
      current = '';
    } else current += ch;
  }
  if (quoted) return { error: 'unterminated string' };
  args.push(current);
  return endExtended(c, { kind: 'extended', name, op: 'set', args });
}

/** An extended command ends at ';' or the end of the line (V.250 §5.4.1). */
function endExtended(c: Cursor, cmd: AtCommand): AtCommand | { error: string } {
  if (!c.done && c.peek() !== ';') return { error: `junk after ${(cmd as { name: string }).name}` };
  return cmd;
}
